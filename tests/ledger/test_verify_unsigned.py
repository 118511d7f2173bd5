"""Leaves no surviving signature covers, and the auditor's own keys and checkpoints (#14 item 3).

`verify` must never call intact leaves that no checkpoint signs once they are older than the
publishing interval plus the grace period (`casetrail/ledger/verify_coverage.py`), and an
auditor's copies of the keys and of the off-site notes take precedence over the local ones
(`casetrail/ledger/verify_sources.py`).
"""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.models import Case
from casetrail.ledger.checkpoints import publish, signer
from casetrail.ledger.config import key_path, public_key_path
from casetrail.ledger.integrate import integrate_all
from casetrail.ledger.models import Checkpoint, LedgerLeaf, LogHead
from casetrail.ledger.note import sign_note
from tests.ledger.tamper import raw, tampering
from tests.ledger.test_verify import found, kinds, log_of, run_verify
from tests.personas import World, open_case


@pytest.fixture(autouse=True)
def ledger_dirs(settings: Settings, tmp_path: Path) -> Path:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite"
    settings.CASETRAIL_TSA_URL = ""
    settings.CASETRAIL_CHECKPOINT_SECONDS = 300
    settings.CASETRAIL_UNSIGNED_GRACE_SECONDS = 3600
    return tmp_path


@pytest.fixture
def published(world: World) -> tuple[World, Case]:
    """Two cases of 栾统, each published in its own checkpoint; 兴统 published once."""
    first = open_case(world)
    publish(log_of(world.lc))
    open_case(world, cause="拒绝提供统计资料")
    publish(log_of(world.lc))
    publish(log_of(world.xl))
    return world, first


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Move the application's clock *seconds* past the real now."""
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    monkeypatch.setattr(clock, "now", lambda: moment)


PAST_GRACE = 300 + 3600 + 60
WITHIN_GRACE = 300 + 3600 - 120


def delete_checkpoints(*checkpoints: Checkpoint) -> None:
    """Remove checkpoint rows and their off-site copies (note and token), as an attacker would."""
    for checkpoint in checkpoints:
        raw(
            'DELETE FROM "ledger_checkpoint" WHERE id = %s',
            [checkpoint.pk],
            tables=["ledger_checkpoint"],
        )
        copy = Path(checkpoint.offsite_copy)
        copy.unlink()
        copy.with_suffix(".tsr").unlink(missing_ok=True)


def leaf_at(world: World, index: int) -> LedgerLeaf:
    return LedgerLeaf.objects.get(agency=world.lc, index=index)


def test_an_agency_whose_checkpoints_were_all_removed(
    published: tuple[World, Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN every checkpoint row and every off-site copy of 栾统 deleted WHEN verify runs past
    the interval plus the grace period THEN it exits 1 with `no_checkpoint` at leaf 0."""
    world, _case = published
    delete_checkpoints(*Checkpoint.objects.filter(agency=world.lc))
    assert run_verify()[0] == 0, "within the grace period the leaves may still await signing"
    later(monkeypatch, PAST_GRACE)

    code, document = run_verify()

    assert code == 1
    [missing] = document["findings"]
    size = LogHead.objects.get(agency=world.lc).size
    assert (missing["kind"], missing["table"], missing["id"], missing["ledger_index"]) == (
        "no_checkpoint",
        "ledger_ledgerleaf",
        leaf_at(world, 0).pk,
        0,
    )
    assert f"leaves 0..{size - 1}" in missing["detail"]
    assert "1 h 6 min old" in missing["detail"]
    [status] = [log for log in document["logs"] if log["agency"] == world.lc.code]
    assert status == {"agency": world.lc.code, "size": size, "signed_size": 0, "signed_at": None}


def test_the_newest_checkpoint_removed_unpublishes_its_leaves(
    published: tuple[World, Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the newest checkpoint row and its off-site copy deleted THEN the leaves above the
    previous checkpoint are `unsigned_leaves`, located at the first of them."""
    world, _case = published
    first, newest = Checkpoint.objects.filter(agency=world.lc).order_by("size")
    delete_checkpoints(newest)
    later(monkeypatch, PAST_GRACE)

    code, document = run_verify()

    assert code == 1
    [unsigned] = document["findings"]
    assert (unsigned["kind"], unsigned["id"], unsigned["ledger_index"]) == (
        "unsigned_leaves",
        leaf_at(world, first.size).pk,
        first.size,
    )
    assert f"leaves {first.size}..{newest.size - 1}" in unsigned["detail"]
    assert f"the newest signed checkpoint is size {first.size}" in unsigned["detail"]
    [status] = [log for log in document["logs"] if log["agency"] == world.lc.code]
    assert (status["size"], status["signed_size"]) == (newest.size, first.size)
    assert status["signed_at"] == first.published_at.astimezone().isoformat(timespec="seconds")


def test_fresh_leaves_within_the_grace_period_are_no_finding(
    published: tuple[World, Case], monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """GIVEN a case opened after the last checkpoint THEN verify exits 0 until the interval plus
    the grace period has passed, then reports those leaves; the grace period is a setting."""
    world, _case = published
    signed = LogHead.objects.get(agency=world.lc).size
    open_case(world, cause="迟报统计资料")
    integrate_all(world.lc.pk)
    later(monkeypatch, WITHIN_GRACE)
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])
    [status] = [log for log in document["logs"] if log["agency"] == world.lc.code]
    assert status["signed_size"] == signed < status["size"]

    settings.CASETRAIL_UNSIGNED_GRACE_SECONDS = 60
    code, document = run_verify()
    assert code == 1
    assert [(f["kind"], f["ledger_index"]) for f in document["findings"]] == [
        ("unsigned_leaves", signed)
    ]

    settings.CASETRAIL_UNSIGNED_GRACE_SECONDS = 3600
    publish(log_of(world.lc))
    assert run_verify()[0] == 0


def test_a_checkpoint_only_off_site_still_covers_its_leaves(
    published: tuple[World, Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the newest row deleted but its off-site copy kept THEN the copy still signs the
    leaves: the finding is the missing row, not unsigned leaves."""
    world, _case = published
    newest = Checkpoint.objects.filter(agency=world.lc).order_by("size").last()
    assert newest is not None
    raw('DELETE FROM "ledger_checkpoint" WHERE id = %s', [newest.pk], tables=["ledger_checkpoint"])
    later(monkeypatch, PAST_GRACE)

    code, document = run_verify()

    assert code == 1
    assert kinds(document) == {"checkpoint_missing"}


def test_the_human_report_shows_what_is_signed(published: tuple[World, Case]) -> None:
    world, _case = published
    newest = Checkpoint.objects.filter(agency=world.lc).order_by("size").last()
    assert newest is not None
    out = io.StringIO()
    call_command("verify", stdout=out, stderr=io.StringIO())
    when = newest.published_at.astimezone().isoformat(timespec="seconds")
    assert (
        f"{world.lc.code}: 叶子 {newest.size}，最新签名覆盖 {newest.size} (signed size)，"
        f"签名时间 {when}" in out.getvalue()
    )
    assert "采信的副本 (trusted copies): keys: local, checkpoints: local" in out.getvalue()


def replace_local_key_and_resign(world: World) -> None:
    """An attacker with the server: a key of their own in the key folder, every database
    checkpoint of 栾统 re-signed with it (the off-site copies keep the genuine signature)."""
    log = log_of(world.lc)
    key_path(world.lc.code).unlink()
    public_key_path(world.lc.code).unlink()
    forger = signer(log)
    with tampering("ledger_checkpoint") as cursor:
        for checkpoint in Checkpoint.objects.filter(agency=world.lc):
            text = checkpoint.note[: checkpoint.note.rfind("\n\n") + 1]
            cursor.execute(
                'UPDATE "ledger_checkpoint" SET note = %s WHERE id = %s',
                [sign_note(text, forger), checkpoint.pk],
            )


def test_a_replaced_local_key_is_blamed_with_the_auditors_key(
    published: tuple[World, Case], tmp_path: Path
) -> None:
    """GIVEN the auditor's own copy of the public keys, and a replaced local `.pub` under which
    the database's checkpoints were re-signed WHEN verify runs with --keys THEN the findings name
    the local key and the database's checkpoints, not the genuine off-site copies."""
    world, _case = published
    auditor = tmp_path / "auditor-keys"
    auditor.mkdir()
    for agency in (world.lc, world.xl):
        shutil.copy(public_key_path(agency.code), auditor)
    replace_local_key_and_resign(world)
    rows = set(Checkpoint.objects.filter(agency=world.lc).values_list("pk", flat=True))

    code, misled = run_verify()
    assert code == 1
    assert kinds(misled) == {"offsite_signature_invalid"}, "the local key blames the copies"

    code, document = run_verify("--keys", str(auditor))

    assert code == 1
    assert document["trusted"] == {"keys": "auditor", "checkpoints": "local"}
    assert kinds(document) == {"public_key_replaced", "checkpoint_signature_invalid"}
    [replaced] = found(document, "public_key_replaced")
    assert (replaced["table"], replaced["id"]) == (
        "key_file",
        str(public_key_path(world.lc.code)),
    )
    assert {f["id"] for f in found(document, "checkpoint_signature_invalid")} == rows


def test_the_auditors_checkpoints_take_precedence(
    published: tuple[World, Case], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the auditor's own copy of the off-site notes WHEN the newest checkpoint is deleted
    with its local off-site copy THEN the auditor's copy still signs it and names the row as
    deleted; checkpoints newer than the auditor's copy are not expected in it."""
    world, _case = published
    auditor = tmp_path / "auditor-checkpoints"
    shutil.copytree(tmp_path / "offsite", auditor)
    open_case(world, cause="迟报统计资料")
    after_copy = publish(log_of(world.lc))
    assert after_copy is not None
    assert run_verify("--checkpoints", str(auditor))[0] == 0
    newest_copied = Checkpoint.objects.filter(agency=world.lc).order_by("size")[1]
    delete_checkpoints(newest_copied)
    later(monkeypatch, PAST_GRACE)

    code, document = run_verify("--checkpoints", str(auditor))

    assert code == 1
    assert document["trusted"] == {"keys": "local", "checkpoints": "auditor"}
    [missing] = document["findings"]
    assert missing["kind"] == "checkpoint_missing"
    assert str(auditor / world.lc.code) in missing["detail"]
    assert f"size {newest_copied.size}" in missing["detail"]


def test_an_auditors_folder_that_does_not_exist(published: tuple[World, Case]) -> None:
    assert run_verify("--keys", "/nonexistent/keys") == (2, {})
    assert run_verify("--checkpoints", "/nonexistent/checkpoints") == (2, {})
