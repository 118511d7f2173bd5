"""Rules 18, 19, 20, 25 and 26 (审查决定), as pure functions of facts built by hand.

行政处罚法 第57–60条; Seed A art. 10; Seed B art. 11, 13, 33; REFERENCE.md rules 18–26.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from casetrail.policy.catalogue import DocumentKind
from casetrail.policy.profiles import PolicyProfile
from casetrail.procedure import guards
from casetrail.procedure.rules import decision
from casetrail.procedure.rules.decision import (
    decision_alerts,
    decision_due,
    extension_problem,
)
from tests.procedure.decision_factory import (
    CATALOGUE,
    CHAIR,
    COMPANY,
    DECISION_DAY,
    HEAD,
    PROFILE,
    REVIEWER,
    ZHANG,
    CaseBuilder,
    finalise_rules,
    ready_penalty_case,
    rules,
)

STATISTICS = dataclasses.replace(
    PROFILE, decision_limit=dataclasses.replace(PROFILE.decision_limit, basis="statistics")
)


def test_a_complete_case_passes_every_guard_of_the_decision() -> None:
    """GIVEN notice served, statement period run, form approved WHEN the decision is finalised
    THEN no rule of guards.finalise_problems objects (the tables are wired in)."""
    case = ready_penalty_case()
    assert guards.finalise_problems(case.facts(), case.decision_doc) == []
    assert guards.gate_problems(case.facts(), "decided") == []


def test_the_tables_register_the_rules_by_kind() -> None:
    for kind in ("prior_notice", "decision", "no_penalty_decision", "summary_decision"):
        assert set(decision.FINALISE[kind]) <= set(guards.FINALISE_BY_KIND[kind])
    for kind in ("hearing_application", "hearing_notice", "summary_filing_record"):
        assert set(decision.CREATE[kind]) <= set(guards.CREATE_BY_KIND[kind])
    assert guards.GATES["decided"] == tuple(decision.GATES)


# --- rule 18 ---------------------------------------------------------------------------------


def test_rule18_a_major_case_without_legal_review_is_refused() -> None:
    case = ready_penalty_case(major=True)
    problems = finalise_rules(case.facts(), case.decision_doc)
    assert "18" in rules(problems)
    assert "重大案件" in problems[0].message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"conclusion": "problems"}, "conclusion"),
        ({"reviewer": ZHANG}, "reviewer"),  # no reviewer role
        ({"reviewer": HEAD}, "reviewer"),  # a head is not a legal reviewer
    ],
)
def test_rule18_a_failed_or_unqualified_review_is_refused(
    changes: dict[str, Any], field: str
) -> None:
    case = ready_penalty_case(legal_review_required=True)
    case.builder.add("legal_review_opinion", on=date(2026, 10, 9), **changes)
    problem = decision.legal_review_gate(case.facts())
    assert problem is not None
    assert (problem.rule, problem.field) == ("18", field)


def test_rule18_a_handler_holding_the_reviewer_role_may_not_review_own_case() -> None:
    case = ready_penalty_case(legal_review_required=True)
    case.builder.add("legal_review_opinion", on=date(2026, 10, 9))
    facts = dataclasses.replace(case.facts(), handler_ids=frozenset({ZHANG, REVIEWER}))
    problem = decision.legal_review_gate(facts)
    assert problem is not None
    assert (problem.rule, problem.field) == ("18", "reviewer")


def test_rule18_a_heard_case_needs_a_review_after_the_hearing() -> None:
    case = ready_penalty_case()
    case.builder.add("legal_review_opinion", on=date(2026, 10, 8))
    case.builder.add("hearing_transcript", on=date(2026, 10, 9))
    problem = decision.legal_review_gate(case.facts())
    assert problem is not None
    assert (problem.rule, problem.field) == ("18", "reviewed_on")


def test_rule18_a_passed_review_by_a_reviewer_opens_the_gate() -> None:
    case = ready_penalty_case(major=True, complex_case=False)
    case.builder.add("legal_review_opinion", on=date(2026, 10, 9))
    case.builder.add("collective_deliberation_record", on=date(2026, 10, 9))
    assert finalise_rules(case.facts(), case.decision_doc) == []


def test_rule18_an_ordinary_case_needs_no_legal_review() -> None:
    assert decision.legal_review_gate(ready_penalty_case().facts()) is None


# --- rule 19 ---------------------------------------------------------------------------------


def test_rule19_a_complex_case_without_collective_deliberation_is_refused() -> None:
    case = ready_penalty_case(complex_case=True)
    assert rules(finalise_rules(case.facts(), case.decision_doc)) == ["19"]


def test_rule19_the_deliberation_is_chaired_by_an_agency_head() -> None:
    case = ready_penalty_case(complex_case=True)
    case.builder.add("collective_deliberation_record", on=date(2026, 10, 9), chair=CHAIR)
    problem = decision.collective_deliberation_gate(case.facts())
    assert problem is not None
    assert (problem.rule, problem.field) == ("19", "chair")


def test_rule19_a_deliberation_chaired_by_the_head_opens_the_gate() -> None:
    case = ready_penalty_case(complex_case=True)
    case.builder.add("collective_deliberation_record", on=date(2026, 10, 9))
    assert decision.collective_deliberation_gate(case.facts()) is None


# --- rule 20 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["pending", "rejected"])
def test_rule20_a_decision_form_not_approved_is_refused(outcome: str) -> None:
    b = CaseBuilder(today=DECISION_DAY)
    approval = b.add("decision_approval", on=date(2026, 10, 9))
    b.approve("decision", approval, date(2026, 10, 9), outcome=outcome)
    problem = decision.decision_approval_gate(b.facts())
    assert problem is not None
    assert (problem.rule, problem.field) == ("20", "approval")


def test_rule20_no_decision_form_at_all_is_refused() -> None:
    problem = decision.decision_approval_gate(CaseBuilder(today=DECISION_DAY).facts())
    assert problem is not None
    assert problem.rule == "20"


@pytest.mark.parametrize(
    "change",
    [
        "other_document",
        "draft_form",
        "unapproved_form",
        "other_fine",
        "no_penalty_form",
    ],
)
def test_rule20_the_decision_must_name_the_approved_form_and_follow_it(change: str) -> None:
    case = ready_penalty_case()
    b = case.builder
    if change == "other_document":
        b.replace(case.decision, approval=case.notice)
    elif change == "draft_form":
        b.replace(case.decision, approval=b.add("decision_approval", on=DECISION_DAY, final=False))
    elif change == "unapproved_form":
        b.replace(case.decision, approval=b.add("decision_approval", on=DECISION_DAY))
    elif change == "other_fine":
        b.replace(case.decision, fine="15000.00")
    else:
        b.replace(case.approval, proposed_decision="no_penalty")
    problem = decision.approval_reference_problem(case.facts(), case.decision_doc)
    assert problem is not None
    assert (problem.rule, problem.field) == ("20", "approval")


def test_rule20_a_no_penalty_decision_follows_a_no_penalty_form() -> None:
    b = CaseBuilder(today=DECISION_DAY)
    approval = b.add("decision_approval", on=date(2026, 10, 9), proposed_decision="no_penalty")
    b.approve("decision", approval, date(2026, 10, 9))
    doc = b.add("no_penalty_decision", on=DECISION_DAY, final=False, approval=approval)
    # no prior notice: the penalty gates (21–24) stand aside when no penalty is proposed
    assert finalise_rules(b.facts(), b.doc(doc)) == []


# --- rule 25 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"party_address": ""}, "party_address"),
        ({"facts": ""}, "facts"),
        ({"evidence": ""}, "evidence"),
        ({"violated_provisions": "统计法"}, "violated_provisions"),
        ({"legal_basis": "《统计法》第四十四条。警告，并处罚款人民币叁万元整。"}, "legal_basis"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"fine": None}, "fine"),
        ({"penalty_type": "warning"}, "fine"),  # a warning with a fine amount
        ({"performance": "缴至指定银行"}, "performance"),  # no period
        ({"remedy": "可以依法申请行政复议或者提起行政诉讼。"}, "remedy"),  # no periods
        ({"remedy": "可以在六十日内申请行政复议。"}, "remedy"),  # no 诉讼
        ({"decided_on": "2026-10-13"}, "decided_on"),  # tomorrow
    ],
)
def test_rule25_a_decision_missing_an_item_of_article_59_is_refused(
    changes: dict[str, Any], field: str
) -> None:
    case = ready_penalty_case()
    case.builder.replace(case.decision, **changes)
    problem = decision.decision_contents_problem(case.facts(), case.decision_doc)
    assert problem is not None
    assert (problem.rule, problem.field) == ("25", field)


def test_rule25_the_remedy_names_both_periods_and_the_seal_is_required() -> None:
    case = ready_penalty_case()
    case.builder.replace(
        case.decision, remedy="可于６０日内申请行政复议，或于6个月内向人民法院提起行政诉讼"
    )
    assert decision.decision_contents_problem(case.facts(), case.decision_doc) is None
    unsealed: DocumentKind = dataclasses.replace(CATALOGUE["decision"], seal=False)
    facts = dataclasses.replace(case.facts(), catalogue={**CATALOGUE, "decision": unsealed})
    problem = decision.decision_contents_problem(facts, case.decision_doc)
    assert problem is not None
    assert (problem.rule, problem.field) == ("25", "seal")


def test_rule25_a_no_penalty_decision_states_the_remedy_too() -> None:
    b = CaseBuilder(today=DECISION_DAY)
    doc = b.add("no_penalty_decision", on=DECISION_DAY, final=False, remedy="不服可申请复议")
    problem = decision.no_penalty_contents_problem(b.facts(), b.doc(doc))
    assert problem is not None
    assert (problem.rule, problem.field) == ("25", "remedy")


# --- rule 26 ---------------------------------------------------------------------------------


def test_rule26_statute_due_is_90_days_moved_past_national_day() -> None:
    """Filed 2026-07-03: day 90 is 2026-10-01, a holiday; the period ends on 10-08."""
    due = decision_due(CaseBuilder(today=DECISION_DAY, filed_on=date(2026, 7, 3)).facts())
    assert due is not None
    assert (due.due_on, due.provisional) == (date(2026, 10, 8), False)
    assert decision_due(CaseBuilder(today=DECISION_DAY, filed_on=None).facts()) is None


def test_rule26_statistics_due_is_three_months_plus_an_approved_extension() -> None:
    b = CaseBuilder(today=date(2026, 9, 1), filed_on=date(2026, 7, 3), profile=STATISTICS)
    due = decision_due(b.facts())
    assert due is not None
    assert due.due_on == date(2026, 10, 8)  # 10-03 falls in National Day
    b.approve("extension", None, date(2026, 9, 30))
    extended = decision_due(b.facts())
    assert extended is not None
    # 2027-01-03 is a Sunday; 2027's holidays are not published yet: provisional
    assert (extended.due_on, extended.provisional) == (date(2027, 1, 4), True)


def test_rule26_an_extension_approved_after_expiry_or_beyond_the_maximum_is_ignored() -> None:
    b = CaseBuilder(today=date(2026, 10, 20), filed_on=date(2026, 7, 3), profile=STATISTICS)
    b.approve("extension", None, date(2026, 10, 9))  # the period ended 10-08
    late = decision_due(b.facts())
    assert late is not None
    assert late.due_on == date(2026, 10, 8)
    b = CaseBuilder(today=date(2026, 10, 20), filed_on=date(2026, 7, 3), profile=STATISTICS)
    b.approve("extension", None, date(2026, 9, 1))
    b.approve("extension", None, date(2026, 9, 2))  # max_extensions = 1
    twice = decision_due(b.facts())
    assert twice is not None
    assert twice.due_on == date(2027, 1, 4)


def test_rule26_a_decision_after_the_due_day_is_refused() -> None:
    case = ready_penalty_case(today=date(2026, 11, 3))  # due 2026-11-02 (11-01 is a Sunday)
    case.builder.replace(case.decision, decided_on="2026-11-03")
    problems = finalise_rules(case.facts(), case.decision_doc)
    assert rules(problems) == ["26"]
    assert "2026-11-02" in problems[0].message
    on_time = ready_penalty_case(today=date(2026, 11, 2))
    assert decision.decision_deadline_gate(on_time.facts()) is None


def test_rule26_after_the_due_day_only_the_heads_approval_lets_the_case_be_decided_late() -> None:
    """An overdue case is still decided — on the record: the head approves deciding late
    (the "extension" chain after the due day), once; the deadline shows it done late."""
    b = CaseBuilder(today=date(2026, 11, 10), filed_on=date(2026, 8, 3))  # statute: due 11-02
    assert decision.decision_deadline_gate(b.facts()) is not None
    assert extension_problem(b.facts()) is None  # the late approval may be asked for
    b.approve("extension", None, date(2026, 11, 9))
    assert decision.decision_deadline_gate(b.facts()) is None
    again = extension_problem(b.facts())
    assert again is not None
    assert "不得重复" in again.message


def test_rule26_an_approved_extension_covers_a_later_decision() -> None:
    b = CaseBuilder(today=date(2026, 10, 20), filed_on=date(2026, 7, 3), profile=STATISTICS)
    assert decision.decision_deadline_gate(b.facts()) is not None
    b.approve("extension", None, date(2026, 9, 30))
    assert decision.decision_deadline_gate(b.facts()) is None


def test_rule26_alerts_fire_at_each_threshold_until_decided() -> None:
    def alerts(today: date) -> list[int]:
        return decision_alerts(CaseBuilder(today=today, filed_on=date(2026, 8, 3)).facts())

    # due 2026-11-02; thresholds 15 and 5 days before
    assert alerts(date(2026, 10, 17)) == []
    assert alerts(date(2026, 10, 18)) == [15]
    assert alerts(date(2026, 10, 28)) == [15, 5]
    assert alerts(date(2026, 11, 20)) == [15, 5]
    b = CaseBuilder(today=date(2026, 10, 28), filed_on=date(2026, 8, 3))
    b.add("decision", on=date(2026, 10, 27))
    assert decision_alerts(b.facts()) == []


@pytest.mark.parametrize(
    ("profile", "filed_on", "today", "approved", "words"),
    [
        (PROFILE, date(2026, 7, 3), date(2026, 9, 1), 0, "不允许延长"),
        (STATISTICS, None, date(2026, 9, 1), 0, "尚未立案"),
        (STATISTICS, date(2026, 7, 3), date(2026, 9, 1), 1, "不得再延长"),
    ],
)
def test_rule26_an_extension_beyond_the_rules_is_refused(
    profile: PolicyProfile, filed_on: date | None, today: date, approved: int, words: str
) -> None:
    b = CaseBuilder(today=today, filed_on=filed_on, profile=profile)
    for _ in range(approved):
        b.approve("extension", None, date(2026, 8, 1))
    problem = extension_problem(b.facts())
    assert problem is not None
    assert (problem.rule, problem.field) == ("26", "extension")
    assert words in problem.message


def test_rule26_one_extension_may_be_approved_before_expiry() -> None:
    b = CaseBuilder(today=date(2026, 9, 1), filed_on=date(2026, 7, 3), profile=STATISTICS)
    b.approve("extension", None, date(2026, 9, 1), outcome="pending")
    assert extension_problem(b.facts()) is None


def test_rule25_the_party_named_is_a_party_of_the_case() -> None:
    case = ready_penalty_case()
    assert case.decision_doc.fields["party"] == COMPANY
    case.builder.replace(case.decision, party=999)
    problem = decision.decision_contents_problem(case.facts(), case.decision_doc)
    assert problem is not None
    assert (problem.rule, problem.field) == ("25", "party")
