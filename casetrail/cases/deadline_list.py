"""Reads of the deadline list: the `Obligation` rows, filtered and ordered by indexed queries,
and where each stands today.

A row's status depends on the day it is read, so it is computed here from the stored dates:
open rows are pending (or waiting, for a period the agency lets run) until their due day, then
overdue; settled rows are done, or done late (those stay listed). `casetrail deadlines`, the
deadline page and the home page's due-soon box all read through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from django.db.models import F, Q, QuerySet

from casetrail import clock
from casetrail.cases.models import Agency
from casetrail.cases.obligations import Obligation

Status = Literal["pending", "overdue", "done", "done_late", "waiting"]
STATUS_LABELS: dict[str, str] = {
    "pending": "未到期",
    "waiting": "期间未满",
    "overdue": "已超期",
    "done": "按期完成",
    "done_late": "逾期完成",
}
MISSED: frozenset[str] = frozenset({"overdue", "done_late"})
OPEN: frozenset[str] = frozenset({"pending", "waiting", "overdue"})
# By due day, then in the order the cases were opened (an agency's own rows first), not by the
# case number's text (which puts 51号 before 5号).
ORDER = ("due_on", F("case_id").asc(nulls_first=True), "kind", "pk")


def status_of(row: Obligation, today: date, now: datetime) -> Status:
    if row.settled_on is not None:
        return "done_late" if row.settled_late else "done"
    if row.waiting:
        return "waiting" if today <= row.due_on else "done"
    if row.due_at is not None:  # due at an instant (the next backup): overdue once it comes
        return "overdue" if now >= row.due_at else "pending"
    return "pending" if today <= row.due_on else "overdue"


def on_the_list(
    rows: QuerySet[Obligation], *, missed_only: bool, today: date, now: datetime
) -> QuerySet[Obligation]:
    """The rows that need attention or were missed (on-time ones are left out); with
    *missed_only*, the overdue and the late-done ones. Mirrors `status_of` in SQL."""
    rows = rows.filter(on_list=True)
    if not missed_only:
        return rows.exclude(waiting=True, due_on__lt=today)  # a period that ran out is done
    overdue = Q(settled_on__isnull=True, waiting=False) & (
        Q(due_at__isnull=True, due_on__lt=today) | Q(due_at__lte=now)
    )
    return rows.filter(overdue | Q(settled_late=True))


@dataclass(frozen=True)
class Deadline:
    """One statutory deadline of one case (or of an agency), and where it stands today."""

    agency: str  # the agency's code
    case_number: str
    kind: str  # "av_storage", "emergency_backfill", …
    kind_label: str
    subject: str  # what the deadline is about (a file name, an approval)
    due_on: date
    provisional: bool
    provisional_reason: str
    status: Status
    days_left: int | None  # days from today to the due date while open (negative: overdue)
    done_on: date | None
    reason: str  # the reason given for lateness, if any

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict[str, str | int | bool | None]:
        return {
            "agency": self.agency,
            "case_number": self.case_number,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "subject": self.subject,
            "due_on": self.due_on.isoformat(),
            "provisional": self.provisional,
            "provisional_reason": self.provisional_reason,
            "status": self.status,
            "status_label": self.status_label,
            "days_left": self.days_left,
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "reason": self.reason,
        }


def as_deadline(row: Obligation, today: date, now: datetime) -> Deadline:
    """The row as the list shows it (its agency fetched with it: `select_related`)."""
    status = status_of(row, today, now)
    return Deadline(
        agency=row.agency.code,
        case_number=row.case_number,
        kind=row.kind,
        kind_label=row.label,
        subject=row.subject,
        due_on=row.due_on,
        provisional=row.provisional,
        provisional_reason=row.provisional_reason,
        status=status,
        days_left=(row.due_on - today).days if status in OPEN else None,
        done_on=row.settled_on,
        reason=row.reason,
    )


def deadlines(*, agency: Agency | None = None, missed_only: bool = False) -> list[Deadline]:
    """Every deadline that needs attention or was missed, by date (the CLI's list: every row;
    pages read `on_the_list` through `access`)."""
    today, now = clock.today(), clock.now()
    rows = Obligation.objects.all() if agency is None else Obligation.objects.filter(agency=agency)
    listed = on_the_list(rows, missed_only=missed_only, today=today, now=now)
    ordered = listed.select_related("agency").order_by("due_on", "agency__code", *ORDER[1:])
    return [as_deadline(row, today, now) for row in ordered.iterator(chunk_size=2000)]
