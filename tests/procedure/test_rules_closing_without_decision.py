"""A case that ends without a decision closes from the stage it reached (#16): withdrawn with
its 撤案审批表 (兴隆台区办法第三十三条), or transferred with its 涉嫌犯罪案件移送书 (行政处罚法
第二十七条、第五十七条(四)); any other case in 调查取证 or 审查决定 cannot be closed."""

from __future__ import annotations

from datetime import date

from casetrail.procedure.guards import gate_problems
from casetrail.procedure.rules.after_decision import closable_stage, ends_without_decision
from casetrail.procedure.stages import transition_allowed
from tests.procedure.facts_factory import case_facts, doc

DAY = date(2026, 9, 10)
WITHDRAWAL = doc(5, "withdrawal_approval", {"grounds": "not_established"}, on=DAY)
REPORT = doc(6, "investigation_report", {"proposal": "transfer"}, on=DAY)
LETTER = doc(
    7, "case_transfer_letter", {"recipient": "栾川县公安局"}, on=DAY, number="栾统移字〔2026〕1号"
)


def test_a_case_under_investigation_is_not_closable_until_withdrawn() -> None:
    assert not closable_stage(case_facts(stage="investigation"))
    draft_only = doc(5, "withdrawal_approval", {}, on=DAY, final=False)
    assert not closable_stage(case_facts(draft_only, stage="investigation"))
    facts = case_facts(WITHDRAWAL, stage="investigation")
    assert ends_without_decision(facts) == "withdrawn"
    assert closable_stage(facts)
    assert transition_allowed("investigation", "closed")


def test_a_withdrawn_case_needs_only_its_approval_and_the_closing_report() -> None:
    facts = case_facts(WITHDRAWAL, stage="investigation")
    assert [p.field for p in gate_problems(facts, "closed")] == ["closing_report"]
    report = doc(9, "closing_report", {"outcome": "withdrawn", "decision": 5}, on=DAY)
    assert gate_problems(case_facts(WITHDRAWAL, report, stage="investigation"), "closed") == []


def test_a_transferred_case_closes_from_review_with_its_letter() -> None:
    without = case_facts(REPORT, stage="review")
    assert not closable_stage(without)
    facts = case_facts(REPORT, LETTER, stage="review")
    assert ends_without_decision(facts) == "transferred"
    assert closable_stage(facts)
    assert [p.field for p in gate_problems(facts, "closed")] == ["closing_report"]


def test_a_decision_means_the_case_ends_by_it() -> None:
    """Transferred and also decided (a penalty does not replace the transfer, nor the other way
    round): the case closes from 送达执行 after the decision's own steps."""
    decision = doc(8, "no_penalty_decision", {}, on=DAY, number="栾统不罚字〔2026〕1号")
    facts = case_facts(REPORT, LETTER, decision, stage="review")
    assert ends_without_decision(facts) == ""
    assert not closable_stage(facts)
