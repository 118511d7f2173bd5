"""`casetrail verify` finds each kind of tampering and names the row (Seed A art. 15).

Each test tampers as a database superuser could (dropping the insert-only triggers, raw SQL) or
as someone with the off-site folder could (editing a file), then runs the command and checks it
exits 1 with a finding that names the table, the row and the leaf.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.actions.setup import do_load_agency_profile
from casetrail.cases.actions.start import do_decide_filing
from casetrail.cases.models import Agency, Approval, Case, Party
from casetrail.ledger import tree, verify
from casetrail.ledger.append import append_entry
from casetrail.ledger.canonical import canonical_json
from casetrail.ledger.checkpoints import AgencyLog, publish, signer, tree_root
from casetrail.ledger.config import key_path, public_key_path
from casetrail.ledger.merkle import leaf_hash, root_from_leaf_hashes, sha256
from casetrail.ledger.models import Checkpoint, LedgerEntry, LedgerHash, LedgerLeaf, LogHead
from casetrail.ledger.note import Checkpoint as CheckpointBody
from casetrail.ledger.note import format_checkpoint, sign_note
from casetrail.ledger.records import row_digest
from casetrail.ledger.verify_entries import EntryChecker, read_ahead
from casetrail.ledger.verify_tree import fold, grow
from casetrail.policy.profiles import builtin_profile_text
from tests.ledger.floor import floor_passed
from tests.ledger.tamper import (
    entry_payload,
    raw,
    recompute_stored_hashes,
    rewrite_entry,
    tampering,
)
from tests.personas import World, build_world, open_case

Document = dict[str, Any]


@pytest.fixture(autouse=True)
def ledger_dirs(settings: Settings, tmp_path: Path) -> Path:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite"
    settings.CASETRAIL_TSA_URL = ""
    return tmp_path


def log_of(agency: Agency) -> AgencyLog:
    return AgencyLog(agency.pk, agency.code)


def run_verify(*args: str) -> tuple[int, Document]:
    """Run `casetrail verify --json`; return its exit status and its JSON document."""
    out = io.StringIO()
    try:
        call_command("verify", "--json", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        if not out.getvalue():
            return error.returncode, {}
        return error.returncode, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def found(document: Document, kind: str) -> list[Document]:
    return [f for f in document["findings"] if f["kind"] == kind]


def kinds(document: Document) -> set[str]:
    return {f["kind"] for f in document["findings"]}


def open_entry(case: Case) -> LedgerEntry:
    return LedgerEntry.objects.get(case=case, action="case.open")


def leaf_index(entry: LedgerEntry) -> int:
    return LedgerLeaf.objects.get(entry=entry).index


def rename_party(party: Party, name: str) -> None:
    raw(
        'UPDATE "cases_party" SET name = %s WHERE id = %s', [name, party.pk], tables=["cases_party"]
    )


@pytest.fixture
def published(world: World) -> tuple[World, Case]:
    """Two cases of 栾统, each published in its own checkpoint; 兴统 published once."""
    first = open_case(world)
    publish(log_of(world.lc))
    open_case(world, cause="拒绝提供统计资料")
    publish(log_of(world.lc))
    publish(log_of(world.xl))
    return world, first


def test_a_clean_world_verifies(world: World) -> None:
    """GIVEN acts of every kind, published, and one act not yet integrated
    WHEN verify runs THEN it exits 0 with no finding and counts everything."""
    case = open_case(world)
    do_decide_filing(
        acting_user=world.reviewer.user,
        case=case,
        step="reviewer",
        decision="approve",
        opinion="同意",
    )
    do_decide_filing(
        acting_user=world.head.user, case=case, step="approver", decision="approve", opinion="同意"
    )
    do_load_agency_profile(
        acting_user=None,
        agency=world.lc,
        text=builtin_profile_text("xinglongtai-2019"),
        source="xinglongtai-2019",
    )
    publish(log_of(world.lc))
    publish(log_of(world.xl))
    open_case(world, cause="迟报统计资料")

    code, document = run_verify()

    assert (code, document["findings"]) == (0, [])
    assert document["ok"] is True
    sizes = sum(LogHead.objects.values_list("size", flat=True))
    assert document["counts"] == {
        "entries_checked": LedgerEntry.objects.count(),
        "leaves_checked": sizes,
        "checkpoints_checked": 2,
        "offsite_checked": 2,
        "files_checked": 0,
        "pending": 1,
        "tags_checked": LedgerEntry.objects.count(),
        "timestamps_verified": 0,
        "timestamps_unchained": 0,
    }
    assert document["notes"] == []


def test_the_human_report_and_its_exit_status(published: tuple[World, Case]) -> None:
    out = io.StringIO()
    call_command("verify", stdout=out, stderr=io.StringIO())
    assert "结论 (result): 完整，未发现篡改 (intact)" in out.getvalue()
    assert "未核验（加 --files）" in out.getvalue()
    world = published[0]
    size = LogHead.objects.get(agency=world.lc).size
    assert f"{world.lc.code}: 叶子 {size}，最新签名覆盖 {size} (signed size)" in out.getvalue()

    party = Party.objects.get(case=published[1])
    raw(
        'UPDATE "cases_party" SET name = %s WHERE id = %s',
        ["假公司", party.pk],
        tables=["cases_party"],
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify", stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 1
    assert f"[row_altered] cases_party #{party.pk}，账本序号" in out.getvalue()


def test_json_shape(published: tuple[World, Case]) -> None:
    approval = Approval.objects.get(case=published[1])
    raw('DELETE FROM "cases_approval" WHERE id = %s', [approval.pk], tables=["cases_approval"])

    code, document = run_verify()

    assert code == 1
    assert set(document) == {"ok", "counts", "notes", "trusted", "logs", "findings"}
    assert document["ok"] is False
    assert document["trusted"] == {"keys": "local", "checkpoints": "local"}
    world = published[0]
    sizes = dict(LogHead.objects.values_list("agency__code", "size"))
    assert [(log["agency"], log["size"], log["signed_size"]) for log in document["logs"]] == [
        (world.lc.code, sizes[world.lc.code], sizes[world.lc.code]),
        (world.xl.code, sizes[world.xl.code], sizes[world.xl.code]),
    ]
    assert all(log["signed_at"] for log in document["logs"])
    assert set(document["counts"]) == {
        "entries_checked",
        "leaves_checked",
        "checkpoints_checked",
        "offsite_checked",
        "files_checked",
        "pending",
        "tags_checked",
        "timestamps_verified",
        "timestamps_unchained",
    }
    for finding in document["findings"]:
        assert set(finding) == {"kind", "table", "id", "ledger_index", "detail"}


def test_an_edited_row_is_named(published: tuple[World, Case]) -> None:
    """GIVEN a published case WHEN a superuser edits its party's address THEN row_altered."""
    _world, case = published
    party = Party.objects.get(case=case)
    changed = raw(
        'UPDATE "cases_party" SET address = %s WHERE id = %s',
        ["伪造的地址", party.pk],
        tables=["cases_party"],
    )
    assert changed == 1

    code, document = run_verify()

    assert code == 1
    [finding] = document["findings"]
    assert finding["kind"] == "row_altered"
    assert (finding["table"], finding["id"]) == ("cases_party", party.pk)
    assert finding["ledger_index"] == leaf_index(open_entry(case))


def test_the_triggers_come_back_after_tampering(published: tuple[World, Case]) -> None:
    party = Party.objects.get(case=published[1])
    rename_party(party, "x")
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        raw('UPDATE "cases_party" SET name = %s WHERE id = %s', ["y", party.pk])


def test_a_deleted_row_is_named(published: tuple[World, Case]) -> None:
    _world, case = published
    approval = Approval.objects.get(case=case)
    assert raw(
        'DELETE FROM "cases_approval" WHERE id = %s', [approval.pk], tables=["cases_approval"]
    )

    code, document = run_verify()

    assert code == 1
    [finding] = document["findings"]
    assert finding["kind"] == "row_deleted"
    assert (finding["table"], finding["id"]) == ("cases_approval", approval.pk)
    assert finding["ledger_index"] == leaf_index(open_entry(case))


def test_a_row_inserted_without_an_entry_is_named(published: tuple[World, Case]) -> None:
    _world, case = published
    recorded_at = connection.ops.adapt_datetimefield_value(clock.now())
    raw(
        'INSERT INTO "cases_party" (case_id, kind, name, sex, id_type, id_number, uscc, '
        "legal_representative, address, phone, supersedes_id, recorded_at) "
        "VALUES (%s, 'person', '凭空出现的人', 'male', '', '', '', '', '某地', '', NULL, %s)",
        [case.pk, recorded_at],
    )
    inserted = Party.objects.get(name="凭空出现的人")

    code, document = run_verify()

    assert code == 1
    [finding] = document["findings"]
    assert finding["kind"] == "row_unledgered"
    assert (finding["table"], finding["id"], finding["ledger_index"]) == (
        "cases_party",
        inserted.pk,
        None,
    )


def test_ledger_rows_of_an_agency_that_does_not_exist(published: tuple[World, Case]) -> None:
    """GIVEN an entry, a leaf and a stored hash forged for an invented agency (the ledger's
    agency references have no database constraint) THEN each table's rows are named, and
    verifying one real agency alone does not look at them."""
    world, _case = published
    ghost = Agency.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert ghost is not None
    ghost += 100
    data = canonical_json({"v": 1, "agency": ghost, "action": "case.open"})
    recorded_at = connection.ops.adapt_datetimefield_value(clock.now())
    with tampering() as cursor:
        cursor.execute(
            'INSERT INTO "ledger_ledgerentry" (agency_id, case_id, action, actor_id, recorded_at, '
            "payload, leaf_hash) VALUES (%s, NULL, 'case.open', NULL, %s, %s, %s)",
            [ghost, recorded_at, data.decode(), leaf_hash(data, sha256).hex()],
        )
        for values in ([ghost, 0, 1], [ghost, 1, 2]):
            cursor.execute(
                'INSERT INTO "ledger_ledgerleaf" (agency_id, "index", entry_id) '
                "VALUES (%s, %s, (SELECT max(id) FROM ledger_ledgerentry) + %s)",
                values,
            )
        cursor.execute(
            'INSERT INTO "ledger_ledgerhash" (agency_id, position, value) VALUES (%s, 0, %s)',
            [ghost, b"\0" * 32],
        )
    forged = LedgerEntry.objects.get(agency_id=ghost)
    first_leaf, second_leaf = LedgerLeaf.objects.filter(agency_id=ghost).order_by("pk")
    stored = LedgerHash.objects.get(agency_id=ghost)

    code, document = run_verify()

    assert code == 1
    named = {(f["table"], f["id"]): f for f in document["findings"]}
    assert set(named) == {
        ("ledger_ledgerentry", forged.pk),
        ("ledger_ledgerleaf", first_leaf.pk),
        ("ledger_ledgerhash", stored.pk),
    }
    assert kinds(document) == {"agency_missing"}
    leaves = named[("ledger_ledgerleaf", first_leaf.pk)]["detail"]
    assert f"2 rows, ids {first_leaf.pk}..{second_leaf.pk} of agency {ghost}," in leaves
    code, alone = run_verify("--agency", world.lc.code)
    assert (code, alone["findings"]) == (0, [])


def test_an_edited_entry_is_named(published: tuple[World, Case]) -> None:
    """GIVEN a published entry WHEN its payload is edited (its hash left alone) THEN
    entry_altered names it, and the signed checkpoints no longer match."""
    world, case = published
    entry = open_entry(case)
    raw(
        'UPDATE "ledger_ledgerentry" SET payload = replace(payload, %s, %s) WHERE id = %s',
        ["提供不真实统计资料", "无违法行为", entry.pk],
        tables=["ledger_ledgerentry"],
    )

    code, document = run_verify()

    assert code == 1
    [altered] = found(document, "entry_altered")
    assert (altered["table"], altered["id"]) == ("ledger_ledgerentry", entry.pk)
    assert altered["ledger_index"] == leaf_index(entry)
    assert kinds(document) == {"entry_altered", "checkpoint_mismatch", "offsite_mismatch"}
    [rewritten] = found(document, "checkpoint_mismatch")
    first = Checkpoint.objects.filter(agency=world.lc).order_by("size").first()
    assert first is not None
    assert rewritten["id"] == first.pk
    assert "1 later signed copies no longer match" in rewritten["detail"]


def test_an_entry_whose_columns_disagree_with_its_payload(published: tuple[World, Case]) -> None:
    world, case = published
    entry = open_entry(case)
    raw(
        'UPDATE "ledger_ledgerentry" SET actor_id = %s WHERE id = %s',
        [world.head.user.pk, entry.pk],
        tables=["ledger_ledgerentry"],
    )

    code, document = run_verify()

    assert code == 1
    [altered] = document["findings"]
    assert (altered["kind"], altered["id"]) == ("entry_altered", entry.pk)
    assert "actor" in altered["detail"]


def test_swapped_leaves_are_reported_as_reordered(published: tuple[World, Case]) -> None:
    """GIVEN leaves 3 and 7 swapped (their rows renumbered) THEN both rows are named, each
    with the entry it now holds and the one the tree recorded there."""
    world, _case = published
    first, second = 3, 7
    at = {
        index: (leaf_id, entry_id)
        for index, leaf_id, entry_id in LedgerLeaf.objects.filter(
            agency=world.lc, index__in=[first, second]
        ).values_list("index", "id", "entry_id")
    }
    with tampering("ledger_ledgerleaf") as cursor:
        swap = 'UPDATE "ledger_ledgerleaf" SET "index" = %s WHERE agency_id = %s AND "index" = %s'
        cursor.execute(swap, [-1, world.lc.pk, first])
        cursor.execute(swap, [first, world.lc.pk, second])
        cursor.execute(swap, [second, world.lc.pk, -1])

    code, document = run_verify()

    assert code == 1
    reordered = {f["ledger_index"]: f for f in found(document, "leaf_reordered")}
    assert {index: f["id"] for index, f in reordered.items()} == {
        first: at[second][0],
        second: at[first][0],
    }
    assert {f["table"] for f in reordered.values()} == {"ledger_ledgerleaf"}
    assert (
        f"leaf {first} now holds entry {at[second][1]}, but the tree recorded entry "
        f"{at[first][1]} there"
    ) in reordered[first]["detail"]
    assert kinds(document) == {"leaf_reordered", "checkpoint_mismatch", "offsite_mismatch"}


# Committed acts, as in production: the integrator's floor has passed them, so an entry that
# lost its leaf is named as cut, not taken for one still waiting (`ledger/integrate.py`).
@pytest.mark.django_db(transaction=True)
def test_a_truncated_log_is_caught_by_its_checkpoint(published: tuple[World, Case]) -> None:
    """GIVEN a published log WHEN its last two leaves are deleted and its head shrunk THEN
    log_truncated names the checkpoint, and the cut entries are named."""
    world, _case = published
    floor_passed(world.lc)
    size = LogHead.objects.get(agency=world.lc).size
    cut = list(
        LedgerLeaf.objects.filter(agency=world.lc, index__gte=size - 2).values_list(
            "entry_id", flat=True
        )
    )
    with tampering("ledger_ledgerleaf", "ledger_ledgerhash") as cursor:
        cursor.execute(
            'DELETE FROM "ledger_ledgerleaf" WHERE agency_id = %s AND "index" >= %s',
            [world.lc.pk, size - 2],
        )
        cursor.execute(
            'DELETE FROM "ledger_ledgerhash" WHERE agency_id = %s AND position >= %s',
            [world.lc.pk, tree.stored_hash_count(size - 2)],
        )
        cursor.execute(
            'UPDATE "ledger_loghead" SET size = %s WHERE agency_id = %s', [size - 2, world.lc.pk]
        )

    code, document = run_verify()

    assert code == 1
    [truncated] = found(document, "log_truncated")
    beyond = Checkpoint.objects.filter(agency=world.lc, size__gt=size - 2).order_by("size")
    assert (truncated["table"], truncated["id"]) == ("ledger_checkpoint", beyond[0].pk)
    assert truncated["ledger_index"] == size - 2
    assert {f["id"] for f in found(document, "entry_unintegrated")} == set(cut)
    assert kinds(document) == {"log_truncated", "entry_unintegrated"}


@pytest.mark.django_db(transaction=True)
def test_a_deleted_leaf_in_the_middle(published: tuple[World, Case]) -> None:
    world, _case = published
    floor_passed(world.lc)
    raw(
        'DELETE FROM "ledger_ledgerleaf" WHERE agency_id = %s AND "index" = 5',
        [world.lc.pk],
        tables=["ledger_ledgerleaf"],
    )

    code, document = run_verify()

    assert code == 1
    [missing] = found(document, "leaf_missing")
    assert missing["ledger_index"] == 5
    assert "rebuilt over it from the stored leaf hashes" in missing["detail"]
    assert kinds(document) == {"leaf_missing", "entry_unintegrated"}


def _rewrite_history(world: World, case: Case, *, resign: bool) -> Party:
    """Change a party, and recompute everything in the database that commits to it."""
    party = Party.objects.get(case=case)
    raw(
        'UPDATE "cases_party" SET name = %s WHERE id = %s',
        ["替身公司", party.pk],
        tables=["cases_party"],
    )
    party.refresh_from_db()
    entry = open_entry(case)
    document = entry_payload(entry.pk)
    for ref in document["records"]:
        if (ref["table"], ref["id"]) == ("cases_party", party.pk):
            ref["sha256"] = row_digest(party)
    rewrite_entry(entry.pk, document)
    assert recompute_stored_hashes(world.lc.pk) > 0
    log = log_of(world.lc)
    with tampering("ledger_checkpoint") as cursor:
        for checkpoint in Checkpoint.objects.filter(agency=world.lc):
            root = tree_root(world.lc.pk, checkpoint.size)
            text = format_checkpoint(CheckpointBody(log.origin, checkpoint.size, root))
            if resign:
                note = sign_note(text, signer(log))
            else:
                note = text + checkpoint.note[checkpoint.note.rfind("\n\n") + 1 :]
            cursor.execute(
                'UPDATE "ledger_checkpoint" SET root_hash = %s, note = %s WHERE id = %s',
                [root.hex(), note, checkpoint.pk],
            )
    return party


def test_history_rewritten_with_the_key_is_caught_off_site(published: tuple[World, Case]) -> None:
    """GIVEN a forger with the database and the signing key, who rewrites a party, its entry,
    the stored hashes and re-signs the checkpoints WHEN verify runs THEN only the off-site
    copy catches it, bounding the change to the leaves before the first checkpoint."""
    world, case = published
    _rewrite_history(world, case, resign=True)

    code, document = run_verify()

    assert code == 1
    [rewritten] = document["findings"]
    first = Checkpoint.objects.filter(agency=world.lc).order_by("size").first()
    assert first is not None
    assert rewritten["kind"] == "offsite_mismatch"
    assert (rewritten["table"], rewritten["id"], rewritten["ledger_index"]) == (
        "ledger_checkpoint",
        first.pk,
        0,
    )
    assert (
        f"history rewritten: the tree at size {first.size} no longer matches"
        in (rewritten["detail"])
    )
    assert f"the change lies in leaves 0..{first.size - 1}" in rewritten["detail"]


def test_history_rewritten_without_the_key(published: tuple[World, Case]) -> None:
    world, case = published
    _rewrite_history(world, case, resign=False)

    code, document = run_verify()

    assert code == 1
    forged = found(document, "checkpoint_signature_invalid")
    ids = set(Checkpoint.objects.filter(agency=world.lc).values_list("pk", flat=True))
    assert {f["id"] for f in forged} == ids
    assert kinds(document) == {"checkpoint_signature_invalid", "offsite_mismatch"}


def test_a_rewrite_after_a_checkpoint_is_bounded_by_it(world: World) -> None:
    """GIVEN three checkpoints WHEN the second case is rewritten THEN the first still matches,
    and the finding bounds the change to the leaves between the first and the second."""
    open_case(world)
    first = publish(log_of(world.lc))
    case = open_case(world, cause="拒绝提供统计资料")
    second = publish(log_of(world.lc))
    open_case(world, cause="迟报统计资料")
    publish(log_of(world.lc))
    assert first is not None
    assert second is not None
    _rewrite_history(world, case, resign=True)

    code, document = run_verify()

    assert code == 1
    [rewritten] = document["findings"]
    assert (rewritten["kind"], rewritten["id"]) == ("offsite_mismatch", second.pk)
    assert rewritten["ledger_index"] == first.size
    assert (
        f"the last earlier checkpoint that still matches is size {first.size}"
        in (rewritten["detail"])
    )


def _forge(note: str) -> str:
    """Change one character in the middle of the note's signature."""
    text, _, line = note[:-1].rpartition("\n")
    head, _, signature = line.rpartition(" ")
    spot = len(signature) // 2
    swapped = "A" if signature[spot] != "A" else "B"
    return f"{text}\n{head} {signature[:spot]}{swapped}{signature[spot + 1 :]}\n"


def test_a_forged_checkpoint_signature_in_the_database(published: tuple[World, Case]) -> None:
    world, _case = published
    checkpoint = Checkpoint.objects.filter(agency=world.lc).order_by("size").first()
    assert checkpoint is not None
    raw(
        'UPDATE "ledger_checkpoint" SET note = %s WHERE id = %s',
        [_forge(checkpoint.note), checkpoint.pk],
        tables=["ledger_checkpoint"],
    )

    code, document = run_verify()

    assert code == 1
    [forged] = document["findings"]
    assert forged["kind"] == "checkpoint_signature_invalid"
    assert (forged["table"], forged["id"]) == ("ledger_checkpoint", checkpoint.pk)
    assert f"size {checkpoint.size}" in forged["detail"]


def test_a_forged_signature_off_site(published: tuple[World, Case]) -> None:
    world, _case = published
    checkpoint = Checkpoint.objects.filter(agency=world.lc).order_by("size").first()
    assert checkpoint is not None
    copy = Path(checkpoint.offsite_copy)
    copy.write_text(_forge(copy.read_text(encoding="utf-8")), encoding="utf-8")

    code, document = run_verify()

    assert code == 1
    [forged] = document["findings"]
    assert forged["kind"] == "offsite_signature_invalid"
    assert (forged["table"], forged["id"]) == ("ledger_checkpoint", checkpoint.pk)
    assert str(copy) in forged["detail"]


def test_a_deleted_checkpoint_row_and_a_lost_off_site_copy(published: tuple[World, Case]) -> None:
    world, _case = published
    first, latest = Checkpoint.objects.filter(agency=world.lc).order_by("size")
    raw('DELETE FROM "ledger_checkpoint" WHERE id = %s', [first.pk], tables=["ledger_checkpoint"])
    Path(latest.offsite_copy).unlink()

    code, document = run_verify()

    assert code == 1
    [missing_row] = found(document, "checkpoint_missing")
    assert f"size {first.size}" in missing_row["detail"]
    [missing_copy] = found(document, "offsite_missing")
    assert missing_copy["id"] == latest.pk
    assert kinds(document) == {"checkpoint_missing", "offsite_missing"}


def test_a_timestamp_token_of_another_note(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    from tests.ledger.tsa import local_tsa

    with local_tsa(tmp_path / "tsa") as tsa:
        settings.CASETRAIL_TSA_URL = tsa.url
        open_case(world)
        first = publish(log_of(world.lc))
        open_case(world, cause="拒绝提供统计资料")
        second = publish(log_of(world.lc))
    assert first is not None
    assert second is not None
    assert first.timestamp_token
    assert second.timestamp_token
    assert run_verify()[0] == 0
    raw(
        'UPDATE "ledger_checkpoint" SET timestamp_token = %s WHERE id = %s',
        [bytes(second.timestamp_token), first.pk],
        tables=["ledger_checkpoint"],
    )

    code, document = run_verify()

    assert code == 1
    # The row's token stamps another note, and no longer equals its off-site copy.
    [in_row, off_site] = document["findings"]
    assert (in_row["kind"], in_row["id"]) == ("timestamp_invalid", first.pk)
    assert "不是检查点签名文本的 sha256" in in_row["detail"]
    assert (off_site["kind"], off_site["id"]) == ("timestamp_invalid", first.pk)
    assert "the token in the database and its off-site copy differ" in off_site["detail"]


def test_a_missing_key_file_means_verify_cannot_run(published: tuple[World, Case]) -> None:
    key_path(published[0].lc.code).unlink()
    public_key_path(published[0].lc.code).unlink()

    code, document = run_verify()

    assert (code, document) == (2, {})


def test_an_auditor_needs_only_the_public_keys(published: tuple[World, Case]) -> None:
    """GIVEN a key folder holding only the exported `.pub` files (no signing key)
    THEN verify runs, and a forged signature is still found."""
    world, _ = published
    for agency in (world.lc, world.xl):
        key_path(agency.code).unlink()
        assert public_key_path(agency.code).is_file()

    assert run_verify()[0] == 0
    assert not key_path(world.lc.code).exists()


def test_agencies_can_be_verified_alone(published: tuple[World, Case]) -> None:
    world, case = published
    party = Party.objects.get(case=case)
    raw(
        'UPDATE "cases_party" SET name = %s WHERE id = %s', ["假", party.pk], tables=["cases_party"]
    )

    assert run_verify("--agency", world.xl.code)[0] == 0
    assert run_verify("--agency", world.lc.short_name)[0] == 1
    assert run_verify("--agency", "no-such-agency")[0] == 2


def test_files_are_checked_by_the_registered_checks(
    published: tuple[World, Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    call_command("verify", "--files", stdout=out, stderr=io.StringIO())
    assert "0 files checked" in out.getvalue()

    broken = verify.Finding("file_altered", "evidence_blob", 7, None, "blob 7 re-hashes to …")
    monkeypatch.setattr(verify, "FILE_CHECKS", [lambda: verify.FileScan([broken], 3)])
    code, document = run_verify("--files")
    assert code == 1
    assert document["counts"]["files_checked"] == 3
    assert document["findings"] == [broken.to_json()]
    assert run_verify()[0] == 0


def test_entries_recording_no_rows_take_the_shortcut_and_are_still_checked(
    world: World,
) -> None:
    """GIVEN acts that record no rows (read without parsing) WHEN a column of one is edited
    THEN it is still named: the shortcut only accepts a payload its columns agree with."""
    case = open_case(world)
    with transaction.atomic():
        viewed = append_entry(
            agency=world.lc, action="case.view", actor=world.li.user, case=case, facts={"n": 1}
        )
        automatic = append_entry(agency=world.lc, action="ledger.tick", actor=None)
    publish(log_of(world.lc))
    assert run_verify()[0] == 0

    with tampering("ledger_ledgerentry") as cursor:
        cursor.execute(
            'UPDATE "ledger_ledgerentry" SET actor_id = %s WHERE id = %s',
            [world.zhang.user.pk, viewed.pk],
        )
        cursor.execute(
            'UPDATE "ledger_ledgerentry" SET recorded_at = %s WHERE id = %s',
            [connection.ops.adapt_datetimefield_value(clock.now()), automatic.pk],
        )

    code, document = run_verify()

    assert code == 1
    altered = {f["id"]: f for f in found(document, "entry_altered")}
    assert set(altered) == {viewed.pk, automatic.pk}
    assert "actor: payload" in altered[viewed.pk]["detail"]
    assert "at: payload" in altered[automatic.pk]["detail"]
    assert altered[viewed.pk]["ledger_index"] == leaf_index(viewed)


def test_a_stored_subtree_hash_is_named_once(published: tuple[World, Case]) -> None:
    """GIVEN a stored hash of leaves 4..7 overwritten WHEN verify runs THEN that position is
    named, not its ancestors; a stored leaf hash overwritten names the leaf."""
    world, _case = published
    subtree = tree.stored_hash_index(2, 1)
    leaf = tree.stored_hash_index(0, 9)
    with tampering("ledger_ledgerhash") as cursor:
        for position in (subtree, leaf):
            cursor.execute(
                'UPDATE "ledger_ledgerhash" SET value = %s WHERE agency_id = %s AND position = %s',
                [bytes(32), world.lc.pk, position],
            )

    code, document = run_verify()

    assert code == 1
    [mismatch] = found(document, "stored_hash_mismatch")
    assert (mismatch["table"], mismatch["id"], mismatch["ledger_index"]) == (
        "ledger_ledgerhash",
        subtree,
        4,
    )
    [leaf_finding] = found(document, "leaf_mismatch")
    assert leaf_finding["ledger_index"] == 9
    assert kinds(document) == {"stored_hash_mismatch", "leaf_mismatch"}


def test_a_leaf_inserted_beyond_the_log(published: tuple[World, Case]) -> None:
    world, _case = published
    waiting = open_entry(open_case(world, cause="迟报统计资料"))
    size = LogHead.objects.get(agency=world.lc).size
    raw(
        'INSERT INTO "ledger_ledgerleaf" (agency_id, "index", entry_id) VALUES (%s, %s, %s)',
        [world.lc.pk, size + 3, waiting.pk],
    )
    inserted = LedgerLeaf.objects.get(entry=waiting)

    code, document = run_verify()

    assert code == 1
    [extra] = document["findings"]
    assert (extra["kind"], extra["table"], extra["id"], extra["ledger_index"]) == (
        "leaf_extra",
        "ledger_ledgerleaf",
        inserted.pk,
        size + 3,
    )
    assert f"entry {waiting.pk}" in extra["detail"]


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 8, 13, 31, 32, 33, 100])
def test_grow_writes_what_the_integrator_writes(size: int) -> None:
    """The verifier's binary counter stores the same hashes and heads as `tree.py`."""
    leaves = [leaf_hash(str(i).encode()) for i in range(size)]
    for split in sorted({0, size // 3, size // 2, size}):
        store = tree.MemoryStore()
        store.append_leaf_hashes(leaves[:split])
        expected = tree.append_leaves(split, leaves[split:], store)
        frontier: list[bytes] = []
        grow(frontier, 0, leaves[:split], hashlib.sha256)
        stored, roots = grow(frontier, split, leaves[split:], hashlib.sha256, range(size + 1))
        assert stored == expected
        for cut, root in roots.items():
            assert root == root_from_leaf_hashes(leaves[:cut])
        assert sorted(roots) == list(range(split + 1, size + 1))
        assert fold(frontier, hashlib.sha256) == root_from_leaf_hashes(leaves)


@pytest.mark.parametrize(
    ("at", "at_text"),
    [
        ("2026-01-02T03:04:05.123456+00:00", "2026-01-02 03:04:05.123456+00"),
        ("2026-01-02T03:04:05.123456+00:00", "2026-01-02 03:04:05.123456"),
        ("2026-01-02T03:04:05.120000+00:00", "2026-01-02 03:04:05.12+00"),
        ("2026-01-02T03:04:05+00:00", "2026-01-02 03:04:05+00"),
    ],
)
@pytest.mark.parametrize("actor", [None, {"name": "李娜", "user_id": 3, "username": "li"}])
def test_the_shortcut_reads_what_append_entry_writes(
    at: str, at_text: str, actor: dict[str, Any] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A payload recording no rows is checked without parsing it, and only if its columns agree;
    otherwise it is parsed, and the disagreement named."""
    document: dict[str, Any] = {
        "v": 1,
        "agency": 1,
        "action": "case.view",
        "actor": actor,
        "at": at,
        "case": 7,
        "case_number": "栾统立〔2026〕7号",
        "facts": {"agency": 2, "note": '"case":8'},
        "records": [],
        "previous": None,
    }
    payload = canonical_json(document).decode("utf-8")
    user = None if actor is None else actor["user_id"]
    row = (5, 7, "case.view", user, at_text, payload, leaf_hash(payload.encode()).hex(), "")
    checker = EntryChecker(sha256, agency_id=1)
    with monkeypatch.context() as patched:
        patched.setattr(EntryChecker, "_parse", lambda self, row: pytest.fail("parsed"))
        assert checker.check(row) == leaf_hash(payload.encode())

    for changed in ((5, 8, *row[2:]), (5, 7, "case.edit", *row[3:]), (*row[:3], 4, *row[4:])):
        checker = EntryChecker(sha256, agency_id=1)
        checker.check(changed)
        [(entry_id, why)] = checker.problems
        assert entry_id == 5
        assert "its payload disagrees with its columns" in why
    elsewhere = EntryChecker(sha256, agency_id=2)
    elsewhere.check(row)
    assert len(elsewhere.problems) == 1


def test_a_clean_world_verifies_with_sm3(db: None, settings: Settings) -> None:
    """GIVEN a ledger hashed with SM3 (GB/T 32905) THEN verify recomputes it with SM3."""
    settings.CASETRAIL_LEDGER_HASH = "sm3"
    world = build_world()
    open_case(world)
    publish(log_of(world.lc))
    entry = LedgerEntry.objects.filter(agency=world.lc).order_by("-id").first()
    assert entry is not None
    assert entry.leaf_hash == hashlib.new("sm3", b"\x00" + entry.payload.encode()).hexdigest()

    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


def test_read_ahead_yields_every_row_in_order() -> None:
    assert list(read_ahead(iter(range(25)), 4, threaded=True)) == list(range(25))
    assert list(read_ahead(iter(range(3)), 4, threaded=True)) == [0, 1, 2]


def test_read_ahead_hands_over_the_helpers_error() -> None:
    def rows() -> Iterator[int]:
        yield from range(9)
        raise DatabaseError("the server went away")

    with pytest.raises(DatabaseError, match="went away"):
        list(read_ahead(rows(), 2, threaded=True))


def test_read_ahead_stops_its_helper_when_left_early() -> None:
    ahead = read_ahead(iter(range(100_000)), 10, threaded=True)
    assert next(ahead) == 0
    ahead.close()
    assert not [t for t in threading.enumerate() if t.name == "casetrail-verify-read-ahead"]


def test_a_run_of_deleted_stored_hashes_is_one_finding(published: tuple[World, Case]) -> None:
    world, _case = published
    raw(
        'DELETE FROM "ledger_ledgerhash" WHERE agency_id = %s AND position BETWEEN 10 AND 12',
        [world.lc.pk],
        tables=["ledger_ledgerhash"],
    )

    code, document = run_verify()

    assert code == 1
    [missing] = document["findings"]
    level, k = tree.split_stored_hash_index(10)
    assert (missing["kind"], missing["id"], missing["ledger_index"]) == (
        "stored_hash_missing",
        10,
        k << level,
    )
    assert "positions 10..12" in missing["detail"]
