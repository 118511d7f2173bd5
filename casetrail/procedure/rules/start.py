"""Rules of the start stage (程序启动): who handles a case, who approves its filing, and when.

Pure functions: they take facts and return a `RuleViolation` (or a date), never touch the
database, and are called by the actions and, over history, by the compliance report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from casetrail.policy.profiles import Period
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.workdays import Due, WorkdayCalendar, add_period

MINIMUM_HANDLERS: Final = 2


@dataclass(frozen=True)
class HandlerFacts:
    officer_id: int
    name: str
    certificate_number: str
    certificate_valid: bool
    revoked_on: date | None = None  # the certificate's revocation, if it took effect
    revocation_reason: str = ""
    deactivated: bool = False


def handlers_problem(
    handlers: Sequence[HandlerFacts],
    *,
    article: str = "《行政处罚法》第四十二条",
    certificate_article: str = "《统计法实施条例》第三十六条",
) -> RuleViolation | None:
    """At least two enforcement officers, each serving and with a certificate valid on the day.

    行政处罚法 第42条（执法人员不得少于两人）、第55条; 统计法 第38条; Seed B art. 5 (rule 1);
    统计法实施条例 第36条: an expired or revoked certificate blocks assignment (rule 3).
    *article* and *certificate_article* are the agency's citations of rules 1 and 3.
    """
    distinct = {h.officer_id for h in handlers}
    if len(distinct) < MINIMUM_HANDLERS:
        return RuleViolation(
            rule="R1",
            article=article,
            field="handlers",
            message=f"承办人：执法人员不得少于{MINIMUM_HANDLERS}人",
        )
    stopped = [h.name for h in handlers if h.deactivated]
    if stopped:
        return RuleViolation(
            rule="R1",
            article=article,
            field="handlers",
            message="承办人：" + "、".join(stopped) + " 已停用，不能指派为承办人",
        )
    revoked = [h for h in handlers if h.revoked_on is not None]
    if revoked:
        named = "、".join(
            f"{h.name}（{h.revoked_on}吊销{'：' if h.revocation_reason else ''}"
            f"{h.revocation_reason}）"
            for h in revoked
        )
        return RuleViolation(
            rule="R3",
            article=certificate_article,
            field="handlers",
            message=f"承办人：{named} 的执法证件已被吊销，被吊销执法证件的人员不得指派为承办人",
        )
    invalid = [h.name for h in handlers if not h.certificate_number or not h.certificate_valid]
    if invalid:
        return RuleViolation(
            rule="R3",
            article=certificate_article,
            field="handlers",
            message="承办人：" + "、".join(invalid) + " 没有当日有效的执法证件"
            "（过期或尚未生效的执法证件不得指派为承办人）",
        )
    return None


ChainStepCode = Literal["handler", "reviewer", "approver"]
CHAIN: Final[tuple[ChainStepCode, ...]] = ("handler", "reviewer", "approver")
STEP_ROLE: Final[dict[str, str]] = {
    "handler": "officer",
    "reviewer": "reviewer",
    "approver": "head",
}
STEP_LABEL: Final[dict[str, str]] = {
    "handler": "承办人",
    "reviewer": "审核人",
    "approver": "批准人",
}


@dataclass(frozen=True)
class SignedStep:
    step: str
    officer_id: int
    decision: str  # "propose" | "approve" | "reject"


def chain_outcome(chain: Sequence[SignedStep]) -> Literal["pending", "approved", "rejected"]:
    if any(s.decision == "reject" for s in chain):
        return "rejected"
    if [s.step for s in chain] == list(CHAIN):
        return "approved"
    return "pending"


def next_step(chain: Sequence[SignedStep]) -> ChainStepCode | None:
    """The step that must sign next, or None when the chain is closed."""
    if chain_outcome(chain) != "pending":
        return None
    return CHAIN[len(chain)]


def approval_chain_problem(
    chain: Sequence[SignedStep],
    *,
    step: str,
    officer_id: int,
    officer_roles: frozenset[str],
    is_handler: bool,
    article: str,
) -> RuleViolation | None:
    """Handler proposes → reviewer reviews → approver approves; nobody signs twice.

    Seed B art. 33（明确承办人、审核人、批准人，由承办人提出意见和理由，经审核人审核后，由批准人
    批准）; Seed A art. 6 (立案等内部审批程序). *article* is the agency's citation of the chain
    (rule 5 for filing, rule 20 for the other approvals).
    """
    expected = next_step(chain)
    if expected is None:
        return RuleViolation(rule="B33", article=article, field="step", message="该审批已经结束")
    if step != expected:
        return RuleViolation(
            rule="B33",
            article=article,
            field="step",
            message=f"不得越级审批：当前应由{STEP_LABEL[expected]}签署意见",
        )
    if any(signed.officer_id == officer_id for signed in chain):
        return RuleViolation(
            rule="B33",
            article=article,
            field="officer",
            message="不得自行审批：同一人不得在同一审批事项中签署两个环节",
        )
    if STEP_ROLE[step] not in officer_roles or (step == "handler" and not is_handler):
        return RuleViolation(
            rule="B33",
            article=article,
            field="officer",
            message=f"您不是本案的{STEP_LABEL[step]}，不能签署该环节意见",
        )
    return None


def backfill_due(started_on: date, period: Period, calendar: WorkdayCalendar) -> Due:
    """The day by which an emergency start's approval must be completed (补办).

    Seed A art. 6: 因情况紧急依法先启动行政执法的，应在行政执法程序启动后2日内补办相关手续.
    The number and its unit come from the agency's profile.
    """
    return add_period(calendar, started_on, period.days, period.unit)


BackfillStatus = Literal["done", "done_late", "pending", "overdue"]


def backfill_status(due: Due, *, approved_on: date | None, today: date) -> BackfillStatus:
    if approved_on is not None:
        return "done" if approved_on <= due.due_on else "done_late"
    return "pending" if today <= due.due_on else "overdue"


# 行政处罚法 第36条: 违法行为在二年内未被发现的，不再给予行政处罚；涉及公民生命健康安全、金融
# 安全且有危害后果的，上述期限延长至五年.
LIMITATION_YEARS: Final = 2
LIMITATION_YEARS_EXTENDED: Final = 5


def limitation_warning(
    violation_on: date | None, discovered_on: date | None, *, five_years: bool = False
) -> str:
    """A warning at filing when the conduct (or its end, if continuing) lies beyond the
    limitation period before it was discovered (行政处罚法 第36条; REFERENCE.md rule 7)."""
    if violation_on is None or discovered_on is None:
        return ""
    years = LIMITATION_YEARS_EXTENDED if five_years else LIMITATION_YEARS
    try:
        limit = violation_on.replace(year=violation_on.year + years)
    except ValueError:  # 29 February
        limit = violation_on.replace(year=violation_on.year + years, day=28)
    if discovered_on <= limit:
        return ""
    return (
        f"违法行为于{violation_on.isoformat()}发生（或终了），{discovered_on.isoformat()}才被发现，"
        f"已超过{years}年：依照《行政处罚法》第三十六条不再给予行政处罚"
    )
