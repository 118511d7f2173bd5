"""Performance of a decision (履行): the fine's due day, the late surcharge, deferral, and
corrections counted per party.

行政处罚法 第66–67条、第72–73条; Seed B art. 14–15; 统计法实施条例 第50条(四);
REFERENCE.md rules 32 and 33. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from casetrail.policy.profiles import PolicyProfile
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.workdays import Due, WorkdayCalendar, add_months, add_period

# 行政处罚法 第72条 第1款(一): 每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额.
SURCHARGE_RATE: Final = Decimal("0.03")
CENT: Final = Decimal("0.01")
# 统计法实施条例 第50条(四): 一年内被责令改正三次以上的 is 情节严重.
SERIOUS_CORRECTIONS: Final = 3


def fine_due(served_on: date, profile: PolicyProfile, calendar: WorkdayCalendar) -> Due:
    """The fine is paid within 15 days of receiving the decision (行政处罚法 第67条 第3款)."""
    return add_period(calendar, served_on, profile.fine_payment.days, profile.fine_payment.unit)


@dataclass(frozen=True)
class Pause:
    """Days on which the surcharge does not run: reconsideration or lawsuit pending
    (行政处罚法 第73条 第3款), or an approved deferral (第66条)."""

    first_day: date
    last_day: date

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def late_surcharge(
    fine: Decimal, *, due_on: date, until: date, pauses: Iterable[Pause] = ()
) -> Decimal:
    """3 % of the fine for each day after *due_on* up to *until*, skipping paused days, and
    never more than the fine itself (行政处罚法 第72条 第1款(一); rule 32)."""
    paused = list(pauses)
    days = 0
    day = due_on + timedelta(days=1)
    while day <= until:
        if not any(p.covers(day) for p in paused):
            days += 1
        day += timedelta(days=1)
    amount = (fine * SURCHARGE_RATE * days).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(amount, fine)


def deferral_problem(*, approved: bool, has_application: bool) -> RuleViolation | None:
    """Deferral or instalments only on the party's application and with approval (第66条 第2款)."""
    article = "《行政处罚法》第六十六条 第二款"
    if not has_application:
        return RuleViolation(
            rule="32",
            article=article,
            field="application",
            message="暂缓或者分期缴纳：须有当事人的书面申请",
        )
    if not approved:
        return RuleViolation(
            rule="32",
            article=article,
            field="approval",
            message="暂缓或者分期缴纳：须经行政机关批准",
        )
    return None


def corrections_within_a_year(ordered_on: Sequence[date], *, on: date) -> int:
    """How many orders to correct the party received in the 12 months up to *on* (Seed B
    art. 14; 统计法实施条例 第50条(四))."""
    year_ago = add_months_back(on, 12)
    return sum(1 for day in ordered_on if year_ago < day <= on)


def add_months_back(day: date, months: int) -> date:
    """The same day *months* earlier (or the month's last day when it has none)."""
    month_index = day.month - 1 - months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    candidate = add_months(date(year, month, 1), 0)
    last = (add_months(candidate, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def repeated_corrections_warning(ordered_on: Sequence[date], *, on: date) -> str:
    """A warning when a party has been ordered to correct three or more times in a year."""
    count = corrections_within_a_year(ordered_on, on=on)
    if count < SERIOUS_CORRECTIONS:
        return ""
    return f"该当事人一年内已被责令改正{count}次，依照《统计法实施条例》第五十条(四)属于情节严重"
