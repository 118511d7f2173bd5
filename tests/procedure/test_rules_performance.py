"""Performance: the fine's due day, the late surcharge, deferral, repeated corrections (32, 33)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from casetrail.policy.profiles import builtin_profile
from casetrail.procedure.rules.performance import (
    Pause,
    corrections_within_a_year,
    deferral_problem,
    fine_due,
    late_surcharge,
    repeated_corrections_warning,
)
from casetrail.procedure.workdays import WorkdayCalendar, builtin_calendar_data

CALENDAR = WorkdayCalendar(builtin_calendar_data())
PROFILE = builtin_profile("luanchuan-2020")


def test_the_fine_is_due_fifteen_days_after_service_moved_past_a_holiday() -> None:
    assert fine_due(date(2026, 11, 2), PROFILE, CALENDAR).due_on == date(2026, 11, 17)
    # 9-16 + 15 = 10-01, 国庆: the period ends on the first working day after it (民诉法 第85条)
    assert fine_due(date(2026, 9, 16), PROFILE, CALENDAR).due_on == date(2026, 10, 8)


def test_the_surcharge_is_three_percent_a_day() -> None:
    assert late_surcharge(
        Decimal("10000"), due_on=date(2026, 11, 17), until=date(2026, 11, 20)
    ) == Decimal("900.00")


def test_the_surcharge_never_exceeds_the_fine() -> None:
    assert late_surcharge(
        Decimal("10000"), due_on=date(2026, 1, 1), until=date(2026, 6, 1)
    ) == Decimal("10000")


def test_the_surcharge_stops_while_a_lawsuit_is_pending() -> None:
    pending = Pause(date(2026, 11, 19), date(2026, 11, 30))
    assert late_surcharge(
        Decimal("10000"), due_on=date(2026, 11, 17), until=date(2026, 12, 1), pauses=[pending]
    ) == Decimal("600.00")


def test_deferral_needs_an_application_and_approval() -> None:
    problem = deferral_problem(approved=False, has_application=True)
    assert problem is not None
    assert (problem.rule, problem.field) == ("32", "approval")
    problem = deferral_problem(approved=True, has_application=False)
    assert problem is not None
    assert problem.field == "application"
    assert deferral_problem(approved=True, has_application=True) is None


def test_corrections_are_counted_over_a_rolling_year() -> None:
    orders = [date(2025, 11, 23), date(2026, 2, 1), date(2026, 6, 1), date(2026, 11, 1)]
    assert corrections_within_a_year(orders, on=date(2026, 11, 23)) == 3
    assert "情节严重" in repeated_corrections_warning(orders, on=date(2026, 11, 23))
    assert repeated_corrections_warning(orders[:2], on=date(2026, 11, 23)) == ""
