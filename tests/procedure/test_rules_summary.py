"""Rule 27: the summary procedure (当场处罚) — caps, form, collection, filing (备案).

行政处罚法 第51–52条, 第68条; Seed A art. 10 第2款.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from casetrail.procedure.rules import decision, summary
from tests.procedure.decision_factory import (
    CALENDAR,
    COMPANY,
    PERSON,
    PROFILE,
    SHOP,
    CaseBuilder,
    create_rules,
    finalise_rules,
    rules,
)

ON = date(2026, 9, 30)


def summary_case(today: date = ON, **fields: Any) -> tuple[CaseBuilder, int]:
    b = CaseBuilder(today=today, filed_on=None, procedure="summary")
    return b, b.add("summary_decision", on=ON, final=False, **fields)


def problems_of(**fields: Any) -> list[tuple[str, str]]:
    b, doc = summary_case(**fields)
    return [(p.rule, p.field) for p in finalise_rules(b.facts(), b.doc(doc))]


@pytest.mark.parametrize(
    "fields",
    [
        {"party": PERSON, "fine": "200.00"},
        {"party": SHOP, "fine": "200.00"},  # an individual business is a citizen here
        {"party": COMPANY, "fine": "3000.00"},
        {"penalty_type": "warning", "fine": None},
    ],
)
def test_rule27_a_fine_within_the_cap_or_a_warning_may_be_decided_on_the_spot(
    fields: dict[str, Any],
) -> None:
    assert problems_of(**fields) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"party": PERSON, "fine": "200.01"},
        {"party": SHOP, "fine": "201.00"},
        {"party": COMPANY, "fine": "3000.01"},
        {"penalty_type": "fine", "fine": None},
        {"penalty_type": "warning", "fine": "50.00"},
    ],
)
def test_rule27_a_fine_over_the_cap_is_refused(fields: dict[str, Any]) -> None:
    assert problems_of(**fields) == [("27", "fine")]


@pytest.mark.parametrize("name", ["oral_notice", "certificates_shown"])
def test_rule27_certificates_and_oral_notice_are_recorded(name: str) -> None:
    assert problems_of(**{name: False}) == [("27", name)]


def test_rule27_the_pre_numbered_form_number_is_given_and_unique() -> None:
    assert problems_of(form_number="") == [("27", "form_number")]
    b, doc = summary_case()
    b.add("summary_decision", on=date(2026, 9, 29))  # same default number
    assert rules(finalise_rules(b.facts(), b.doc(doc))) == ["27"]
    b.replace(doc, form_number="栾统当罚No.0002")
    assert finalise_rules(b.facts(), b.doc(doc)) == []


def test_rule27_on_the_spot_collection_over_100_needs_a_reason() -> None:
    over = {"party": PERSON, "fine": "150.00", "collected_on_spot": True}
    assert problems_of(**over) == [("27", "collection_reason")]
    assert problems_of(**over, collection_reason="当事人系外地流动摊贩，事后难以执行") == []
    assert problems_of(fine="100.00", collected_on_spot=True) == []
    warning = {"penalty_type": "warning", "fine": None, "collected_on_spot": True}
    assert problems_of(**warning) == [("27", "collected_on_spot")]


def test_rule27_the_form_states_the_remedy() -> None:
    assert problems_of(remedy="不服可申请复议") == [("27", "remedy")]


def test_rule27_a_filing_record_files_a_final_summary_decision() -> None:
    b, draft = summary_case()
    refused = create_rules(b.facts(), "summary_filing_record", ON, decision=draft)
    assert [(p.rule, p.field) for p in refused] == [("27", "decision")]
    final = b.add("summary_decision", on=ON, form_number="栾统当罚No.0009")
    assert create_rules(b.facts(), "summary_filing_record", ON, decision=final) == []


def test_rule27_filing_is_due_two_working_days_after_the_decision() -> None:
    """Decided Wed 2026-09-30: 2 working days (cash_handover) run to Friday 10-09."""
    b = CaseBuilder(today=date(2026, 10, 9), filed_on=None, procedure="summary")
    doc = b.add("summary_decision", on=ON)
    due = summary.summary_filing_due(b.doc(doc), PROFILE, CALENDAR)
    assert due is not None
    assert due.due_on == date(2026, 10, 9)
    assert summary.summary_filing_problem(b.facts()) is None
    b.today = date(2026, 10, 10)
    problem = summary.summary_filing_problem(b.facts())
    assert problem is not None
    assert (problem.rule, problem.field) == ("27", "summary_filing_record")
    assert summary.summary_filing_problem in decision.ALERTS
    b.add("summary_filing_record", on=date(2026, 10, 10), decision=doc)
    assert summary.summary_filing_problem(b.facts()) is None


def test_rule27_a_draft_has_no_filing_due_day() -> None:
    b, doc = summary_case()
    assert summary.summary_filing_due(b.doc(doc), PROFILE, CALENDAR) is None


def test_rule27_the_ordinary_decision_gates_stand_aside_in_a_summary_case() -> None:
    """No prior notice, approval form or deadline: the case page lists nothing for them."""
    b, _ = summary_case()
    assert [g(b.facts()) for g in decision.GATES] == [None] * len(decision.GATES)
