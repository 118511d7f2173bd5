"""A forged replica row makes `replicate` skip nothing (issue 14, item 5).

GIVEN `replicate` skips what `Replica` and `CheckpointReplica` rows say is already copied, WHEN
someone with table access inserts such a row for a file or checkpoint that was never copied,
THEN the next run copies it anyway (a row counts only while its run still matches its ledger
entry, `evidence/replica_trust.py`) and `verify` names the run whose copies were tampered with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings

from casetrail.cases.models import Case
from casetrail.evidence.blobstore import LocalBlobStore
from casetrail.evidence.models import BackupRun, Blob, CheckpointReplica, Replica
from casetrail.ledger.checkpoints import publish
from casetrail.ledger.models import Checkpoint
from casetrail.ledger.selectors import agency_log
from tests.evidence.av import MP4_NAME, register, store_bytes, unique_mp4
from tests.evidence.backup_world import case_with_recording, run, the_replica, use_stores
from tests.ledger.forgery import located, run_verify
from tests.ledger.tamper import raw
from tests.personas import World


@pytest.fixture(autouse=True)
def primary(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite-notes"
    settings.CASETRAIL_TSA_URL = ""
    return use_stores(settings, tmp_path)


@pytest.fixture
def case(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    return case_with_recording(world, monkeypatch)


def first_run() -> BackupRun:
    result = run("replicate")
    assert result.code == 0, result.err
    return BackupRun.objects.get()


def forge_replica(run_id: int | None, blob: Blob, target: str) -> None:
    raw(
        "INSERT INTO evidence_replica (run_id, blob_id, target, verified_sha256, copied_at) "
        "VALUES (%s, %s, %s, %s, %s)",
        [run_id, blob.pk, target, blob.sha256, "2026-09-30 03:00:00+00:00"],
    )


def test_replicated_copies_verify_clean(world: World, case: Case) -> None:
    publish(agency_log(world.lc))
    first_run()
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


@pytest.mark.parametrize("attach", [True, False], ids=["under-a-real-run", "without-a-run"])
def test_a_forged_replica_row_does_not_make_replicate_skip_a_file(
    world: World, case: Case, attach: bool
) -> None:
    offsite = the_replica()
    earlier = first_run()
    blob = register(world, case, store_bytes(unique_mp4("never-copied"), MP4_NAME)).blob
    forge_replica(earlier.pk if attach else None, blob, offsite.name)
    assert not offsite.exists(blob.sha256)

    result = run("replicate")

    assert result.code == 0, result.err
    assert offsite.digest(blob.sha256).sha256 == blob.sha256
    latest = BackupRun.objects.order_by("-pk").first()
    assert latest is not None
    assert latest.blobs_copied == 1
    assert Replica.objects.filter(run=latest, blob=blob).exists()
    if attach:
        code, document = run_verify()
        assert code == 1
        assert [f["id"] for f in located(document, "row_altered", "evidence_backuprun")] == [
            earlier.pk
        ]


def test_a_forged_checkpoint_replica_row_does_not_make_replicate_skip_it(
    world: World, case: Case
) -> None:
    offsite = the_replica()
    earlier = first_run()
    checkpoint = publish(agency_log(world.lc))
    assert isinstance(checkpoint, Checkpoint)
    raw(
        "INSERT INTO evidence_checkpointreplica (run_id, checkpoint_id, target, note_key, "
        "note_sha256, token_sha256, copied_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [earlier.pk, checkpoint.pk, offsite.name, "forged", "0" * 64, "", "2026-09-30 03:00Z"],
    )

    result = run("replicate")

    assert result.code == 0, result.err
    latest = BackupRun.objects.order_by("-pk").first()
    assert latest is not None
    assert latest.checkpoints_copied == 1
    assert CheckpointReplica.objects.filter(run=latest, checkpoint=checkpoint).exists()


def test_a_removed_replica_row_is_found(world: World, case: Case) -> None:
    earlier = first_run()
    copy = Replica.objects.get(run=earlier)
    raw("DELETE FROM evidence_replica WHERE id = %s", [copy.pk], tables=["evidence_replica"])
    code, document = run_verify()
    assert code == 1
    assert [f["id"] for f in located(document, "row_altered", "evidence_backuprun")] == [earlier.pk]
