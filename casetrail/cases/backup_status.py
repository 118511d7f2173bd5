"""When the last successful off-site copy was made, and whether the next one is overdue.

Seed A art. 14 asks for periodic off-site backups (定期进行异地备份); REFERENCE rule 13 adds a
last-success time and an alert when a backup is overdue. A backup run (`casetrail replicate`)
covers the whole deployment; how old the last successful one may be is each agency's rule (its
profile's ``offsite_backup_max_age_days``), so the same run can be on time for one agency and
overdue for another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, Subquery

from casetrail import clock
from casetrail.cases.models import Agency
from casetrail.evidence.models import BackupRun, Blob, Recording, Repair
from casetrail.evidence.storage import replica_store
from casetrail.procedure.citations import cite

__all__ = [
    "BackupStatus",
    "RepairView",
    "backup_overdue",
    "backup_status",
    "backup_statuses",
    "recent_repairs",
    "recent_runs",
]


def backup_overdue(
    last_success_at: datetime | None,
    needed_since: datetime | None,
    now: datetime,
    max_age_days: int,
) -> bool:
    """Whether the off-site backup is overdue (Seed A art. 14; REFERENCE rule 13).

    Only an agency with recordings to copy (``needed_since``: when its first one was stored)
    can be overdue: when no copy was ever made, or the last successful one is more than
    ``max_age_days`` old.
    """
    if needed_since is None:
        return False
    if last_success_at is None:
        return True
    return now - last_success_at > timedelta(days=max_age_days)


@dataclass(frozen=True)
class BackupStatus:
    """The off-site backup as one agency sees it."""

    agency: Agency
    last_success: BackupRun | None
    last_run: BackupRun | None
    max_age_days: int
    needed_since: datetime | None  # when its first recording was stored; None: nothing to copy
    overdue: bool
    replica_target: str  # the configured target's name, "" if none is configured
    not_copied: int | None  # its files with no verified copy in that target (None: no target)

    @property
    def rule(self) -> str:
        """The agency's own citation of off-site backup (栾川: art. 14; registry rule 13)."""
        return cite(self.agency.profile, "R13")

    @property
    def due_at(self) -> datetime | None:
        """When the next successful copy is due (None before the first one)."""
        if self.last_success is None:
            return None
        return self.last_success.finished_at + timedelta(days=self.max_age_days)

    @property
    def last_run_failed(self) -> bool:
        return self.last_run is not None and not self.last_run.ok

    @property
    def age_days(self) -> int | None:
        if self.last_success is None:
            return None
        return (clock.now() - self.last_success.finished_at).days


def _first_stored(agencies: Iterable[Agency]) -> dict[int, datetime]:
    rows = (
        Recording.objects.filter(case__agency__in=list(agencies))
        .values("case__agency_id")
        .annotate(first=Min("stored_at"))
        .values_list("case__agency_id", "first")
    )
    return {agency_id: first for agency_id, first in rows if first is not None}


def _not_copied(agencies: Iterable[Agency], target: str) -> dict[int, int]:
    """Per agency: its files that have no verified copy in ``target``."""
    rows = (
        Blob.objects.filter(recordings__case__agency__in=list(agencies))
        .exclude(replicas__target=target)
        .values("recordings__case__agency_id")
        .annotate(files=Count("pk", distinct=True))
        .values_list("recordings__case__agency_id", "files")
    )
    return dict(rows)


def _last_runs() -> tuple[BackupRun | None, BackupRun | None]:
    """The last run and the last successful one, in one query."""
    latest = BackupRun.objects.order_by("-finished_at", "-pk").values("pk")
    runs = sorted(
        BackupRun.objects.filter(
            Q(pk=Subquery(latest[:1])) | Q(pk=Subquery(latest.filter(ok=True)[:1]))
        ),
        key=lambda run: (run.finished_at, run.pk),
    )
    successes = [run for run in runs if run.ok]
    return (runs[-1] if runs else None), (successes[-1] if successes else None)


def backup_statuses(agencies: Iterable[Agency]) -> list[BackupStatus]:
    """The status of each agency; a few queries whatever the number of runs."""
    agencies = list(agencies)
    last_run, last_success = _last_runs()
    first_stored = _first_stored(agencies)
    replica = replica_store()
    not_copied = _not_copied(agencies, replica.name) if replica is not None else {}
    now = clock.now()
    statuses = []
    for agency in agencies:
        max_age = agency.profile.offsite_backup_max_age_days
        needed_since = first_stored.get(agency.pk)
        success_at = last_success.finished_at if last_success is not None else None
        statuses.append(
            BackupStatus(
                agency=agency,
                last_success=last_success,
                last_run=last_run,
                max_age_days=max_age,
                needed_since=needed_since,
                overdue=backup_overdue(success_at, needed_since, now, max_age),
                replica_target=replica.name if replica is not None else "",
                not_copied=not_copied.get(agency.pk, 0) if replica is not None else None,
            )
        )
    return statuses


def backup_status(agency: Agency) -> BackupStatus:
    """The status of one agency (the case page shows its case's agency's)."""
    [status] = backup_statuses([agency])
    return status


def recent_runs(limit: int = 50) -> list[BackupRun]:
    return list(BackupRun.objects.order_by("-finished_at", "-pk")[:limit])


@dataclass(frozen=True)
class RepairView:
    """A repair, with the case numbers that use its file among the agencies shown."""

    repair: Repair
    case_numbers: list[str]


def recent_repairs(agencies: Iterable[Agency], limit: int = 50) -> list[RepairView]:
    repairs = list(Repair.objects.select_related("blob").order_by("-repaired_at", "-pk")[:limit])
    uses = (
        Recording.objects.filter(
            blob_id__in={r.blob_id for r in repairs}, case__agency__in=list(agencies)
        )
        .order_by("case__case_number")
        .values_list("blob_id", "case__case_number")
        .distinct()
    )
    numbers: dict[int, list[str]] = {}
    for blob_id, number in uses:
        numbers.setdefault(blob_id, []).append(number)
    return [RepairView(r, numbers.get(r.blob_id, [])) for r in repairs]
