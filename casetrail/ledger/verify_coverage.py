"""`casetrail verify`, part 4: which leaves a surviving signature covers, and which none does.

A checkpoint proves the leaves below its size; leaves above the newest signed size are proven
by nothing yet. The worker signs new leaves within CASETRAIL_CHECKPOINT_SECONDS (a checkpoint is
due once the newest is that old), so a leaf still unsigned after that interval plus
CASETRAIL_UNSIGNED_GRACE_SECONDS means its checkpoint was deleted (with every copy of it), or
the worker has stopped: either way verify must not call those leaves intact.

Findings:
  ``no_checkpoint``    an agency whose log has leaves but no surviving signed checkpoint at all
                       (database row or off-site copy), its oldest leaf past the grace period
  ``unsigned_leaves``  leaves above the newest surviving signed size, the oldest past it

Both name the first unsigned leaf (`ledger_ledgerleaf`, its id and index) and give the range
and the age of the oldest. A deletion younger than the interval plus the grace period is not
yet visible: that is the price of not publishing a checkpoint per act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from casetrail import clock
from casetrail.ledger.canonical import Json
from casetrail.ledger.checkpoints import AgencyLog
from casetrail.ledger.models import Checkpoint, LedgerLeaf
from casetrail.ledger.verify_checkpoints import Heads
from casetrail.ledger.verify_findings import LEAF_TABLE, NO_CHECKPOINT, UNSIGNED_LEAVES, Finding


@dataclass(frozen=True)
class LogStatus:
    """What is proven of one agency's log: its size, and the newest signed size and time."""

    agency: str
    size: int
    signed_size: int
    signed_at: datetime | None

    def to_json(self) -> dict[str, Json]:
        return {
            "agency": self.agency,
            "size": self.size,
            "signed_size": self.signed_size,
            "signed_at": _when(self.signed_at) if self.signed_at else None,
        }

    def line(self) -> str:
        """The human report's line: 已签名 signed_size / size, at what time."""
        when = _when(self.signed_at) if self.signed_at else "无 (none)"
        return (
            f"{self.agency}: 叶子 {self.size}，最新签名覆盖 {self.signed_size} "
            f"(signed size)，签名时间 {when}"
        )


def allowed_delay() -> timedelta:
    """How long a leaf may stay unsigned: the publishing interval plus the grace period."""
    seconds = settings.CASETRAIL_CHECKPOINT_SECONDS + settings.CASETRAIL_UNSIGNED_GRACE_SECONDS
    return timedelta(seconds=seconds)


def check_coverage(log: AgencyLog, heads: Heads, size: int, findings: list[Finding]) -> LogStatus:
    """The log's signed size, and a finding if leaves above it are older than allowed."""
    signed = [h for h in (*heads.database, *heads.offsite) if h.valid]
    signed_size = min(max((h.size for h in signed), default=0), size)
    status = LogStatus(log.code, size, signed_size, _signed_at(log, signed_size))
    if signed_size >= size:
        return status
    oldest = (
        LedgerLeaf.objects.filter(agency_id=log.agency_id, index__gte=signed_size)
        .filter(index__lt=size)
        .aggregate(at=Min("entry__recorded_at"))["at"]
    )
    age = clock.now() - oldest if oldest is not None else None
    if age is not None and age <= allowed_delay():
        return status
    first = (
        LedgerLeaf.objects.filter(agency_id=log.agency_id, index__gte=signed_size)
        .order_by("index")
        .values_list("id", "index")
        .first()
    )
    leaf_id, index = first if first is not None else (None, signed_size)
    findings.append(
        Finding(
            NO_CHECKPOINT if not signed else UNSIGNED_LEAVES,
            LEAF_TABLE,
            leaf_id,
            index,
            _detail(log, status, signed != [], age),
        )
    )
    return status


def _detail(log: AgencyLog, status: LogStatus, any_signed: bool, age: timedelta | None) -> str:
    span = f"leaves {status.signed_size}..{status.size - 1}"
    old = f"the oldest is {_duration(age)} old" if age is not None else "their entries are gone"
    limit = _duration(allowed_delay())
    if not any_signed:
        return (
            f"{log.origin} has {status.size} leaves but no signed checkpoint, in the database or "
            f"off-site: {span} are proven by no signature ({old}; checkpoints are due within "
            f"{limit}): every checkpoint was deleted, or the worker never published"
        )
    when = _when(status.signed_at) if status.signed_at else "time unknown"
    return (
        f"{log.origin}: {span} are covered by no surviving signature ({old}; checkpoints are "
        f"due within {limit}); the newest signed checkpoint is size {status.signed_size} "
        f"({when}): a newer checkpoint was deleted with its off-site copy, or the worker stopped"
    )


def _signed_at(log: AgencyLog, size: int) -> datetime | None:
    if size == 0:
        return None
    rows = Checkpoint.objects.filter(agency_id=log.agency_id, size=size).order_by("published_at")
    first: datetime | None = rows.values_list("published_at", flat=True).first()
    return first


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"
