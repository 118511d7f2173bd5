"""The act that enters one year's official working-day calendar.

Statutory deadlines count working days (行政处罚法 第85条; 全国年节及纪念日放假办法 第6–7条), so a
forged holiday moves a deadline: the calendar is entered by this act only, as an insert-only
`CalendarYear` with its days committed inside its digest, in every agency's log. Entering a
year again adds a new version; the latest is in force (`selectors.working_calendar`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.cases.actions.deployment import append_to_every_log
from casetrail.cases.models import CalendarDay, CalendarYear
from casetrail.cases.obligation_rows import refresh_after_calendar
from casetrail.ledger.records import record_ref
from casetrail.procedure.errors import RuleViolation

ARTICLE = "全国年节及纪念日放假办法 第六条、第七条（以国务院办公厅每年的放假安排通知为准）"
FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_SOURCE = 200
MAX_NAME = 50


@dataclass(frozen=True)
class CalendarEntry:
    """One day of the notice: a day off (``is_working_day`` False) or a make-up workday."""

    day: date
    is_working_day: bool
    name: str


def _refused(field: str, message: str) -> RuleViolation:
    return RuleViolation(rule="calendar", article=ARTICLE, field=field, message=message)


def check_calendar_year(year: int, source: str, days: Sequence[CalendarEntry]) -> None:
    """Refuse a year that cannot be an official schedule, naming the field and the day."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _refused("year", f"年份：须在 {FIRST_YEAR} 至 {LAST_YEAR} 之间")
    if not source.strip() or len(source.strip()) > MAX_SOURCE:
        raise _refused("source", f"依据：须填写国务院办公厅通知文号，不超过 {MAX_SOURCE} 个字符")
    seen: set[date] = set()
    for entry in days:
        where = entry.day.isoformat()
        if entry.day.year != year:
            raise _refused("days", f"日期：{where} 不在 {year} 年内")
        if entry.day in seen:
            raise _refused("days", f"日期：{where} 出现了不止一次")
        seen.add(entry.day)
        if not entry.name.strip() or len(entry.name.strip()) > MAX_NAME:
            raise _refused("days", f"说明：{where} 须注明节日名称，不超过 {MAX_NAME} 个字符")


def do_set_calendar_year(
    *, acting_user: User | None, year: int, source: str, days: Sequence[CalendarEntry]
) -> CalendarYear:
    """Enter *year*'s days off and make-up workdays, replacing any earlier version of the year."""
    check_calendar_year(year, source, days)
    with transaction.atomic():
        earlier = CalendarYear.objects.filter(year=year).order_by("-id").first()
        row = CalendarYear(
            year=year, source=source.strip(), entered_at=clock.now(), entered_by=acting_user
        )
        row.save()
        CalendarDay.objects.bulk_create(
            CalendarDay(
                calendar=row, day=e.day, is_working_day=e.is_working_day, name=e.name.strip()
            )
            for e in sorted(days, key=lambda e: e.day)
        )
        append_to_every_log(
            action="calendar.set_year",
            actor=acting_user,
            records=[row],
            facts={
                "year": year,
                "source": row.source,
                "days_off": [e.day.isoformat() for e in days if not e.is_working_day],
                "workdays": [e.day.isoformat() for e in days if e.is_working_day],
                "replaces": earlier.pk if earlier is not None else None,
            },
            previous=record_ref(earlier) if earlier is not None else None,
        )
        refresh_after_calendar(year)  # the working days it changes move deadlines
    return row
