"""What the pages show of deadlines: an agency's list (`evidence.selectors.deadlines`), the
deadlines of one case (`procedure.deadlines.case_deadlines`), and what is due soon or overdue
in the cases an officer handles. Reads only; rows of cases the user may not see are left out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.db.models import QuerySet

from casetrail import access, clock
from casetrail.cases.models import Agency, Case, Officer
from casetrail.cases.selectors import working_calendar
from casetrail.evidence import selectors as evidence_selectors
from casetrail.evidence.selectors import STATUS_LABELS, Deadline
from casetrail.procedure.deadlines import CaseDeadline, case_deadlines
from casetrail.procedure.facts import CaseFacts

SOON_DAYS: Final = 5  # the home page shows what falls due within this many days
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


def _days_left(deadline: Deadline, today: date) -> int | None:
    """Days to the due date while open, and (negative) past it while overdue: the selector
    leaves an overdue procedure deadline without a count."""
    if deadline.status == "overdue":
        return (deadline.due_on - today).days
    return deadline.days_left


def _rows(
    deadlines: Iterable[Deadline], visible: dict[str, int], names: dict[str, str]
) -> list[DeadlineRow]:
    today = clock.today()
    rows = [
        DeadlineRow(
            d, visible.get(d.case_number), names.get(d.agency, d.agency), _days_left(d, today)
        )
        for d in deadlines
        if not d.case_number or d.case_number in visible
    ]
    return sorted(rows, key=lambda r: (r.deadline.due_on, r.deadline.case_number, r.deadline.kind))


def _visible(user: access.AnyUser, cases: QuerySet[Case]) -> dict[str, int]:
    seen = access.visible_cases(user)
    return dict(cases.filter(pk__in=seen.values("pk")).values_list("case_number", "pk"))


def agency_deadlines(
    user: access.AnyUser, agencies: list[Agency], *, overdue_only: bool
) -> list[DeadlineRow]:
    """Every open or missed deadline of *agencies*, of the cases *user* may see."""
    visible = _visible(user, Case.objects.filter(agency__in=agencies))
    names = {a.code: a.short_name for a in agencies}
    found = [
        row
        for agency in agencies
        for row in evidence_selectors.deadlines(agency=agency, missed_only=overdue_only)
    ]
    return _rows(found, visible, names)


def due_soon(officer: Officer | None) -> list[DeadlineRow]:
    """The home page: overdue deadlines, and those due within five days, of the open cases
    *officer* handles (emergency backfill and every procedure deadline). One query when they
    handle none; otherwise the facts of each case are read, as the deadline list does."""
    if officer is None:
        return []
    handled = list(
        Case.objects.filter(handlers__officer=officer, stage__in=evidence_selectors.OPEN_STAGES)
        .values_list("pk", "case_number", "agency__code", "agency__short_name")
        .distinct()
    )
    if not handled:
        return []
    cases = Case.objects.filter(pk__in=[row[0] for row in handled])
    today = clock.today()
    calendar = working_calendar()
    found = [
        *evidence_selectors.backfill_deadlines(cases, today, calendar),
        *evidence_selectors.procedure_deadlines(cases, today, calendar),
    ]
    urgent = [
        d
        for d in found
        if d.status == "overdue"
        or (d.status == "pending" and d.days_left is not None and d.days_left <= SOON_DAYS)
    ]
    visible = {number: pk for pk, number, _, _ in handled}
    names = {code: name for _, _, code, name in handled}
    return _rows(urgent, visible, names)


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
