"""Keep the `Obligation` rows equal to what the deadline rules compute from the ledgered facts.

The rules stay where they are (`procedure.deadlines.case_deadlines`, a recording's stored due
date, `cases.backup_status`); this module turns their answers into rows and writes only the
difference. Every act on a case refreshes that case's rows in its transaction (registered with
`ledger.append.on_case_entry`); the acts that move many cases at once (a calendar year, an
agency's profile, a backup run, a recording that starts the backup clock) call the refresh they
need. `check_obligations` recomputes everything and reports (or repairs) any difference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Q, QuerySet

from casetrail import clock
from casetrail.cases.models import Agency, Case, StartType
from casetrail.cases.obligations import Obligation
from casetrail.cases.selectors import working_calendar
from casetrail.procedure.deadlines import CaseDeadline
from casetrail.procedure.workdays import WorkdayCalendar

# The stages whose procedure deadlines are listed; an emergency start's backfill and a late
# recording are listed whatever the stage.
OPEN_STAGES = ("investigation", "review", "decided", "filing_review")
PROVISIONAL_WEEKDAYS = "法定节假日安排尚未录入，期限按周一至周五推算"


class Values(NamedTuple):
    """The content of one row, as compared: two rows with the same values are the same row."""

    agency_id: int
    case_id: int | None
    case_number: str
    kind: str
    label: str
    subject: str
    article: str
    due_on: date
    due_at: datetime | None
    opens_on: date | None
    provisional: bool
    provisional_reason: str
    waiting: bool
    settled_on: date | None
    settled_late: bool
    reason: str
    on_list: bool


def _values(
    *,
    agency_id: int,
    case_id: int | None,
    case_number: str,
    kind: str,
    label: str,
    subject: str,
    due_on: date,
    settled_on: date | None,
    article: str = "",
    due_at: datetime | None = None,
    opens_on: date | None = None,
    provisional: bool = False,
    provisional_reason: str = "",
    waiting: bool = False,
    reason: str = "",
) -> Values:
    late = settled_on is not None and not waiting and settled_on > due_on
    return Values(
        agency_id=agency_id,
        case_id=case_id,
        case_number=case_number,
        kind=kind,
        label=label,
        subject=subject[:400],
        article=article,
        due_on=due_on,
        due_at=due_at,
        opens_on=opens_on,
        provisional=provisional,
        provisional_reason=provisional_reason,
        waiting=waiting,
        settled_on=settled_on,
        settled_late=late,
        reason=reason,
        on_list=settled_on is None or late,
    )


def _of_row(row: Obligation) -> Values:
    return Values(*(getattr(row, name) for name in Values._fields))


def _from_deadline(case: Case, deadline: CaseDeadline) -> Values:
    return _values(
        agency_id=case.agency_id,
        case_id=case.pk,
        case_number=case.case_number,
        kind=deadline.kind,
        label=deadline.label,
        subject=str(deadline.subject)[:400],
        article=deadline.article,
        due_on=deadline.due.due_on,
        opens_on=deadline.opens_on,
        provisional=deadline.due.provisional,
        provisional_reason=deadline.due.reason,
        waiting=deadline.waiting,
        settled_on=deadline.done_on,
    )


def _late_recordings(case: Case) -> Iterator[Values]:
    """Seed A art. 14 / Seed B art. 26: a recording is known only once stored, so its deadline
    is never open here; a late one stays listed as done late, with its reason."""
    from casetrail.evidence.models import Recording

    for recording in case.recordings.filter(late=True).order_by("storage_due_on", "pk"):
        assert isinstance(recording, Recording)
        yield _values(
            agency_id=case.agency_id,
            case_id=case.pk,
            case_number=case.case_number,
            kind="av_storage",
            label="音像记录储存",
            subject=f"{recording.get_kind_display()} {recording.filename}"[:400],
            due_on=recording.storage_due_on,
            provisional=recording.storage_due_provisional,
            provisional_reason=PROVISIONAL_WEEKDAYS if recording.storage_due_provisional else "",
            settled_on=clock.localdate(recording.stored_at),
            reason=recording.late_reason,
        )


def case_values(case: Case, calendar: WorkdayCalendar) -> list[Values]:
    """Every row *case* should have: the deadlines `case_deadlines` computes (while the case is
    open; an emergency backfill at any stage) and its late recordings."""
    from casetrail.cases.facts import case_facts
    from casetrail.procedure.deadlines import case_deadlines

    found: list[Values] = []
    if case.stage in OPEN_STAGES or case.start_type == StartType.EMERGENCY:
        facts = case_facts(case, calendar=calendar)
        found += [
            _from_deadline(case, d)
            for d in case_deadlines(facts)
            if case.stage in OPEN_STAGES or d.kind == "emergency_backfill"
        ]
    found += _late_recordings(case)
    return found


def backup_values(agencies: Iterable[Agency]) -> dict[int, list[Values]]:
    """Seed A art. 14 / REFERENCE rule 13: each agency's next off-site backup, once it has
    recordings to copy: due the profile's days after the last successful one (at once if none)."""
    from casetrail.cases.backup_status import backup_statuses

    found: dict[int, list[Values]] = {}
    for status in backup_statuses(agencies):
        found[status.agency.pk] = []
        if status.needed_since is None:
            continue
        due_at = status.due_at or status.needed_since
        last = status.last_success
        found[status.agency.pk].append(
            _values(
                agency_id=status.agency.pk,
                case_id=None,
                case_number="",
                kind="offsite_backup",
                label="异地备份",
                subject=f"最近一次成功备份 {clock.localdate(last.finished_at):%Y-%m-%d}"
                if last is not None
                else "尚无成功的异地备份",
                article="栾川县制度第十四条",
                due_on=clock.localdate(due_at),
                due_at=due_at,
                settled_on=None,
            )
        )
    return found


@dataclass(frozen=True)
class Difference:
    """A row that differs from what the rules compute: ``missing`` or ``extra`` (a moved row is
    one of each)."""

    agency_id: int
    case_number: str  # "" for an agency's own row
    kind: str
    problem: str
    due_on: date

    def describe(self) -> str:
        where = self.case_number or f"机关 {self.agency_id}"
        what = "缺少" if self.problem == "missing" else "多出或已过时"
        return f"{where} {self.kind}（期限 {self.due_on:%Y-%m-%d}）：{what}"


def _sync(existing: list[Obligation], wanted: list[Values], *, write: bool) -> list[Difference]:
    """Compare *existing* rows with *wanted*; with *write*, delete the extra, insert the missing."""
    have = Counter(_of_row(row) for row in existing)
    want = Counter(wanted)
    missing = want - have
    extra = have - want
    if write and (missing or extra):
        stale: list[int] = []
        left = Counter(extra)
        for row in existing:
            values = _of_row(row)
            if left[values] > 0:
                left[values] -= 1
                stale.append(row.pk)
        Obligation.objects.filter(pk__in=stale).delete()
        Obligation.objects.bulk_create(
            Obligation(**values._asdict()) for values in missing.elements()
        )
    return [
        Difference(v.agency_id, v.case_number, v.kind, problem, v.due_on)
        for problem, counted in (("missing", missing), ("extra", extra))
        for v in counted.elements()
    ]


def refresh_obligations(case: Case, calendar: WorkdayCalendar | None = None) -> None:
    """Rewrite *case*'s rows where they differ from what the rules compute now. Called in the
    transaction of every act on the case (`ledger.append.on_case_entry`)."""
    # Locked (the acts on a case hold it already): two writers of one case's rows take turns.
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    if "agency" in case._state.fields_cache and case.agency_id == fresh.agency_id:
        fresh.agency = case.agency  # its profile is parsed already
    wanted = case_values(fresh, calendar or working_calendar())
    _sync(list(Obligation.objects.filter(case=fresh)), wanted, write=True)


def refresh_backup_obligations(agencies: Iterable[Agency] | None = None) -> None:
    """Rewrite the agencies' next-backup rows (every agency's by default): a backup run moves
    them all, an agency's first stored recording starts its clock."""
    chosen = list(agencies) if agencies is not None else list(Agency.objects.order_by("pk"))
    for agency in chosen:
        [wanted] = backup_values([agency]).values()
        existing = list(Obligation.objects.filter(agency=agency, case__isnull=True))
        if not _sync(existing, wanted, write=False):
            continue  # the usual case: nothing moved, and recordings are not serialised
        # Something moves: take turns with any other writer of this agency's row, then
        # recompute what they may have committed meanwhile.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        [wanted] = backup_values([agency]).values()
        existing = list(Obligation.objects.filter(agency=agency, case__isnull=True))
        _sync(existing, wanted, write=True)


def refresh_agency_obligations(agency: Agency) -> None:
    """Every row of *agency* (its profile changed: periods and backup age move)."""
    calendar = working_calendar()
    for case in _cases_with_rows(Case.objects.filter(agency=agency)).iterator(chunk_size=500):
        case.agency = agency
        refresh_obligations(case, calendar)
    refresh_backup_obligations([agency])


def refresh_after_calendar(year: int) -> None:
    """The rows a newly entered *year* can move: a period that ends before the year began never
    counted one of its days, so only cases with a row due on or after 1 January are recomputed."""
    calendar = working_calendar()
    touched = Obligation.objects.filter(due_on__gte=date(year, 1, 1), case__isnull=False)
    cases = Case.objects.filter(pk__in=touched.values("case_id")).select_related("agency")
    for case in _with_shared_agencies(cases.order_by("pk")):
        refresh_obligations(case, calendar)


def _cases_with_rows(cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases that have or may have rows: open, emergency, with a late recording, or with a
    row already (which may be one too many)."""
    base = Case.objects.all() if cases is None else cases
    chosen = base.filter(
        Q(stage__in=OPEN_STAGES)
        | Q(start_type=StartType.EMERGENCY)
        | Q(pk__in=_late_case_ids())
        | Q(pk__in=Obligation.objects.filter(case__isnull=False).values("case_id"))
    )
    return chosen.select_related("agency").order_by("pk")


def _late_case_ids() -> QuerySet[Any]:
    from casetrail.evidence.models import Recording

    return Recording.objects.filter(late=True).values("case_id")


def _with_shared_agencies(cases: Iterable[Case]) -> Iterator[Case]:
    """Each case with one `Agency` object per agency, so each profile is parsed once."""
    agencies: dict[int, Agency] = {}
    for case in cases:
        case.agency = agencies.setdefault(case.agency_id, case.agency)
        yield case


def check_obligations(
    *, repair: bool, progress: Callable[[int, int], None] | None = None
) -> list[Difference]:
    """Recompute every row from the ledgered facts and return each difference; with *repair*,
    rewrite the rows that differ (each case in its own transaction). *progress* is told
    (done, total) every 500 cases and at the end."""
    calendar = working_calendar()
    found: list[Difference] = []
    cases = _cases_with_rows()
    total = cases.count()
    shared = _with_shared_agencies(cases.iterator(chunk_size=500))
    for done, case in enumerate(shared, start=1):
        with transaction.atomic():
            existing = list(Obligation.objects.filter(case=case))
            found += _sync(existing, case_values(case, calendar), write=repair)
        if progress is not None and (done % 500 == 0 or done == total):
            progress(done, total)
    with transaction.atomic():
        wanted = backup_values(Agency.objects.order_by("pk"))
        for agency_id in sorted(
            set(wanted)
            | set(Obligation.objects.filter(case__isnull=True).values_list("agency_id", flat=True))
        ):
            own = Obligation.objects.filter(agency_id=agency_id, case__isnull=True)
            found += _sync(list(own), wanted.get(agency_id, []), write=repair)
    return found
