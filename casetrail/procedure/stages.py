"""The stages of a case and the transitions between them, readable on one screen.

Seed B art. 2: 程序启动 → 调查取证 → 审查决定 → 送达执行 → 归档管理. Each transition names the
action that performs it and the rules that guard it (`procedure/guards.py` holds the functions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    terminal: bool = False


FILING_REVIEW: Final = Stage("filing_review", "立案审批中")
INVESTIGATION: Final = Stage("investigation", "调查取证")
REVIEW: Final = Stage("review", "审查决定")
DECIDED: Final = Stage("decided", "送达执行")
CLOSED: Final = Stage("closed", "已结案", terminal=True)
NOT_FILED: Final = Stage("not_filed", "不予立案", terminal=True)

STAGES: Final = {
    stage.code: stage
    for stage in (FILING_REVIEW, INVESTIGATION, REVIEW, DECIDED, CLOSED, NOT_FILED)
}


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: str
    guard: str  # the gate in procedure/guards.py GATES, or the rule function


TRANSITIONS: Final = (
    # source          target           action                   guard
    Transition("filing_review", "investigation", "do_decide_filing", "approval_chain_problem"),
    Transition("filing_review", "not_filed", "do_decide_filing", "approval_chain_problem"),
    # Seed B art. 10: the closing report, approved, ends the investigation (rule 17)
    Transition("investigation", "review", "do_close_investigation", "investigation.GATES"),
    # 行政处罚法 第57–62条: the decision, finalised, once every gate of rules 18–26 is passed
    Transition("review", "decided", "do_finalise_document(decision)", "decision.GATES"),
    # 行政处罚法 第51–52条: summary procedure decides on the spot (rule 27)
    Transition("investigation", "decided", "do_finalise_document(summary_decision)", "summary"),
    # Seed A art. 14; Seed B art. 25, 33: the file complete, every service proved (rule 40)
    Transition("decided", "closed", "do_close_case", "after_decision.GATES"),
    # 行政处罚法 第57条(三)(四); Seed B art. 33: withdrawn (撤案审批表) or transferred (移送书)
    # without a decision, the case closes from where it stood (after_decision.ends_without_decision)
    Transition("investigation", "closed", "do_close_case", "after_decision.GATES"),
    Transition("review", "closed", "do_close_case", "after_decision.GATES"),
)

INITIAL_STAGE: Final = {
    "on_application": FILING_REVIEW.code,  # Seed A art. 5: register, then decide on filing
    "ex_officio": FILING_REVIEW.code,  # Seed A art. 6: internal filing approval first
    "emergency": INVESTIGATION.code,  # Seed A art. 6: act first, backfill the approval
}
# 行政处罚法 第51条: 当场处罚 needs no filing; the officers decide on the spot.
SUMMARY_INITIAL_STAGE: Final = INVESTIGATION.code
# Finalising one of these decides the case (stage → decided).
DECIDING_KINDS: Final = frozenset({"decision", "no_penalty_decision", "summary_decision"})
# The stages before a decision: what the decision must pass (重大、复杂、法制审核) is set here.
BEFORE_DECISION: Final = frozenset({FILING_REVIEW.code, INVESTIGATION.code, REVIEW.code})


def stage_label(code: str) -> str:
    stage = STAGES.get(code)
    return stage.label if stage else code


def transition_allowed(source: str, target: str) -> bool:
    return any(t.source == source and t.target == target for t in TRANSITIONS)
