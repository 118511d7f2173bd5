"""Acts on the stored evidence itself: recording an off-site backup run, repairing a file.

Seed A art. 14 (定期进行异地备份) and art. 15 (不得伪造、删改、销毁行政执法记录); REFERENCE rule 13;
DESIGN invariant 6 (no data is lost: backups are verified by hash, a loss is repaired). The
copying and hashing are done by `casetrail.cases.backup_run` and `casetrail.evidence.replication`;
these acts write what was done, with its ledger entries, in one transaction.

Both concern files that are not one agency's: a blob may be used by several agencies' cases,
and a backup covers the whole deployment. So, unlike the other acts, each appends one entry to
*each* agency's log it concerns (every agency for a backup run; those whose recordings use the
blob for a repair), each committing to the same row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.cases.models import Agency
from casetrail.cases.obligation_rows import refresh_backup_obligations
from casetrail.evidence.blobstore import BlobStore, LocalBlobStore
from casetrail.evidence.errors import BlobMissing
from casetrail.evidence.hashing import sha256_stream
from casetrail.evidence.models import BackupRun, Blob, CheckpointReplica, Recording, Repair, Replica
from casetrail.evidence.replication import repair
from casetrail.ledger.append import append_entry
from casetrail.ledger.canonical import Json, canonical_json
from casetrail.procedure.errors import RuleViolation

REPAIR_RULE = "系统规则：只修复内容经哈希证明已损坏或缺失的存储文件，且只用哈希校验一致的副本"
DETAIL_LINES = 200  # failures listed in BackupRun.detail; the rest are counted
_CHUNK = 500  # addresses per IN (...) query


@dataclass(frozen=True)
class CheckpointCopy:
    """A checkpoint copied to the target, with what its copies hash to there."""

    checkpoint_id: int
    agency_id: int
    size: int
    note_key: str
    note_sha256: str
    token_sha256: str
    copied_at: datetime


@dataclass
class BackupOutcome:
    """What one replication run did; filled in by `cases.backup_run.run_backup` as it goes."""

    target: str
    started_at: datetime
    finished_at: datetime | None = None
    copied: list[str] = field(default_factory=list)
    verified: dict[str, datetime] = field(default_factory=dict)  # sha256 → verified at
    failed: dict[str, str] = field(default_factory=dict)  # sha256 → reason
    checkpoints: list[CheckpointCopy] = field(default_factory=list)
    checkpoint_failures: dict[str, str] = field(default_factory=dict)  # name → reason
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not (self.failed or self.checkpoint_failures or self.interrupted)

    def detail(self) -> str:
        lines = [f"文件 {sha256}：{why}" for sha256, why in self.failed.items()]
        lines += [f"检查点 {name}：{why}" for name, why in self.checkpoint_failures.items()]
        if self.interrupted:
            lines.append("备份被中断，未完成")
        if len(lines) > DETAIL_LINES:
            lines = [*lines[:DETAIL_LINES], f"……另有 {len(lines) - DETAIL_LINES} 项"]
        return "\n".join(lines)


class RepairRefused(RuleViolation):
    def __init__(self, message: str) -> None:
        super().__init__(rule="repair", article=REPAIR_RULE, field="blob", message=message)


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _replica_rows(outcome: BackupOutcome, run: BackupRun) -> Iterator[Replica]:
    addresses = list(outcome.verified)
    for chunk in _chunks(addresses):
        for sha256, blob_id in Blob.objects.filter(sha256__in=chunk).values_list("sha256", "pk"):
            yield Replica(
                run=run,
                blob_id=blob_id,
                target=outcome.target,
                verified_sha256=sha256,
                copied_at=outcome.verified[sha256],
            )


def replica_set_digest(target: str, addresses: Iterable[str]) -> str:
    """SHA-256 of the canonical JSON of the verified copies: commits the run to the set."""
    return hashlib.sha256(
        canonical_json({"target": target, "sha256": sorted(addresses)})
    ).hexdigest()


def _run_facts(run: BackupRun, outcome: BackupOutcome, agency: Agency) -> dict[str, Json]:
    return {
        "target": run.target,
        "ok": run.ok,
        "blobs_copied": run.blobs_copied,
        "blobs_verified": run.blobs_verified,
        "blobs_failed": len(outcome.failed),
        "replicas_sha256": replica_set_digest(run.target, outcome.verified),
        "checkpoints_copied": run.checkpoints_copied,
        "checkpoints_failed": len(outcome.checkpoint_failures),
        "checkpoint_sizes": [c.size for c in outcome.checkpoints if c.agency_id == agency.pk],
        "interrupted": outcome.interrupted,
    }


def do_record_backup_run(*, acting_user: User | None, outcome: BackupOutcome) -> BackupRun:
    """Record one run of `casetrail replicate` (Seed A art. 14): the `BackupRun`, a `Replica`
    per verified blob and a `CheckpointReplica` per copied checkpoint, and one `backup.run`
    entry in every agency's log. A failed or interrupted run is recorded too (``ok`` False)."""
    finished_at = outcome.finished_at or clock.now()
    with transaction.atomic():
        run = BackupRun(
            target=outcome.target,
            started_at=outcome.started_at,
            finished_at=finished_at,
            blobs_copied=len(outcome.copied),
            blobs_verified=len(outcome.verified),
            checkpoints_copied=len(outcome.checkpoints),
            ok=outcome.ok,
            detail=outcome.detail(),
        )
        run.save()
        # Each run records the copies it verified; they are committed inside its digest, which
        # its entries record, so `replicate` trusts them only while they match (replica_trust).
        Replica.objects.bulk_create(_replica_rows(outcome, run), batch_size=_CHUNK)
        CheckpointReplica.objects.bulk_create(
            (
                CheckpointReplica(
                    run=run,
                    checkpoint_id=copy.checkpoint_id,
                    target=outcome.target,
                    note_key=copy.note_key,
                    note_sha256=copy.note_sha256,
                    token_sha256=copy.token_sha256,
                    copied_at=copy.copied_at,
                )
                for copy in outcome.checkpoints
            ),
            batch_size=_CHUNK,
        )
        for agency in Agency.objects.order_by("pk"):
            append_entry(
                agency=agency,
                action="backup.run",
                actor=acting_user,
                records=[run],
                facts=_run_facts(run, outcome, agency),
            )
        refresh_backup_obligations()  # a run moves every agency's next-backup deadline
    return run


def _detected_sha256(local: LocalBlobStore, blob: Blob) -> str:
    """What the local copy hashes to now ("" if it is missing); refused if it is intact."""
    try:
        with local.open(blob.sha256) as stream:
            sha256, size = sha256_stream(stream)
    except BlobMissing:
        return ""
    if (sha256, size) == (blob.sha256, blob.size):
        raise RepairRefused(f"文件：{blob.sha256} 的本地副本完好（哈希一致），无需修复")
    return sha256


def _repair_facts(
    blob: Blob, row: Repair, recordings: list[Recording], agency: Agency
) -> dict[str, Json]:
    mine = [r for r in recordings if r.case.agency_id == agency.pk]
    return {
        "sha256": blob.sha256,
        "sm3": blob.sm3,
        "size": blob.size,
        "problem": "missing" if not row.detected_sha256 else "mismatch",
        "detected_sha256": row.detected_sha256,
        "repaired_from": row.repaired_from,
        "quarantine_path": row.quarantine_path,
        "cases": sorted({r.case.case_number for r in mine}),
        "recordings": [r.pk for r in mine],
    }


def do_repair_blob(
    *, acting_user: User | None, blob: Blob, local: LocalBlobStore, replica: BlobStore
) -> Repair:
    """Replace the corrupt (or missing) local copy of *blob* by the replica's copy, which must
    hash to the blob's SHA-256; the corrupt bytes go to quarantine. Ledgered as ``blob.repair``
    in the log of each agency whose recordings use the blob (Seed A art. 14–15).

    Refused, with nothing changed, if the local copy is intact or the replica's copy is missing
    or wrong. The file is replaced inside the transaction, before the rows are written: if
    the replacement fails nothing is written. (A file cannot be rolled back: should the commit
    itself fail, the file stays repaired, its bad bytes in quarantine, without a record.)
    """
    recordings = list(
        Recording.objects.filter(blob=blob).select_related("case__agency").order_by("pk")
    )
    agencies = sorted({r.case.agency for r in recordings}, key=lambda a: a.pk)
    if not agencies:
        raise RepairRefused(f"文件：{blob.sha256} 未被任何音像记录使用，没有可记录修复的机关账本")
    with transaction.atomic():
        # One repair of a blob at a time: its agencies' rows are locked (the blob's own row
        # cannot be: locking a row takes UPDATE rights, which the app role has on no record).
        list(Agency.objects.select_for_update().filter(pk__in=[a.pk for a in agencies]))
        detected = _detected_sha256(local, blob)
        if not replica.exists(blob.sha256):
            raise RepairRefused(f"文件：副本存储 {replica.name} 中没有 {blob.sha256}，无法修复")
        quarantined: Path | None = repair(local, replica, blob.sha256)
        row = Repair(
            blob=blob,
            detected_sha256=detected,
            repaired_from=replica.name,
            quarantine_path=str(quarantined) if quarantined is not None else "",
            repaired_at=clock.now(),
        )
        row.save()
        for agency in agencies:
            append_entry(
                agency=agency,
                action="blob.repair",
                actor=acting_user,
                records=[row],
                facts=_repair_facts(blob, row, recordings, agency),
            )
    return row
