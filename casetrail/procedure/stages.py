"""The stages of a case and the transitions between them, readable on one screen.

Seed B art. 2: 程序启动 → 调查取证 → 审查决定 → 送达执行 → 归档管理. Each transition names the
action that performs it and the guard (a rule function) that must allow it.
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
NOT_FILED: Final = Stage("not_filed", "不予立案", terminal=True)

STAGES: Final = {stage.code: stage for stage in (FILING_REVIEW, INVESTIGATION, NOT_FILED)}


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: str
    guard: str


TRANSITIONS: Final = (
    # source          target           action             guard (rule function)
    Transition("filing_review", "investigation", "do_decide_filing", "approval_chain_problem"),
    Transition("filing_review", "not_filed", "do_decide_filing", "approval_chain_problem"),
)

INITIAL_STAGE: Final = {
    "on_application": FILING_REVIEW.code,  # Seed A art. 5: register, then decide on filing
    "ex_officio": FILING_REVIEW.code,  # Seed A art. 6: internal filing approval first
    "emergency": INVESTIGATION.code,  # Seed A art. 6: act first, backfill the approval
}


def stage_label(code: str) -> str:
    stage = STAGES.get(code)
    return stage.label if stage else code


def transition_allowed(source: str, target: str) -> bool:
    return any(t.source == source and t.target == target for t in TRANSITIONS)
