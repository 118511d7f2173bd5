"""The payment of an on-the-spot fine is recorded against the 当场行政处罚决定书 (#16, the
summary walk): the decision is handed over where it is made (行政处罚法 第52条 第1款), so the
15 days of 第67条 run from that day unless a later service is recorded.
"""

from __future__ import annotations

from datetime import date

from casetrail.procedure.facts import Draft
from casetrail.procedure.rules import after_decision
from tests.procedure.decision_factory import CATALOGUE, ZHANG, CaseBuilder, at

ON = date(2026, 12, 8)


def paid_on(builder: CaseBuilder, decision: int, day: date) -> list[tuple[str, str]]:
    fields = {
        "decision": decision,
        "performance": "paid",
        "amount_paid": "100.00",
        "paid_on": day.isoformat(),
        "details": "当事人到银行缴纳罚款",
        "recorded_on": day.isoformat(),
        "handler": ZHANG,
    }
    draft = Draft(kind=CATALOGUE["performance_record"], fields=fields, author_id=ZHANG, on=day)
    found = after_decision.performance_problem(builder.facts(), draft)
    return [] if found is None else [(found.rule, found.field)]


def test_a_paid_on_the_spot_fine_is_recorded_against_the_summary_decision() -> None:
    builder = CaseBuilder(today=date(2026, 12, 15), filed_on=None, procedure="summary")
    decision = builder.add("summary_decision", on=ON, decided_at=at(ON))
    assert paid_on(builder, decision, date(2026, 12, 15)) == []


def test_a_payment_before_the_decision_was_made_on_the_spot_is_refused() -> None:
    builder = CaseBuilder(today=date(2026, 12, 15), filed_on=None, procedure="summary")
    decision = builder.add("summary_decision", on=ON, decided_at=at(ON))
    assert paid_on(builder, decision, date(2026, 12, 7)) == [("32", "paid_on")]


def test_a_payment_late_from_the_spot_needs_the_surcharge() -> None:
    builder = CaseBuilder(today=date(2027, 1, 5), filed_on=None, procedure="summary")
    decision = builder.add("summary_decision", on=ON, decided_at=at(ON))
    assert paid_on(builder, decision, date(2027, 1, 5)) == [("32", "surcharge")]


def test_a_draft_summary_decision_takes_no_payment() -> None:
    builder = CaseBuilder(today=date(2026, 12, 15), filed_on=None, procedure="summary")
    decision = builder.add("summary_decision", on=ON, final=False)
    assert paid_on(builder, decision, date(2026, 12, 15)) == [("32", "decision")]
