"""Entry tags (issue 14, item 4): an entry written without the application's entry key is never
integrated, and `casetrail verify` names it (`entry_forged`).

The attacker of these tests holds the database but not the key file: the insert-only triggers
let them INSERT, so they can write a domain row and a ledger entry recording it, with a payload,
columns and leaf hash all as the application would write them. Only the tag gives them away.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.models import Case, Party
from casetrail.ledger import tree
from casetrail.ledger.append import actor_json
from casetrail.ledger.checkpoints import AgencyLog, publish
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.entry_tags import (
    KEY_SIZE,
    EntryKeyError,
    entry_key,
    entry_key_path,
    entry_tag,
    tag_is_valid,
)
from casetrail.ledger.guards import install_guards
from casetrail.ledger.integrate import DbHashStore, integrate_all
from casetrail.ledger.merkle import sha256
from casetrail.ledger.models import Checkpoint, LedgerEntry, LedgerLeaf, LogHead
from casetrail.ledger.records import record_ref
from tests.dbowner import two_roles
from tests.ledger.tamper import forge_entry, raw, tampering
from tests.personas import World, open_case

Document = dict[str, Any]


@pytest.fixture(autouse=True)
def ledger_dirs(settings: Settings, tmp_path: Path) -> Path:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite"
    settings.CASETRAIL_TSA_URL = ""
    return tmp_path


def run_verify() -> tuple[int, Document]:
    out = io.StringIO()
    try:
        call_command("verify", "--json", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, json.loads(out.getvalue()) if out.getvalue() else {}
    return 0, json.loads(out.getvalue())


def kinds(document: Document) -> set[str]:
    return {finding["kind"] for finding in document["findings"]}


def lc_log(world: World) -> AgencyLog:
    return AgencyLog(world.lc.pk, world.lc.code)


def forge_act(world: World, case: Case, *, tag: str) -> tuple[Party, int]:
    """A forged act: a party added to *case* by a raw INSERT, and the ledger entry that records
    it exactly as `append_entry` would (payload, columns, leaf hash), but with *tag*."""
    recorded_at = clock.now()
    raw(
        'INSERT INTO "cases_party" (case_id, kind, name, sex, id_type, id_number, uscc, '
        "legal_representative, address, phone, supersedes_id, recorded_at) "
        "VALUES (%s, 'person', '补录的当事人', 'male', '', '', '', '', '某地', '', NULL, %s)",
        [case.pk, connection.ops.adapt_datetimefield_value(recorded_at)],
    )
    party = Party.objects.get(name="补录的当事人")
    document = {
        "v": 1,
        "agency": world.lc.pk,
        "action": "case.party_added",
        "actor": actor_json(world.zhang.user),
        "at": recorded_at.isoformat(),
        "case": case.pk,
        "case_number": case.case_number,
        "facts": {"party": party.name},
        "records": [record_ref(party)],
        "previous": None,
    }
    return party, forge_entry(document, tag=tag)


@pytest.mark.parametrize(
    "tag", ["", "guessed", secrets.token_hex(32)], ids=["empty", "guessed", "random"]
)
def test_a_forged_act_with_its_own_entry_is_never_integrated(world: World, tag: str) -> None:
    """GIVEN a published case WHEN someone with the database but not the key adds a party and an
    entry recording it THEN the integrator refuses the entry (while it places the acts around
    it), no checkpoint covers it, and verify exits 1 naming the entry and the party's row."""
    case = open_case(world)
    publish(lc_log(world))
    party, forged = forge_act(world, case, tag=tag)
    later = open_case(world, cause="拒绝提供统计资料")  # its integration passes the forged entry
    integrate_all(world.lc.pk)  # and so does the worker's
    checkpoint = publish(lc_log(world))

    assert not LedgerLeaf.objects.filter(entry_id=forged).exists()
    placed = LedgerLeaf.objects.filter(agency_id=world.lc.pk).count()
    assert LogHead.objects.get(agency=world.lc).size == placed
    assert placed == LedgerEntry.objects.filter(agency=world.lc).count() - 1
    assert LedgerLeaf.objects.filter(entry__case=later).exists()
    assert checkpoint is not None
    assert checkpoint.size == placed

    code, document = run_verify()

    assert code == 1
    assert kinds(document) == {"entry_forged", "row_unledgered"}
    by_kind = {finding["kind"]: finding for finding in document["findings"]}
    named = by_kind["entry_forged"]
    assert (named["table"], named["id"], named["ledger_index"]) == (
        "ledger_ledgerentry",
        forged,
        None,
    )
    assert f"entry {forged} of agency {world.lc.pk}" in named["detail"]
    assert "the integrator refuses to place it" in named["detail"]
    row = by_kind["row_unledgered"]
    assert (row["table"], row["id"]) == ("cases_party", party.pk)
    waiting = LedgerEntry.objects.filter(leaf__isnull=True).exclude(pk=forged)
    assert document["counts"]["pending"] == waiting.count()  # the forged one is not waiting


def test_a_forged_entry_the_integrator_passed_is_forged_not_cut(world: World) -> None:
    """An entry refused and passed by the integrator is below the floor at no leaf: it is
    reported as forged, not as an entry cut from the log."""
    case = open_case(world)
    _party, forged = forge_act(world, case, tag="")
    integrate_all(world.lc.pk)
    open_case(world, cause="迟报统计资料")
    integrate_all(world.lc.pk)

    code, document = run_verify()

    assert code == 1
    assert "entry_unintegrated" not in kinds(document)
    assert [f["id"] for f in document["findings"] if f["kind"] == "entry_forged"] == [forged]


def test_a_bad_tag_on_an_integrated_entry_is_found(world: World) -> None:
    """GIVEN published entries WHEN one entry's tag is changed THEN entry_forged at its leaf,
    and the rows it records count as recorded by no entry: a forged entry vouches for none."""
    case = open_case(world)
    publish(lc_log(world))
    entry = LedgerEntry.objects.get(case=case, action="case.open")
    index = LedgerLeaf.objects.get(entry=entry).index
    raw(
        'UPDATE "ledger_ledgerentry" SET tag = %s WHERE id = %s',
        [secrets.token_hex(32), entry.pk],
        tables=["ledger_ledgerentry"],
    )

    code, document = run_verify()

    assert code == 1
    [finding] = [f for f in document["findings"] if f["kind"] == "entry_forged"]
    assert (finding["id"], finding["ledger_index"]) == (entry.pk, index)
    assert f"(leaf {index})" in finding["detail"]
    recorded = {(ref["table"], ref["id"]) for ref in json.loads(entry.payload)["records"]}
    rows = {(f["table"], f["id"]) for f in document["findings"] if f is not finding}
    assert rows == recorded
    assert kinds(document) == {"entry_forged", "row_unledgered"}


def test_a_rehashed_entry_without_the_key_is_forged(world: World) -> None:
    """A payload rewritten with its leaf hash recomputed, by someone without the key: besides
    the tree's own findings, verify names the entry as forged (its old tag no longer fits)."""
    case = open_case(world)
    publish(lc_log(world))
    entry = LedgerEntry.objects.get(case=case, action="case.open")
    payload = entry.payload.replace("提供不真实统计资料", "无违法行为")
    new_hash = hashlib.sha256(b"\x00" + payload.encode()).hexdigest()
    raw(
        'UPDATE "ledger_ledgerentry" SET payload = %s, leaf_hash = %s WHERE id = %s',
        [payload, new_hash, entry.pk],
        tables=["ledger_ledgerentry"],
    )

    code, document = run_verify()

    assert code == 1
    forged = [f for f in document["findings"] if f["kind"] == "entry_forged"]
    assert [(f["id"], f["ledger_index"]) for f in forged] == [
        (entry.pk, LedgerLeaf.objects.get(entry=entry).index)
    ]


def test_clean_data_verifies_with_every_tag_checked(world: World) -> None:
    open_case(world)
    publish(lc_log(world))
    open_case(world, cause="迟报统计资料")  # one more, maybe pending

    code, document = run_verify()

    assert (code, document["findings"], document["notes"]) == (0, [], [])
    assert document["counts"]["tags_checked"] == LedgerEntry.objects.count()


def test_without_the_key_verify_says_it_did_not_check_tags(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    """An outside auditor's verify (no key file) proves the rest, says what it could not, and
    never makes a key of its own."""
    open_case(world)
    publish(lc_log(world))
    settings.CASETRAIL_ENTRY_KEY_FILE = tmp_path / "elsewhere" / "entry-tag.key"

    code, document = run_verify()

    assert (code, document["findings"]) == (0, [])
    assert document["counts"]["tags_checked"] == 0
    [note] = document["notes"]
    assert "未核验条目标签" in note
    assert str(tmp_path / "elsewhere" / "entry-tag.key") in note
    assert not (tmp_path / "elsewhere").exists()
    out = io.StringIO()
    call_command("verify", stdout=out, stderr=io.StringIO())
    assert "说明 (notes):" in out.getvalue()
    assert "条目标签 (entry tags): 0" in out.getvalue()


def test_the_key_is_made_on_first_use_private_to_the_app(
    settings: Settings, tmp_path: Path
) -> None:
    settings.CASETRAIL_ENTRY_KEY_FILE = None
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    key = entry_key()
    path = entry_key_path()
    assert path == tmp_path / "keys" / "entry-tag.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    assert len(key) == KEY_SIZE
    assert bytes.fromhex(path.read_text(encoding="ascii")) == key
    entry_key.cache_clear()
    assert entry_key() == key  # read again, not made anew


def test_a_key_others_can_read_is_refused(world: World, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "loose.key"
    path.write_text(secrets.token_hex(KEY_SIZE), encoding="ascii")
    path.chmod(0o644)
    settings.CASETRAIL_ENTRY_KEY_FILE = path
    with pytest.raises(EntryKeyError, match="0644"):
        entry_key()
    code, _document = run_verify()
    assert code == 2


@pytest.mark.parametrize(("hash_name", "digest"), [("sha256", "sha256"), ("sm3", "sm3")])
def test_the_tag_is_an_hmac_with_the_ledger_hash(
    world: World, settings: Settings, hash_name: str, digest: str
) -> None:
    """The tag an act's entry carries is HMAC(key, leaf hash) with the ledger's own hash."""
    settings.CASETRAIL_LEDGER_HASH = hash_name
    case = open_case(world)
    entry = LedgerEntry.objects.get(case=case, action="case.open")
    leaf = bytes.fromhex(entry.leaf_hash)
    expected = hmac.new(entry_key(), leaf, lambda: hashlib.new(digest)).hexdigest()
    assert entry.tag == expected == entry_tag(leaf, entry_key(), ledger_hash())
    assert entry_tag(leaf, entry_key(), sha256) != entry_tag(leaf, secrets.token_bytes(32), sha256)


@pytest.mark.django_db(transaction=True)
def test_migration_0005_tags_the_entries_recorded_before_it(world: World) -> None:
    """GIVEN a database at ledger 0004 with recorded entries WHEN 0005 runs THEN each entry
    carries the tag the entry key makes for its leaf hash, past the insert-only trigger, and the
    trigger guards the table again. Migrating is the owner's act: with two roles (the
    PostgreSQL CI run) the app role may not, so this runs on SQLite and one-role PostgreSQL."""
    if two_roles():
        pytest.skip("migrating needs the owner role; the app role of the two-role run may not")
    executor = MigrationExecutor(connection)
    leaf = hashlib.sha256(b'\x00{"before":"tags"}').digest()
    executor.migrate([("ledger", "0004_guards_without_bypass")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO "ledger_ledgerentry" (agency_id, case_id, action, actor_id, '
                "recorded_at, payload, leaf_hash) VALUES (%s, NULL, 'legacy', NULL, %s, %s, %s)",
                [
                    world.lc.pk,
                    connection.ops.adapt_datetimefield_value(clock.now()),
                    '{"before":"tags"}',
                    leaf.hex(),
                ],
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        install_guards(connection)  # as `migrate` does after every run (post_migrate)

    legacy = LedgerEntry.objects.get(action="legacy")
    assert legacy.tag == entry_tag(leaf, entry_key(), sha256)
    assert all(
        tag_is_valid(tag, bytes.fromhex(value), entry_key(), sha256)
        for value, tag in LedgerEntry.objects.values_list("leaf_hash", "tag")
    )
    refused = pytest.raises(DatabaseError, match="insert-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('UPDATE "ledger_ledgerentry" SET tag = %s WHERE id = %s', ["", legacy.pk])


def test_leaves_written_past_the_integrator_are_never_signed(world: World) -> None:
    """GIVEN a forged entry WHEN the attacker places it by hand (its leaf, the stored hashes and
    the log head, all consistent) THEN the publisher signs no checkpoint over it, and verify
    names it at its leaf."""
    case = open_case(world)
    first = publish(lc_log(world))
    assert first is not None
    _party, forged = forge_act(world, case, tag="")
    head = LogHead.objects.get(agency=world.lc)
    leaf = bytes.fromhex(LedgerEntry.objects.get(pk=forged).leaf_hash)
    stored = tree.append_leaves(head.size, [leaf], DbHashStore(world.lc.pk), ledger_hash())
    first_position = tree.stored_hash_count(head.size)
    with tampering() as cursor:
        cursor.execute(
            'INSERT INTO "ledger_ledgerleaf" (agency_id, "index", entry_id) VALUES (%s, %s, %s)',
            [world.lc.pk, head.size, forged],
        )
        for offset, value in enumerate(stored):
            cursor.execute(
                'INSERT INTO "ledger_ledgerhash" (agency_id, position, value) VALUES (%s, %s, %s)',
                [world.lc.pk, first_position + offset, value],
            )
        cursor.execute(
            'UPDATE "ledger_loghead" SET size = %s WHERE agency_id = %s',
            [head.size + 1, world.lc.pk],
        )

    assert publish(lc_log(world)) is None
    assert Checkpoint.objects.filter(agency=world.lc).count() == 1

    code, document = run_verify()

    assert code == 1
    [named] = [f for f in document["findings"] if f["kind"] == "entry_forged"]
    assert (named["id"], named["ledger_index"]) == (forged, head.size)
