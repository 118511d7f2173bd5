"""The demand and the court enforcement window (rules 34, 35), over the 2026 holidays.

2026: 中秋 9-25..27 off with 9-20 (Sunday) worked; 国庆 10-01..07 off with 10-10 (Saturday) worked.
"""

from __future__ import annotations

from datetime import date

from casetrail.policy.profiles import builtin_profile
from casetrail.procedure.rules.enforcement import (
    CourtWindow,
    court_application_problem,
    court_window,
    demand_service_problem,
    remedy_expiry,
)
from casetrail.procedure.workdays import WorkdayCalendar, builtin_calendar_data

CALENDAR = WorkdayCalendar(builtin_calendar_data())
PROFILE = builtin_profile("luanchuan-2020")


def window(
    demand: date, decision: date, *, stated: bool = True, deferred: date | None = None
) -> CourtWindow:
    return court_window(
        demand_served_on=demand,
        decision_served_on=decision,
        remedy_stated=stated,
        profile=PROFILE,
        calendar=CALENDAR,
        deferred_until=deferred,
    )


def test_the_demand_is_served_directly() -> None:
    assert demand_service_problem("direct", profile=PROFILE) is None
    assert demand_service_problem("left_at_address", profile=PROFILE) is None
    problem = demand_service_problem("postal", profile=PROFILE)
    assert problem is not None
    assert problem.rule == "34"
    assert (
        problem.article
        == "栾川县制度第十二条第一款；《行政强制法》第三十五条、第三十六条、第三十八条"
    )


def test_the_remedy_periods_end_six_months_after_service_or_a_year_without_notice() -> None:
    assert remedy_expiry(date(2026, 3, 10), remedy_stated=True) == date(2026, 9, 10)
    assert remedy_expiry(date(2026, 3, 10), remedy_stated=False) == date(2027, 3, 10)
    assert remedy_expiry(date(2026, 8, 31), remedy_stated=True) == date(2027, 2, 28)


def test_the_window_opens_ten_working_days_after_the_demand_across_national_day() -> None:
    """Served Tue 9-22: the 10 working days run over 国庆 and count Saturday 10-10 (调休上班):
    9-23, 24, 28, 29, 30, 10-08, 09, 10, 12, 13; the window opens the next working day."""
    result = window(date(2026, 9, 22), date(2026, 3, 10))
    assert result.opens_on == date(2026, 10, 14)
    assert result.closes_on == date(2026, 12, 10)
    assert not result.provisional


def test_the_window_closing_on_a_holiday_moves_to_the_next_working_day() -> None:
    """Expiry 7-03 + 3 months = 10-03, a day off: the period ends on 10-08 (民事诉讼法 第85条)."""
    result = window(date(2026, 6, 1), date(2026, 1, 3))
    assert result.closes_on == date(2026, 10, 8)


def test_an_application_before_the_window_is_refused() -> None:
    result = window(date(2026, 9, 22), date(2026, 3, 10))
    problem = court_application_problem(result, on=date(2026, 10, 13), challenged=False)
    assert problem is not None
    assert problem.rule == "35"
    assert "2026-10-14" in problem.message
    assert court_application_problem(result, on=date(2026, 10, 14), challenged=False) is None


def test_an_application_after_the_window_is_refused() -> None:
    result = window(date(2026, 9, 22), date(2026, 3, 10))
    assert court_application_problem(result, on=date(2026, 12, 10), challenged=False) is None
    problem = court_application_problem(result, on=date(2026, 12, 11), challenged=False)
    assert problem is not None
    assert "已超过" in problem.message


def test_a_challenged_decision_is_not_enforced() -> None:
    result = window(date(2026, 9, 22), date(2026, 3, 10))
    problem = court_application_problem(result, on=date(2026, 10, 20), challenged=True)
    assert problem is not None
    assert "复议" in problem.message


def test_a_deferral_shifts_the_end_of_the_window() -> None:
    result = window(date(2026, 9, 22), date(2026, 3, 10), deferred=date(2026, 9, 30))
    assert result.closes_on == date(2026, 12, 30)


def test_beyond_the_calendar_the_window_is_provisional() -> None:
    result = window(date(2026, 12, 1), date(2026, 9, 1))
    assert result.provisional
    assert "2027" in result.reason
