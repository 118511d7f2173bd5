"""After the decision: the demand (催告) and the window for applying to the court for
enforcement (申请人民法院强制执行). Statistics agencies have no power of compulsory enforcement of
their own (行政强制法 第53条): they apply to the court.

Seed A art. 12; Seed B art. 16–17; 行政强制法 第35–38条、第53–55条、第69条; 行政诉讼法 第46条;
行政复议法 第20条; 行诉解释 第64条、第156条; REFERENCE.md rules 34 and 35. Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from casetrail.policy.profiles import PolicyProfile
from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.workdays import Due, WorkdayCalendar, add_months, add_period

# 行政复议法 第20条: 六十日; 行政诉讼法 第46条: 六个月; 行诉解释 第64条: 未告知起诉期限的，
# 从知道或者应当知道起诉期限之日起计算，但最长不得超过一年.
RECONSIDERATION_DAYS: Final = 60
LAWSUIT_MONTHS: Final = 6
LAWSUIT_MONTHS_WITHOUT_NOTICE: Final = 12
DEMAND_SERVICE_METHODS: Final = frozenset({"direct", "left_at_address"})


def demand_service_problem(method: str, *, profile: PolicyProfile) -> RuleViolation | None:
    """The demand (催告书) is served directly (Seed A art. 12 第1款: 直接送达; 行政强制法 第38条
    applies the 民事诉讼法 rules, so 留置 at the address also counts as direct). Rule 34."""
    if method in DEMAND_SERVICE_METHODS:
        return None
    return RuleViolation(
        rule="34",
        article=cite(profile, "R34"),
        field="method",
        message="催告书：应当直接送达当事人（当事人拒收的可以留置送达）",
    )


def remedy_expiry(decision_served_on: date, *, remedy_stated: bool) -> date:
    """The last day on which the party may still challenge the decision: the lawsuit period of
    6 months (行政诉讼法 第46条) outlasts reconsideration's 60 days (行政复议法 第20条); one year
    when the decision did not state the period (行诉解释 第64条)."""
    months = LAWSUIT_MONTHS if remedy_stated else LAWSUIT_MONTHS_WITHOUT_NOTICE
    lawsuit = add_months(decision_served_on, months)
    reconsideration = decision_served_on + timedelta(days=RECONSIDERATION_DAYS)
    return max(lawsuit, reconsideration)


@dataclass(frozen=True)
class CourtWindow:
    """The days on which a court enforcement application may be filed (rule 35)."""

    opens_on: date
    closes_on: date
    provisional: bool
    reason: str

    def contains(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


def court_window(
    *,
    demand_served_on: date,
    decision_served_on: date,
    remedy_stated: bool,
    profile: PolicyProfile,
    calendar: WorkdayCalendar,
    deferred_until: date | None = None,
) -> CourtWindow:
    """(a) the demand's period of ``demand_to_court`` (10 working days, 行政强制法 第54条、第69条)
    has run; (b) the reconsideration and lawsuit periods have expired (第53条); (c) at most
    ``court_window_months`` (3) months after that expiry, later by an approved deferral.
    """
    demand_due: Due = add_period(
        calendar, demand_served_on, profile.demand_to_court.days, profile.demand_to_court.unit
    )
    expiry = remedy_expiry(decision_served_on, remedy_stated=remedy_stated)
    start = max(expiry, deferred_until) if deferred_until else expiry
    # The day after both periods have run, on the next working day (courts accept filings then).
    opens = calendar.add_working_days(max(demand_due.due_on, expiry), 1)
    closes = calendar.add_calendar_days(add_months(start, profile.court_window_months), 0)
    provisional = demand_due.provisional or opens.provisional or closes.provisional
    reason = demand_due.reason or opens.reason or closes.reason
    return CourtWindow(opens.due_on, closes.due_on, provisional, reason)


def court_application_problem(
    window: CourtWindow, *, on: date, challenged: bool
) -> RuleViolation | None:
    """A court enforcement application only inside its window and only when the decision was
    not challenged (行政强制法 第53–54条; Seed A art. 12(2); Seed B art. 17; rule 35)."""
    article = "《行政强制法》第五十三条、第五十四条"
    if challenged:
        return RuleViolation(
            rule="35",
            article=article,
            field="court_application",
            message="强制执行申请：当事人已申请行政复议或者提起行政诉讼，不得申请强制执行",
        )
    if on < window.opens_on:
        return RuleViolation(
            rule="35",
            article=article,
            field="court_application",
            message=f"强制执行申请：{window.opens_on.isoformat()}起方可申请"
            "（催告书送达满十个工作日，且复议、诉讼期限届满）",
        )
    if on > window.closes_on:
        return RuleViolation(
            rule="35",
            article=article,
            field="court_application",
            message=f"强制执行申请：已超过申请期限（{window.closes_on.isoformat()}）",
        )
    return None
