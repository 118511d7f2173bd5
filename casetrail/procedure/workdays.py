"""The working-day calendar behind every statutory deadline.

A "工作日" is Monday to Friday minus the official days off, plus the make-up workdays (调休上班)
of the State Council's annual notice (全国年节及纪念日放假办法 第6–7条). 行政处罚法 第85条 and
行政强制法 第69条 make the short periods of those laws working days; 民诉法 第85条 supplies the
counting convention: the start day is not counted, and a period whose last day is a day off ends
on the next working day.

Years whose official schedule is unknown are computed Monday to Friday and every deadline that
touches them is marked provisional (REFERENCE.md, rule 46).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Literal

PeriodUnit = Literal["working_days", "calendar_days"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@dataclass(frozen=True)
class CalendarData:
    """The official schedule: days off, make-up workdays and the years they are complete for."""

    holidays: Mapping[date, str]
    makeup_workdays: Mapping[date, str]
    covered_years: frozenset[int]

    def __post_init__(self) -> None:
        # Frozen means frozen: callers must not be able to edit the tables behind our back.
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "makeup_workdays", MappingProxyType(dict(self.makeup_workdays)))
        object.__setattr__(self, "covered_years", frozenset(self.covered_years))
        clash = sorted(set(self.holidays) & set(self.makeup_workdays))
        if clash:
            raise ValueError(f"{clash[0].isoformat()} 不能既是放假日又是调休上班日")

    def with_overrides(
        self, days: Iterable[tuple[date, bool, str]], covered_years: Iterable[int]
    ) -> CalendarData:
        """Apply the agency's editable table: each ``(day, is_working_day, name)`` wins."""
        holidays = dict(self.holidays)
        makeup = dict(self.makeup_workdays)
        seen: set[date] = set()
        for day, working, name in days:
            if day in seen:
                raise ValueError(f"节假日调整表中 {day.isoformat()} 出现了不止一次")
            seen.add(day)
            holidays.pop(day, None)
            makeup.pop(day, None)
            if not working:
                holidays[day] = name
            elif day.weekday() >= _SATURDAY:
                makeup[day] = name
        return CalendarData(holidays, makeup, self.covered_years | frozenset(covered_years))


def builtin_calendar_data() -> CalendarData:
    """The schedule shipped in ``chinese_calendar``, covering exactly the years it knows."""
    holidays, makeup = _package_tables()
    # The package itself refuses any year outside min..max of its holiday table.
    years = {day.year for day in holidays}
    covered = frozenset(range(min(years), max(years) + 1))
    return CalendarData(holidays, makeup, covered)


def _package_tables() -> tuple[dict[date, str], dict[date, str]]:
    """The one typed boundary around the untyped ``chinese_calendar`` package."""
    import chinese_calendar

    package: Any = chinese_calendar
    chinese_names = {member.value: str(member.chinese) for member in package.Holiday}

    def named(table: Mapping[date, str]) -> dict[date, str]:
        return {day: chinese_names.get(value, str(value)) for day, value in table.items()}

    return named(package.holidays), named(package.workdays)


@dataclass(frozen=True)
class Due:
    """The last permitted day of a period, and whether it rests on an unpublished schedule."""

    due_on: date
    provisional: bool
    reason: str


class WorkdayCalendar:
    """Working-day arithmetic over one :class:`CalendarData`."""

    def __init__(self, data: CalendarData) -> None:
        self._data = data

    @property
    def data(self) -> CalendarData:
        return self._data

    def is_covered(self, day: date) -> bool:
        return day.year in self._data.covered_years

    def is_working_day(self, day: date) -> bool:
        """Official schedule; outside it Monday to Friday (days the table lists still count)."""
        if day in self._data.makeup_workdays:
            return True
        if day in self._data.holidays:
            return False
        return day.weekday() < _SATURDAY

    def add_working_days(self, start: date, n: int) -> Due:
        """The n-th working day after ``start``; the start day is not counted.

        行政处罚法 第85条 (二日、三日、五日、七日 are working days); 行政强制法 第69条;
        民诉法 第85条 第2款 (the start day is not counted).
        """
        _require_non_negative(n)
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return self._due(day, examined_from=start + _ONE_DAY if n else start)

    def add_calendar_days(self, start: date, n: int) -> Due:
        """``start`` + n days, moved to the next working day if that day is a day off.

        民诉法 第85条: the start day is not counted; "期间届满的最后一日是法定休假日的，以法定
        休假日后的第一日为期间届满的日期".
        """
        _require_non_negative(n)
        last = start + timedelta(days=n)
        due_on = self._first_working_day_from(last)
        return self._due(due_on, examined_from=last)

    def working_days_between(self, start: date, end: date) -> tuple[int, bool]:
        """Working days after ``start`` up to and including ``end``, and whether provisional."""
        if end < start:
            raise ValueError(f"结束日期 {end.isoformat()} 早于起算日期 {start.isoformat()}")
        count = sum(1 for day in _days(start + _ONE_DAY, end) if self.is_working_day(day))
        return count, bool(self._uncovered_years(start + _ONE_DAY, end))

    def _first_working_day_from(self, day: date) -> date:
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def _due(self, due_on: date, *, examined_from: date) -> Due:
        missing = self._uncovered_years(examined_from, due_on)
        return Due(due_on=due_on, provisional=bool(missing), reason=_provisional_reason(missing))

    def _uncovered_years(self, first: date, last: date) -> list[int]:
        years = range(first.year, last.year + 1)
        return [year for year in years if year not in self._data.covered_years]


def add_period(cal: WorkdayCalendar, start: date, days: int, unit: PeriodUnit) -> Due:
    """Dispatch on the unit a policy profile gives a period."""
    if unit == "working_days":
        return cal.add_working_days(start, days)
    if unit == "calendar_days":
        return cal.add_calendar_days(start, days)
    raise ValueError(f"期限单位应为 working_days 或 calendar_days，实际为 {unit!r}")


def _require_non_negative(n: int) -> None:
    if n < 0:
        raise ValueError(f"期限天数不能为负数：{n}")


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


def _provisional_reason(years: list[int]) -> str:
    if not years:
        return ""
    listed = "、".join(f"{year}年" for year in years)
    return f"{listed}的法定节假日安排尚未录入，期限按周一至周五推算，仅供参考"


def add_months(start: date, months: int) -> date:
    """The last day of a period of *months* months from *start*: the day with the same number
    in the final month, or that month's last day when it has none (民法典 第202条)."""
    _require_non_negative(months)
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - _ONE_DAY).day
    return date(year, month, min(start.day, last))


def period_end(cal: WorkdayCalendar, last_day: date) -> Due:
    """A period whose last day is a day off ends on the next working day (民事诉讼法 第85条)."""
    return cal.add_calendar_days(last_day, 0)
