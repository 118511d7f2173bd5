"""Working-day deadlines against the official schedule (REFERENCE.md §5, rule 46)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.procedure.workdays import (
    CalendarData,
    Due,
    WorkdayCalendar,
    add_period,
    builtin_calendar_data,
)

BUILTIN = builtin_calendar_data()
CAL = WorkdayCalendar(BUILTIN)
FIRST_UNCOVERED = max(BUILTIN.covered_years) + 1


def _reason(*years: int) -> str:
    listed = "、".join(f"{year}年" for year in years)
    return f"{listed}的法定节假日安排尚未录入，期限按周一至周五推算，仅供参考"


def _first_weekday_of(year: int) -> date:
    day = date(year, 1, 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class TestBuiltinData:
    def test_covered_years_are_the_packages_own(self) -> None:
        years = {day.year for day in chinese_calendar.holidays}
        assert BUILTIN.covered_years == frozenset(range(min(years), max(years) + 1))
        assert {2004, 2026} <= BUILTIN.covered_years

    def test_names_are_chinese(self) -> None:
        assert BUILTIN.holidays[date(2026, 10, 1)] == "国庆节"
        assert BUILTIN.makeup_workdays[date(2026, 2, 14)] == "春节"

    def test_agrees_with_the_package_on_every_covered_day(self) -> None:
        day = date(min(BUILTIN.covered_years), 1, 1)
        end = date(max(BUILTIN.covered_years), 12, 31)
        while day <= end:
            assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += timedelta(days=1)

    def test_tables_cannot_be_edited(self) -> None:
        with pytest.raises(TypeError):
            BUILTIN.holidays[date(2026, 3, 2)] = "x"  # type: ignore[index]

    def test_a_day_cannot_be_both_off_and_a_makeup_day(self) -> None:
        with pytest.raises(ValueError, match="2026-10-10"):
            CalendarData({date(2026, 10, 10): "a"}, {date(2026, 10, 10): "b"}, frozenset())


class TestOfficial2026Schedule:
    """Dates from the State Council's 2026 notice, as shipped in chinesecalendar 1.11.0."""

    @pytest.mark.parametrize("day", [date(2026, 10, d) for d in range(1, 8)])
    def test_national_day_week_is_off(self, day: date) -> None:
        assert not CAL.is_working_day(day)

    MAKEUP_DAYS = (1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)

    @pytest.mark.parametrize("day", [date(2026, m, d) for m, d in MAKEUP_DAYS])
    def test_makeup_weekend_days_are_working_days(self, day: date) -> None:
        assert day.weekday() >= 5
        assert CAL.is_working_day(day)

    def test_spring_festival_2026_is_off(self) -> None:
        days_off = [date(2026, 2, d) for d in range(15, 24)]
        assert not any(CAL.is_working_day(day) for day in days_off)
        assert CAL.is_working_day(date(2026, 2, 24))

    def test_two_working_days_across_national_day(self) -> None:
        assert CAL.add_working_days(date(2026, 9, 30), 2) == Due(date(2026, 10, 9), False, "")

    def test_saturday_makeup_day_counts(self) -> None:
        assert CAL.add_working_days(date(2026, 10, 8), 2).due_on == date(2026, 10, 10)

    def test_sunday_makeup_day_before_national_day_counts(self) -> None:
        assert CAL.add_working_days(date(2026, 9, 18), 1).due_on == date(2026, 9, 20)

    def test_five_working_days_across_spring_festival(self) -> None:
        # 02-14 (Sat, make-up) is day 1; 02-15..02-23 off; 02-24..02-27 are days 2-5.
        assert CAL.add_working_days(date(2026, 2, 13), 5).due_on == date(2026, 2, 27)
        assert CAL.add_working_days(date(2026, 2, 27), 1).due_on == date(2026, 2, 28)

    def test_reference_examples_from_2025(self) -> None:
        assert CAL.add_working_days(date(2025, 9, 30), 7).due_on == date(2025, 10, 16)
        assert CAL.add_working_days(date(2025, 1, 24), 1).due_on == date(2025, 1, 26)
        assert CAL.add_working_days(date(2025, 1, 24), 2).due_on == date(2025, 1, 27)

    def test_counting_working_days_between(self) -> None:
        assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == (2, False)
        assert CAL.working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == (0, False)
        assert CAL.working_days_between(date(2026, 10, 9), date(2026, 10, 9)) == (0, False)


class TestEdgesOfN:
    def test_zero_working_days_is_the_start_day(self) -> None:
        assert CAL.add_working_days(date(2026, 10, 3), 0) == Due(date(2026, 10, 3), False, "")

    def test_negative_is_refused(self) -> None:
        with pytest.raises(ValueError, match="负数"):
            CAL.add_working_days(date(2026, 10, 3), -1)
        with pytest.raises(ValueError, match="负数"):
            CAL.add_calendar_days(date(2026, 10, 3), -1)

    def test_between_refuses_an_end_before_the_start(self) -> None:
        with pytest.raises(ValueError, match="早于"):
            CAL.working_days_between(date(2026, 10, 9), date(2026, 10, 8))


class TestCalendarDays:
    def test_ending_on_a_working_day_stays(self) -> None:
        assert CAL.add_calendar_days(date(2026, 3, 1), 15).due_on == date(2026, 3, 16)

    def test_ending_on_a_holiday_moves_to_the_next_working_day(self) -> None:
        # 2026-09-16 + 15 days = 10-01 (国庆节); the next working day is 10-08.
        assert CAL.add_calendar_days(date(2026, 9, 16), 15) == Due(date(2026, 10, 8), False, "")

    def test_ending_on_a_plain_weekend_moves_to_monday(self) -> None:
        assert CAL.add_calendar_days(date(2026, 3, 6), 15).due_on == date(2026, 3, 23)

    def test_ending_on_a_makeup_saturday_stays(self) -> None:
        assert CAL.add_calendar_days(date(2026, 9, 25), 15).due_on == date(2026, 10, 10)

    def test_add_period_dispatches_on_the_unit(self) -> None:
        start = date(2026, 9, 30)
        assert add_period(CAL, start, 2, "working_days").due_on == date(2026, 10, 9)
        assert add_period(CAL, start, 2, "calendar_days").due_on == date(2026, 10, 8)
        with pytest.raises(ValueError, match="单位"):
            add_period(CAL, start, 2, "weeks")  # type: ignore[arg-type]


class TestUncoveredYears:
    def test_a_period_walking_into_an_unpublished_year_is_provisional(self) -> None:
        start = date(FIRST_UNCOVERED - 1, 12, 24)
        due = CAL.add_working_days(start, 10)
        assert due.due_on.year == FIRST_UNCOVERED
        assert due.provisional
        assert due.reason == _reason(FIRST_UNCOVERED)

    def test_uncovered_years_fall_back_to_monday_to_friday(self) -> None:
        friday = _first_weekday_of(FIRST_UNCOVERED) + timedelta(days=7)
        while friday.weekday() != 4:
            friday += timedelta(days=1)
        due = CAL.add_working_days(friday, 1)
        assert due.due_on == friday + timedelta(days=3)
        assert not CAL.is_covered(friday)

    def test_calendar_days_ending_in_an_unpublished_year_are_provisional(self) -> None:
        due = CAL.add_calendar_days(date(FIRST_UNCOVERED - 1, 12, 20), 30)
        assert due.provisional
        assert due.reason == _reason(FIRST_UNCOVERED)

    def test_several_missing_years_are_all_named(self) -> None:
        due = CAL.add_working_days(date(FIRST_UNCOVERED - 1, 12, 30), 300)
        assert due.reason == _reason(FIRST_UNCOVERED, FIRST_UNCOVERED + 1)

    def test_counting_into_an_unpublished_year_is_provisional(self) -> None:
        start = date(FIRST_UNCOVERED - 1, 12, 24)
        count, provisional = CAL.working_days_between(start, date(FIRST_UNCOVERED, 1, 15))
        assert provisional
        assert count > 0

    def test_an_override_table_completes_the_year(self) -> None:
        new_years_day = _first_weekday_of(FIRST_UNCOVERED)
        data = BUILTIN.with_overrides([(new_years_day, False, "元旦")], [FIRST_UNCOVERED])
        cal = WorkdayCalendar(data)
        before = new_years_day - timedelta(days=1)
        due = cal.add_working_days(before, 1)
        assert due == Due(cal.add_working_days(new_years_day, 1).due_on, False, "")
        assert due.due_on > new_years_day
        assert cal.is_covered(new_years_day)

    def test_provisional_means_computed_without_the_schedule(self) -> None:
        start = date(FIRST_UNCOVERED - 1, 12, 24)
        plain = CAL.add_working_days(start, 10)
        declared = WorkdayCalendar(BUILTIN.with_overrides([], [FIRST_UNCOVERED]))
        assert declared.add_working_days(start, 10) == Due(plain.due_on, False, "")


class TestOverrides:
    """A synthetic calendar, independent of the package, for the override semantics."""

    BASE = CalendarData({date(2027, 1, 1): "元旦"}, {}, frozenset({2027}))

    def test_a_makeup_saturday_becomes_a_working_day(self) -> None:
        data = self.BASE.with_overrides([(date(2027, 2, 20), True, "春节")], [])
        assert WorkdayCalendar(data).is_working_day(date(2027, 2, 20))
        assert data.makeup_workdays == {date(2027, 2, 20): "春节"}

    def test_a_package_holiday_can_be_cancelled(self) -> None:
        data = self.BASE.with_overrides([(date(2027, 1, 1), True, "更正")], [])
        assert WorkdayCalendar(data).is_working_day(date(2027, 1, 1))
        assert data.holidays == {}
        assert data.makeup_workdays == {}

    def test_a_weekday_becomes_a_day_off(self) -> None:
        data = self.BASE.with_overrides([(date(2027, 2, 8), False, "春节")], [2028])
        assert not WorkdayCalendar(data).is_working_day(date(2027, 2, 8))
        assert data.covered_years == {2027, 2028}

    def test_the_original_is_unchanged(self) -> None:
        self.BASE.with_overrides([(date(2027, 1, 1), True, "更正")], [2028])
        assert self.BASE.holidays == {date(2027, 1, 1): "元旦"}
        assert self.BASE.covered_years == {2027}

    def test_a_day_listed_twice_is_refused(self) -> None:
        rows = [(date(2027, 2, 8), False, "春节"), (date(2027, 2, 8), True, "春节")]
        with pytest.raises(ValueError, match="2027-02-08"):
            self.BASE.with_overrides(rows, [])


starts = st.dates(min_value=date(2004, 1, 1), max_value=date(FIRST_UNCOVERED + 1, 12, 31))


@given(start=starts, n=st.integers(min_value=1, max_value=120))
def test_adding_working_days_round_trips(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.is_working_day(due.due_on)
    assert CAL.working_days_between(start, due.due_on) == (n, due.provisional)
    assert CAL.working_days_between(start, due.due_on - timedelta(days=1))[0] == n - 1


@given(start=starts, n=st.integers(min_value=0, max_value=400))
def test_calendar_days_land_on_the_first_working_day_from_the_last_day(start: date, n: int) -> None:
    due = CAL.add_calendar_days(start, n)
    last = start + timedelta(days=n)
    assert CAL.is_working_day(due.due_on)
    assert due.due_on >= last
    skipped = [last + timedelta(days=k) for k in range((due.due_on - last).days)]
    assert not any(CAL.is_working_day(day) for day in skipped)
