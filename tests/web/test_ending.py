"""履行与执行 of a case that ends without a penalty says how it ended and offers no payment or
enforcement papers (#16)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from casetrail.procedure.facts import ServiceFacts
from casetrail.web.performance_page import ENDED_KINDS, ending
from tests.procedure.facts_factory import case_facts, doc

DAY = date(2026, 9, 10)


def test_each_ending_names_its_document_and_what_it_says() -> None:
    withdrawal = doc(5, "withdrawal_approval", {"grounds": "not_established"}, on=DAY)
    found = ending(case_facts(withdrawal, stage="investigation"))
    assert found is not None
    assert found.document.startswith("撤案审批表")
    assert found.text == "：经批准撤销案件（违法事实不能成立），不作出行政处罚决定。"
    assert found.url.endswith("/cases/1/documents/5/")

    letter = doc(
        7,
        "case_transfer_letter",
        {"recipient": "栾川县公安局"},
        on=DAY,
        number="栾统移字〔2026〕1号",
    )
    found = ending(case_facts(letter, stage="review"))
    assert found is not None
    assert (found.document, found.text) == (
        "涉嫌犯罪案件移送书 栾统移字〔2026〕1号",
        "：已移送栾川县公安局，不作出行政处罚决定。",
    )

    no_penalty = doc(8, "no_penalty_decision", {}, on=DAY, number="栾统不罚字〔2026〕1号")
    found = ending(case_facts(no_penalty, stage="decided"))
    assert found is not None
    assert found.text == "：不予行政处罚，尚未送达。"
    served = replace(no_penalty, services=(ServiceFacts("direct", DAY, "刘某"),))
    found = ending(case_facts(served, stage="decided"))
    assert found is not None
    assert found.text == "：不予行政处罚，2026-09-10送达。"


def test_a_penalty_case_has_no_ending_and_the_ended_one_no_payment_papers() -> None:
    decision = doc(8, "decision", {"fine": "5000.00"}, on=DAY, number="栾统罚决字〔2026〕1号")
    assert ending(case_facts(decision, stage="decided")) is None
    assert ending(case_facts(stage="investigation")) is None
    assert "performance_record" not in ENDED_KINDS
    assert "closing_report" in ENDED_KINDS
