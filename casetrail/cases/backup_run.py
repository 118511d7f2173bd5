"""Off-site backup and repair, the Django glue (Seed A art. 14 定期进行异地备份; REFERENCE rule 13).

`run_backup(target)` is one run of `casetrail replicate`:

1. every `Blob` without a trusted `Replica` row for the target (one whose run still matches its
   ledger entry, `evidence/replica_trust.py`) is copied there (`replication.replicate`, in
   batches, with progress) and re-hashed in the target before it counts;
2. every signed `Checkpoint` without a trusted `CheckpointReplica` row for the target is copied
   there with its RFC 3161 token, under a readable name (`evidence/offsite_copy.py`), and read back;
3. the run is recorded by `do_record_backup_run`: one `BackupRun` (``ok`` only if every copy
   was verified), the `Replica` and `CheckpointReplica` rows, one ledger entry per agency.

A copy already in the target (from an interrupted run, say) is verified, not copied again. An
interrupted run (Ctrl-C) records what it verified so far, as a failed run.

`repair_corrupt(...)` repairs local copies found corrupt by a scrub, through `do_repair_blob`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.contrib.auth.models import User

from casetrail import clock
from casetrail.cases.actions.backup import (
    BackupOutcome,
    CheckpointCopy,
    RepairRefused,
    do_record_backup_run,
    do_repair_blob,
)
from casetrail.cases.models import Agency
from casetrail.evidence.blobstore import BlobStore, LocalBlobStore
from casetrail.evidence.errors import StoreError, format_size
from casetrail.evidence.models import BackupRun, Blob, CheckpointReplica, Repair
from casetrail.evidence.offsite_copy import checkpoint_key, put_named
from casetrail.evidence.replica_trust import trusted_runs
from casetrail.evidence.replication import replicate
from casetrail.evidence.storage import primary_store
from casetrail.ledger.models import Checkpoint

__all__ = ["BackupError", "RepairResult", "repair_corrupt", "run_backup"]

Progress = Callable[[str], None]
BATCH = 100
_COPY_ERRORS = (StoreError, OSError, ValueError, BotoCoreError, ClientError)


class BackupError(Exception):
    """The run cannot start (no target, or the target is the primary store itself)."""


def quiet(_line: str) -> None:
    """A progress callback that says nothing."""


def run_backup(
    target: BlobStore,
    *,
    acting_user: User | None = None,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> BackupRun:
    """Copy what the target lacks, verify every copy, record the run; see the module doc."""
    primary = primary_store()
    if target.name == primary.name:
        raise BackupError(f"副本目标 {target.name} 就是主存储，异地备份须写到另一处")
    say = progress or quiet
    outcome = BackupOutcome(target=target.name, started_at=clock.now())
    try:
        _copy_blobs(primary, target, outcome, say, batch)
        _copy_checkpoints(target, outcome, say)
    except KeyboardInterrupt:
        outcome.interrupted = True
        do_record_backup_run(acting_user=acting_user, outcome=outcome)
        raise
    outcome.finished_at = clock.now()
    return do_record_backup_run(acting_user=acting_user, outcome=outcome)


def _staging_dir(primary: BlobStore) -> Path | None:
    """Where blobs from a non-local primary pass through on their way (a local one needs none)."""
    if isinstance(primary, LocalBlobStore):
        return None
    folder = Path(settings.DATA_DIR) / "replicate-staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _copy_blobs(
    primary: BlobStore, target: BlobStore, outcome: BackupOutcome, say: Progress, batch: int
) -> None:
    pending = list(
        Blob.objects.exclude(replicas__run__in=trusted_runs(target.name))
        .order_by("pk")
        .values_list("sha256", "size")
    )
    total_bytes = sum(size for _, size in pending)
    say(f"异地备份到 {target.name}：{len(pending)} 个文件待复制（{format_size(total_bytes)}）")
    done_bytes = 0
    staging = _staging_dir(primary)
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        result = replicate(primary, target, [sha256 for sha256, _ in chunk], staging_dir=staging)
        now = clock.now()
        outcome.copied.extend(result.copied)
        outcome.verified.update(dict.fromkeys(result.verified, now))
        outcome.failed.update(result.failed)
        done_bytes += sum(size for _, size in chunk)
        say(
            f"  文件 {start + len(chunk)}/{len(pending)}（{format_size(done_bytes)}/"
            f"{format_size(total_bytes)}），失败 {len(outcome.failed)}"
        )


def _copy_checkpoints(target: BlobStore, outcome: BackupOutcome, say: Progress) -> None:
    copied = CheckpointReplica.objects.filter(run__in=trusted_runs(target.name)).values(
        "checkpoint_id"
    )
    pending = Checkpoint.objects.exclude(pk__in=copied).order_by("agency_id", "size")
    codes = dict(Agency.objects.values_list("pk", "code"))
    count = pending.count()
    say(f"签名检查点：{count} 个待复制")
    for number, checkpoint in enumerate(pending.iterator(chunk_size=200), start=1):
        code = codes[checkpoint.agency_id]
        note_key = checkpoint_key(code, checkpoint.size, ".txt")
        try:
            note_sha256 = put_named(target, note_key, checkpoint.note.encode("utf-8"))
            token_sha256 = ""
            if checkpoint.timestamp_token:
                token_key = checkpoint_key(code, checkpoint.size, ".tsr")
                token_sha256 = put_named(target, token_key, bytes(checkpoint.timestamp_token))
        except _COPY_ERRORS as error:
            outcome.checkpoint_failures[note_key] = f"{type(error).__name__}: {error}"
            continue
        outcome.checkpoints.append(
            CheckpointCopy(
                checkpoint_id=checkpoint.pk,
                agency_id=checkpoint.agency_id,
                size=checkpoint.size,
                note_key=note_key,
                note_sha256=note_sha256,
                token_sha256=token_sha256,
                copied_at=clock.now(),
            )
        )
        if number % 100 == 0 or number == count:
            say(f"  检查点 {number}/{count}")


@dataclass(frozen=True)
class RepairResult:
    """Per blob address: the recorded repair, or why it could not be repaired."""

    repaired: dict[str, Repair]
    failed: dict[str, str]


def repair_corrupt(
    sha256s: Sequence[str],
    replica: BlobStore,
    *,
    acting_user: User | None = None,
    progress: Progress | None = None,
) -> RepairResult:
    """Repair each listed local copy from ``replica`` (`do_repair_blob`: checked, ledgered)."""
    say = progress or quiet
    local = primary_store()
    repaired: dict[str, Repair] = {}
    failed: dict[str, str] = {}
    if not isinstance(local, LocalBlobStore):
        reason = f"主存储 {local.name} 不是本地目录，不能就地修复（请在对象存储侧恢复）"
        return RepairResult({}, dict.fromkeys(sha256s, reason))
    blobs = {blob.sha256: blob for blob in Blob.objects.filter(sha256__in=sha256s)}
    for sha256 in sha256s:
        blob = blobs.get(sha256)
        if blob is None:
            failed[sha256] = "未登记的文件，不修复"
            continue
        try:
            repaired[sha256] = do_repair_blob(
                acting_user=acting_user, blob=blob, local=local, replica=replica
            )
        except (RepairRefused, *_COPY_ERRORS) as error:
            failed[sha256] = str(error)
            continue
        say(f"  已修复 {sha256}（取自 {replica.name}）")
    return RepairResult(repaired, failed)
