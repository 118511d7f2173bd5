"""Reads of evidence: a case's labels and recordings, late ones, ingest tokens, every deadline.

`deadlines()` is the one list of statutory deadlines the CLI (`casetrail deadlines`) and, later,
reminders and the compliance report read: one row per deadline, whatever its kind. Each kind is
a function in `DEADLINE_SOURCES`; a new kind (decision due, service within 7 working days …)
adds one function there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.db.models import QuerySet

from casetrail import clock
from casetrail.cases.models import Agency, Case, StartType
from casetrail.cases.selectors import emergency_backfill, working_calendar
from casetrail.evidence.backup_status import backup_statuses
from casetrail.evidence.models import IngestToken, Recording
from casetrail.procedure.workdays import WorkdayCalendar

Status = Literal["pending", "overdue", "done", "done_late", "waiting"]
STATUS_LABELS: dict[str, str] = {
    "pending": "未到期",
    "waiting": "期间未满",
    "overdue": "已超期",
    "done": "按期完成",
    "done_late": "逾期完成",
}
MISSED: frozenset[str] = frozenset({"overdue", "done_late"})
LABEL_PARTY_LENGTH = 300  # Recording.label_party
LABEL_HANDLER_LENGTH = 200  # Recording.label_handler


def agency_by_key(key: str) -> Agency | None:
    """The agency with this code (``luanchuan-tjj``) or short name (``栾统``)."""
    return Agency.objects.filter(code=key).first() or Agency.objects.filter(short_name=key).first()


def _join_names(names: list[str], limit: int) -> str:
    """Names joined with 、; cut to ``limit`` characters as "甲、乙等5名" if need be."""
    joined = "、".join(names)
    if len(joined) <= limit:
        return joined
    kept: list[str] = []
    for name in names:
        candidate = "、".join([*kept, name]) + f"等{len(names)}名"
        if len(candidate) > limit:
            break
        kept.append(name)
    return "、".join(kept) + f"等{len(names)}名"


def case_labels(case: Case) -> dict[str, str]:
    """The labels of Seed A art. 14, from the case as it stands (corrected parties count)."""
    parties = list(case.parties.order_by("pk"))
    superseded = {p.supersedes_id for p in parties if p.supersedes_id is not None}
    current = [p.name for p in parties if p.pk not in superseded]
    handlers = [h.officer_name for h in case.handlers.order_by("pk")]
    return {
        "case_number": case.case_number,
        "party_name": _join_names(current, LABEL_PARTY_LENGTH),
        "handler_name": _join_names(handlers, LABEL_HANDLER_LENGTH),
    }


def case_recordings(case: Case) -> QuerySet[Recording]:
    """The recordings of *case* in the order they were made, with their files."""
    return case.recordings.select_related("blob").order_by("recorded_start_at", "pk")


def late_recordings(agency: Agency | None = None) -> QuerySet[Recording]:
    """Recordings stored after their deadline (each carries its reason)."""
    late = Recording.objects.filter(late=True).select_related("blob", "case__agency")
    if agency is not None:
        late = late.filter(case__agency=agency)
    return late.order_by("storage_due_on", "pk")


def token_digest(token: str) -> str:
    """What is kept of a token: its SHA-256 (a 256-bit random secret needs no slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_ingest_token(presented: str) -> IngestToken | None:
    """The un-revoked token whose SHA-256 matches *presented*, with its station and agency."""
    if not presented:
        return None
    return (
        IngestToken.objects.filter(token_sha256=token_digest(presented), revoked_at__isnull=True)
        .select_related("officer__user", "agency")
        .first()
    )


@dataclass(frozen=True)
class Deadline:
    """One statutory deadline of one case, and where it stands today."""

    agency: str  # the agency's code
    case_number: str
    kind: str  # "av_storage", "emergency_backfill", …
    kind_label: str
    subject: str  # what the deadline is about (a file name, an approval)
    due_on: date
    provisional: bool
    provisional_reason: str
    status: Status
    days_left: int | None  # days from today to the due date while open; None once done
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


DeadlineSource = Callable[[QuerySet[Case], date, WorkdayCalendar], Iterable[Deadline]]


def av_storage_deadlines(
    cases: QuerySet[Case], today: date, calendar: WorkdayCalendar
) -> Iterable[Deadline]:
    """Seed A art. 14 / Seed B art. 26: recordings stored late, with their reasons.

    A recording is known only once stored, so an AV deadline is never open here: the ones on
    time are done and not listed; the late ones are listed as ``done_late``.
    """
    late = Recording.objects.filter(case__in=cases, late=True).select_related("case__agency")
    for recording in late.order_by("storage_due_on", "pk"):
        yield Deadline(
            agency=recording.case.agency.code,
            case_number=recording.case.case_number,
            kind="av_storage",
            kind_label="音像记录储存",
            subject=f"{recording.get_kind_display()} {recording.filename}",
            due_on=recording.storage_due_on,
            provisional=recording.storage_due_provisional,
            provisional_reason="法定节假日安排尚未录入，期限按周一至周五推算"
            if recording.storage_due_provisional
            else "",
            status="done_late",
            days_left=None,
            done_on=clock.localdate(recording.stored_at),
            reason=recording.late_reason,
        )


def backfill_deadlines(
    cases: QuerySet[Case], today: date, calendar: WorkdayCalendar
) -> Iterable[Deadline]:
    """Seed A art. 6: the approval of an emergency start, backfilled within the profile's days."""
    emergency = cases.filter(start_type=StartType.EMERGENCY).select_related("agency")
    agencies: dict[int, Agency] = {}
    for case in emergency.order_by("opened_at", "pk"):
        case.agency = agencies.setdefault(case.agency_id, case.agency)  # parse each profile once
        view = emergency_backfill(case, calendar)
        if view is None:
            continue
        done = view.status in ("done", "done_late")
        yield Deadline(
            agency=case.agency.code,
            case_number=case.case_number,
            kind="emergency_backfill",
            kind_label="紧急先行启动补办审批",
            subject="立案审批手续",
            due_on=view.due.due_on,
            provisional=view.due.provisional,
            provisional_reason=view.due.reason,
            status=view.status,
            days_left=None if done else view.days_left,
            done_on=clock.localdate(case.filed_at) if case.filed_at else None,
            reason="",
        )


def offsite_backup_deadlines(
    cases: QuerySet[Case], today: date, calendar: WorkdayCalendar
) -> Iterable[Deadline]:
    """Seed A art. 14 / REFERENCE rule 13: the next off-site backup of each agency that has
    recordings, due the profile's days after the last successful one (at once if none)."""
    agencies = Agency.objects.filter(pk__in=cases.values("agency_id")).order_by("pk")
    for status in backup_statuses(agencies):
        if status.needed_since is None:
            continue
        due_at = status.due_at or status.needed_since
        due_on = clock.localdate(due_at)
        last = status.last_success
        yield Deadline(
            agency=status.agency.code,
            case_number="",
            kind="offsite_backup",
            kind_label="异地备份",
            subject=f"最近一次成功备份 {clock.localdate(last.finished_at):%Y-%m-%d}"
            if last is not None
            else "尚无成功的异地备份",
            due_on=due_on,
            provisional=False,
            provisional_reason="",
            status="overdue" if status.overdue else "pending",
            days_left=(due_on - today).days,
            done_on=None,
            reason="",
        )


OPEN_STAGES = ("investigation", "review", "decided", "filing_review")


def procedure_deadlines(
    cases: QuerySet[Case], today: date, calendar: WorkdayCalendar
) -> Iterable[Deadline]:
    """Every deadline `casetrail.procedure.deadlines` computes for each open case: statement and
    hearing periods, the decision limit, service, publication, payment, the court window."""
    from casetrail.cases.facts import case_facts
    from casetrail.procedure.deadlines import case_deadlines

    agencies: dict[int, Agency] = {}
    open_cases = cases.filter(stage__in=OPEN_STAGES).select_related("agency")
    for case in open_cases.order_by("opened_at", "pk"):
        case.agency = agencies.setdefault(case.agency_id, case.agency)
        facts = case_facts(case, today=today, calendar=calendar)
        for row in case_deadlines(facts):
            if row.kind == "emergency_backfill":  # listed by backfill_deadlines
                continue
            status = row.status(today)
            yield Deadline(
                agency=case.agency.code,
                case_number=case.case_number,
                kind=row.kind,
                kind_label=row.label,
                subject=str(row.subject),
                due_on=row.due.due_on,
                provisional=row.due.provisional,
                provisional_reason=row.due.reason,
                status=status,
                days_left=row.days_left(today) if status in ("pending", "waiting") else None,
                done_on=row.done_on,
                reason="",
            )


DEADLINE_SOURCES: list[DeadlineSource] = [
    av_storage_deadlines,
    backfill_deadlines,
    offsite_backup_deadlines,
    procedure_deadlines,
]


def deadlines(*, agency: Agency | None = None, missed_only: bool = False) -> list[Deadline]:
    """Every deadline that needs attention or was missed (on-time ones are left out), by date.

    ``missed_only``: only the overdue and the late-done ones.
    """
    cases = Case.objects.all() if agency is None else Case.objects.filter(agency=agency)
    today = clock.today()
    calendar = working_calendar()
    rows = [row for source in DEADLINE_SOURCES for row in source(cases, today, calendar)]
    wanted = MISSED if missed_only else MISSED | {"pending", "waiting"}
    rows = [row for row in rows if row.status in wanted]
    return sorted(rows, key=lambda row: (row.due_on, row.agency, row.case_number, row.kind))
