"""`casetrail replicate` and `casetrail scrub` (Seed A art. 14 定期进行异地备份; REFERENCE rule 13;
DESIGN invariant 6): verified off-site copies of files and checkpoints, found and repaired
corruption, ledgered."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from pytest_django import Settings

from casetrail.cases.actions.backup import RepairRefused, do_repair_blob
from casetrail.cases.backup_run import BackupError, run_backup
from casetrail.cases.models import Case
from casetrail.evidence.blobstore import LocalBlobStore, S3BlobStore
from casetrail.evidence.hashing import hash_file
from casetrail.evidence.models import BackupRun, Blob, CheckpointReplica, Repair, Replica
from casetrail.evidence.offsite_copy import checkpoint_key, read_named
from casetrail.ledger.checkpoints import publish
from casetrail.ledger.models import Checkpoint, LedgerEntry
from casetrail.ledger.selectors import agency_log
from tests.evidence.av import register, store_bytes, unique_mp4
from tests.evidence.backup_world import (
    blob_of,
    case_with_recording,
    register_in_xl,
    run,
    the_replica,
    use_stores,
)
from tests.evidence.seaweed import Seaweed
from tests.evidence.test_local_store import flip_a_byte
from tests.personas import World


@pytest.fixture(autouse=True)
def primary(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    return use_stores(settings, tmp_path)


@pytest.fixture
def offsite() -> LocalBlobStore:
    return the_replica()


@pytest.fixture
def case(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    return case_with_recording(world, monkeypatch)


def records_of(entry: LedgerEntry) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(entry.payload)["records"]
    return records


def facts_of(entry: LedgerEntry) -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(entry.payload)["facts"]
    return facts


# --- replicate ------------------------------------------------------------------------------


def test_replicate_copies_files_and_checkpoints_to_a_folder_and_verifies_them(
    world: World, case: Case, primary: LocalBlobStore, offsite: LocalBlobStore
) -> None:
    """GIVEN recordings in two agencies and published checkpoints WHEN replicate runs THEN every
    file and checkpoint is in the second folder, verified, recorded and ledgered per agency;
    a second run copies nothing again."""
    register_in_xl(world, unique_mp4("backup-xl"))
    for agency in (world.lc, world.xl):
        publish(agency_log(agency))

    first = run("replicate")

    assert first.code == 0, first.err
    assert "异地备份成功" in first.out
    assert "文件 2/2" in first.err  # progress
    backup = BackupRun.objects.get()
    assert (backup.ok, backup.blobs_copied, backup.blobs_verified) == (True, 2, 2)
    assert backup.checkpoints_copied == Checkpoint.objects.count() == 2
    for blob in Blob.objects.all():
        assert offsite.digest(blob.sha256).sha256 == blob.sha256
        assert Replica.objects.get(blob=blob).target == offsite.name
    for checkpoint in Checkpoint.objects.all():
        code = world.lc.code if checkpoint.agency_id == world.lc.pk else world.xl.code
        name = f"checkpoints/{code}/checkpoint-{checkpoint.size:012d}.txt"
        assert (offsite.root / name).read_text(encoding="utf-8") == checkpoint.note
        copy = CheckpointReplica.objects.get(checkpoint=checkpoint)
        assert copy.note_sha256 == hashlib.sha256(checkpoint.note.encode()).hexdigest()
    entries = LedgerEntry.objects.filter(action="backup.run").order_by("agency_id")
    assert [e.agency_id for e in entries] == [world.lc.pk, world.xl.pk]
    assert records_of(entries[0]) == records_of(entries[1])
    assert [r["table"] for r in records_of(entries[0])] == ["evidence_backuprun"]

    again = run("replicate")
    assert again.code == 0, again.err
    latest = BackupRun.objects.order_by("-pk").first()
    assert latest is not None
    assert (latest.ok, latest.blobs_copied, latest.checkpoints_copied) == (True, 0, 0)
    assert Replica.objects.count() == 2


def test_replicate_to_a_seaweedfs_bucket(
    world: World, case: Case, seaweed: Seaweed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a real S3 server WHEN replicate --target s3://… THEN the file and the checkpoint
    are in the bucket (the checkpoint under its readable key) and the run is ok."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed.secret_key)
    bucket = seaweed.new_bucket()
    checkpoint = publish(agency_log(world.lc))
    assert checkpoint is not None

    result = run("replicate", "--target", seaweed.url(bucket))

    assert result.code == 0, result.err
    bucket_store = S3BlobStore(bucket, seaweed.client())
    blob = blob_of(case)
    assert bucket_store.digest(blob.sha256).sha256 == blob.sha256
    assert Replica.objects.get().target == f"s3://{bucket}"
    key = checkpoint_key(world.lc.code, checkpoint.size, ".txt")
    assert read_named(bucket_store, key) == checkpoint.note.encode()
    assert BackupRun.objects.get().ok


def test_a_copy_that_does_not_verify_fails_the_run(
    world: World, case: Case, offsite: LocalBlobStore
) -> None:
    """GIVEN the target already holds damaged bytes under a file's address WHEN replicate runs
    THEN that copy fails verification: exit 1 naming the file, the run recorded as failed,
    no Replica row for it (and the other file still copied)."""
    damaged = blob_of(case)
    register(world, case, store_bytes(unique_mp4("backup-2"), "second.mp4"))
    path = offsite.path(damaged.sha256)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"rotten")

    result = run("replicate")

    assert result.code == 1
    assert damaged.sha256 in result.err
    assert "异地备份未完成" in result.err
    backup = BackupRun.objects.get()
    assert not backup.ok
    assert damaged.sha256 in backup.detail
    assert not Replica.objects.filter(blob=damaged).exists()
    assert Replica.objects.count() == 1
    assert LedgerEntry.objects.filter(action="backup.run").count() == 2


def test_replicate_needs_a_target_other_than_the_primary(
    settings: Settings, case: Case, primary: LocalBlobStore
) -> None:
    settings.CASETRAIL_REPLICA_STORE = ""
    result = run("replicate")
    assert result.code == 2
    assert "CASETRAIL_REPLICA_STORE" in result.err
    assert run("replicate", "--target", "ftp://x").code == 2
    with pytest.raises(BackupError, match="就是主存储"):
        run_backup(primary)
    assert not BackupRun.objects.exists()


def test_an_interrupted_run_records_what_it_verified_as_failed(
    case: Case, offsite: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("casetrail.cases.backup_run._copy_checkpoints", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_backup(offsite)
    backup = BackupRun.objects.get()
    assert (backup.ok, backup.blobs_verified) == (False, 1)
    assert "中断" in backup.detail
    assert Replica.objects.count() == 1


# --- scrub and repair -----------------------------------------------------------------------


def test_scrub_finds_a_flipped_byte_and_names_the_file_and_its_case(
    case: Case, primary: LocalBlobStore
) -> None:
    blob = blob_of(case)
    assert run("scrub").code == 0
    flip_a_byte(primary.path(blob.sha256))

    result = run("scrub")

    assert result.code == 1
    assert f"文件 #{blob.pk} {blob.sha256}" in result.out
    assert "mismatch" in result.out
    assert case.case_number in result.out
    assert "--repair" in result.err
    assert not Repair.objects.exists()


def test_scrub_repair_restores_the_file_from_the_replica_and_ledgers_it(
    world: World, case: Case, primary: LocalBlobStore
) -> None:
    """GIVEN a replicated file WHEN a byte flips and scrub --repair runs THEN the file is the
    replica's verified copy again, the bad bytes are in quarantine, the repair is a `Repair`
    row ledgered as ``blob.repair`` in 栾统's log, and a second scrub is clean."""
    blob = blob_of(case)
    assert run("replicate").code == 0
    path = primary.path(blob.sha256)
    flip_a_byte(path)
    bad = path.read_bytes()

    result = run("scrub", "--repair")

    assert result.code == 0, result.err
    assert hash_file(path).sha256 == blob.sha256
    repair = Repair.objects.get()
    assert repair.detected_sha256 == hashlib.sha256(bad).hexdigest()
    assert Path(repair.quarantine_path).parent == primary.quarantine_dir
    assert Path(repair.quarantine_path).read_bytes() == bad
    entry = LedgerEntry.objects.get(action="blob.repair")
    assert entry.agency_id == world.lc.pk
    assert [(r["table"], r["id"]) for r in records_of(entry)] == [("evidence_repair", repair.pk)]
    assert facts_of(entry)["cases"] == [case.case_number]
    assert run("scrub").code == 0


def test_a_file_shared_by_two_agencies_is_repaired_once_and_ledgered_in_both(
    world: World, case: Case, primary: LocalBlobStore
) -> None:
    blob = blob_of(case)
    register_in_xl(world, unique_mp4("backup-1"))  # the same bytes, in 兴统
    assert run("replicate").code == 0
    primary.path(blob.sha256).unlink()  # lost altogether

    result = run("scrub", "--repair")

    assert result.code == 0, result.err
    repair = Repair.objects.get()
    assert (repair.detected_sha256, repair.quarantine_path) == ("", "")
    entries = LedgerEntry.objects.filter(action="blob.repair").order_by("agency_id")
    assert [e.agency_id for e in entries] == [world.lc.pk, world.xl.pk]
    assert all(facts_of(e)["problem"] == "missing" for e in entries)


def test_without_a_replica_scrub_repair_cannot_repair(
    settings: Settings, case: Case, primary: LocalBlobStore
) -> None:
    flip_a_byte(primary.path(blob_of(case).sha256))
    settings.CASETRAIL_REPLICA_STORE = ""
    result = run("scrub", "--repair")
    assert result.code == 1
    assert "未配置副本存储" in result.err
    assert not Repair.objects.exists()


def test_an_intact_file_is_never_replaced(
    case: Case, primary: LocalBlobStore, offsite: LocalBlobStore
) -> None:
    assert run("replicate").code == 0
    before = LedgerEntry.objects.count()
    with pytest.raises(RepairRefused, match="完好"):
        do_repair_blob(acting_user=None, blob=blob_of(case), local=primary, replica=offsite)
    assert not Repair.objects.exists()
    assert LedgerEntry.objects.count() == before


def test_a_sample_checks_only_that_many_files(world: World, case: Case) -> None:
    register(world, case, store_bytes(unique_mp4("backup-2"), "second.mp4"))
    result = run("scrub", "--sample", "1")
    assert result.code == 0
    assert "中的 1 个文件（共登记 2 个）" in result.err
    assert run("scrub", "--sample", "0").code == 1
