"""Which recorded off-site copies the backup may rely on (issue 14, item 5).

A `Replica` or `CheckpointReplica` row says "this target holds a verified copy". The backup
skips what such rows cover, so a forged row would make it skip a file forever. The rows are
committed inside their `BackupRun`'s digest, and the run's digest inside its `backup.run`
ledger entry: a run is trusted only while it still matches that entry, rows and all. Copies
of untrusted runs (and rows from before evidence/0003, which have no run) are verified again.
"""

from __future__ import annotations

from casetrail.evidence.models import BackupRun
from casetrail.ledger.committed import rows_as_recorded

BACKUP_ACTION = "backup.run"


def trusted_runs(target: str) -> list[int]:
    """Ids of the runs to *target* whose row and copies match their ledger entry."""
    runs = BackupRun.objects.filter(target=target).order_by("pk")
    return [run.pk for run in rows_as_recorded(runs, BACKUP_ACTION)]
