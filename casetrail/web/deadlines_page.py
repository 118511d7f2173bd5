"""What the pages show of deadlines: an agency's list and the home page's due-soon box, read
from the `Obligation` rows by indexed queries (`cases.deadline_list`), and the deadlines of one
case (`procedure.deadlines.case_deadlines`). Reads only; rows of cases the user may not see are
left out (`access.visible_deadline_rows`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.db.models import QuerySet

from casetrail import access, clock
from casetrail.cases.deadline_list import (
    ORDER,
    STATUS_LABELS,
    Deadline,
    as_deadline,
    on_the_list,
)
from casetrail.cases.models import Agency, CaseHandler, Obligation, Officer
from casetrail.cases.obligation_rows import OPEN_STAGES
from casetrail.procedure.deadlines import CaseDeadline, case_deadlines
from casetrail.procedure.facts import CaseFacts

SOON_DAYS: Final = 5  # the home page shows what falls due within this many days
SOON_LIMIT: Final = 50  # the due-soon box shows at most this many rows, the list the rest
PAGE_SIZE: Final = 50
BADGES: Final = {
    "overdue": "late",
    "done_late": "late",
    "pending": "wait",
    "waiting": "muted",
    "done": "ok",
}


@dataclass(frozen=True)
class DeadlineRow:
    """A row of the deadline list, with the case to link to (none for an agency's backup)."""

    deadline: Deadline
    case_id: int | None
    agency_name: str
    days_left: int | None  # negative once overdue; none once done

    @property
    def badge(self) -> str:
        return BADGES[self.deadline.status]


def deadline_rows(rows: Iterable[Obligation]) -> list[DeadlineRow]:
    """The rows as the template shows them (their agency fetched with them)."""
    today, now = clock.today(), clock.now()
    found = []
    for row in rows:
        deadline = as_deadline(row, today, now)
        found.append(DeadlineRow(deadline, row.case_id, row.agency.short_name, deadline.days_left))
    return found


def agency_deadlines(
    user: access.AnyUser, agencies: list[Agency], *, overdue_only: bool
) -> QuerySet[Obligation]:
    """Every open or missed deadline of *agencies*, of the cases *user* may see, by due date:
    one indexed query (to paginate)."""
    rows = Obligation.objects.filter(agency__in=agencies)
    listed = on_the_list(rows, missed_only=overdue_only, today=clock.today(), now=clock.now())
    visible = access.visible_deadline_rows(user, listed)
    return visible.select_related("agency").order_by(*ORDER)


def due_soon(officer: Officer | None) -> list[DeadlineRow]:
    """The home page: overdue deadlines, and those due within five days, of the open cases
    *officer* handles (emergency backfill and every procedure deadline); one query."""
    if officer is None:
        return []
    today = clock.today()
    handled = CaseHandler.objects.filter(officer=officer).values("case_id")
    rows = Obligation.objects.filter(
        case_id__in=handled,
        case__stage__in=OPEN_STAGES,
        settled_on__isnull=True,
        waiting=False,
        due_on__lte=today + timedelta(days=SOON_DAYS),
    )
    return deadline_rows(rows.select_related("agency").order_by(*ORDER)[:SOON_LIMIT])


@dataclass(frozen=True)
class CaseDeadlineRow:
    deadline: CaseDeadline
    status: str
    days_left: int

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return BADGES[self.status]

    @property
    def open(self) -> bool:
        return self.status in ("pending", "waiting", "overdue")


def case_deadline_rows(facts: CaseFacts, today: date | None = None) -> list[CaseDeadlineRow]:
    """Every deadline of one case with where it stands today."""
    day = today or facts.today
    return [CaseDeadlineRow(d, d.status(day), d.days_left(day)) for d in case_deadlines(facts)]
