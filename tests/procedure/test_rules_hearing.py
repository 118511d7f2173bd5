"""Rules 21–24: prior notice, statement period, re-examination, hearing (告知、陈述申辩、听证).

行政处罚法 第44–45条, 第62–65条; Seed A art. 8; Seed B art. 8, 12. Dates run over National Day
2026 (10-01..07 off, 10-10 a make-up workday), so working days are counted for real.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from casetrail.procedure.rules import hearing
from tests.procedure.decision_factory import (
    CHAIR,
    COMPANY,
    LI,
    PERSON,
    RECORDER,
    SHOP,
    ZHANG,
    CaseBuilder,
    ReadyCase,
    create_rules,
    finalise_rules,
    ready_penalty_case,
    rules,
)

# 50000 元 reaches the organisations' hearing threshold of the Seed A profile.
HEARING_FINE = {"intended_penalty": "罚款50000元", "intended_fine": "50000.00"}


def eligible_case(today: date, **notice: object) -> ReadyCase:
    """A ready case whose notice announced a hearing-eligible fine, with the hearing right."""
    case = ready_penalty_case(today=today)
    case.builder.replace(case.notice, **HEARING_FINE, hearing_right="5个工作日内可要求听证")
    case.builder.replace(case.notice, **notice)
    case.builder.replace(case.approval, fine="50000.00")
    case.builder.replace(case.decision, fine="50000.00", decided_on=today.isoformat())
    return case


# --- rule 21 ---------------------------------------------------------------------------------


def test_rule21_no_decision_without_a_prior_notice() -> None:
    b = CaseBuilder(today=date(2026, 10, 12))
    problem = hearing.prior_notice_gate(b.facts())
    assert problem is not None
    assert (problem.rule, problem.field) == ("21", "prior_notice")


def test_rule21_an_unserved_notice_does_not_count() -> None:
    b = CaseBuilder(today=date(2026, 10, 12))
    b.add("prior_notice", on=date(2026, 9, 29))
    problem = hearing.prior_notice_gate(b.facts())
    assert problem is not None
    assert problem.rule == "21"
    assert "尚未送达" in problem.message


def test_rule21_the_statement_period_runs_over_national_day() -> None:
    """Served Wed 2026-09-30: 3 working days are 10-08, 10-09 and Saturday 10-10 (调休)."""
    refused = ready_penalty_case(today=date(2026, 10, 10))
    problems = finalise_rules(refused.facts(), refused.decision_doc)
    assert [(p.rule, p.field) for p in problems] == [
        ("21", "statement_waiver"),
        ("21", "decided_on"),
    ]
    assert "2026-10-10" in problems[0].message
    accepted = ready_penalty_case(today=date(2026, 10, 11))
    assert finalise_rules(accepted.facts(), accepted.decision_doc) == []


def test_rule21_a_written_waiver_ends_the_period_early() -> None:
    case = ready_penalty_case(today=date(2026, 10, 8))
    case.builder.add("statement_waiver", on=date(2026, 10, 8))
    assert hearing.prior_notice_gate(case.facts()) is None


def test_rule21_a_waiver_dated_before_service_does_not_count() -> None:
    case = ready_penalty_case(today=date(2026, 10, 8))
    case.builder.add("statement_waiver", on=date(2026, 9, 29))
    problem = hearing.prior_notice_gate(case.facts())
    assert problem is not None
    assert problem.rule == "21"


def test_rule21_a_decision_dated_inside_the_statement_period_is_refused() -> None:
    """Finalised after the period, but dated on its last day (10-10): backdating is refused."""
    case = ready_penalty_case(today=date(2026, 10, 12))
    case.builder.replace(case.decision, decided_on="2026-10-10")
    problems = finalise_rules(case.facts(), case.decision_doc)
    assert [(p.rule, p.field) for p in problems] == [("21", "decided_on")]
    case.builder.add("statement_waiver", on=date(2026, 10, 8))
    assert finalise_rules(case.facts(), case.decision_doc) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reasons": ""}, "reasons"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"statement_right": ""}, "statement_right"),
        ({"intended_penalty": "罚款", "intended_fine": None}, "intended_fine"),
    ],
)
def test_rule21_a_notice_missing_its_contents_is_refused(
    changes: dict[str, Any], field: str
) -> None:
    b = CaseBuilder(today=date(2026, 9, 29))
    notice = b.add("prior_notice", on=date(2026, 9, 29), final=False, **changes)
    problem = hearing.notice_contents_problem(b.facts(), b.doc(notice))
    assert problem is not None
    assert (problem.rule, problem.field) == ("21", field)


def test_rule21_a_complete_notice_may_be_finalised() -> None:
    b = CaseBuilder(today=date(2026, 9, 29))
    notice = b.add("prior_notice", on=date(2026, 9, 29), final=False)
    assert finalise_rules(b.facts(), b.doc(notice)) == []


# --- rule 22 ---------------------------------------------------------------------------------


def test_rule22_a_statement_needs_a_re_examination() -> None:
    case = ready_penalty_case()
    statement = case.builder.add("statement_transcript", on=date(2026, 10, 8))
    assert rules(finalise_rules(case.facts(), case.decision_doc)) == ["22"]
    case.builder.add("re_examination_opinion", on=date(2026, 10, 9), statement=statement)
    assert finalise_rules(case.facts(), case.decision_doc) == []


@pytest.mark.parametrize(
    ("notice", "decided", "field"),
    [
        ({}, {"fine": "25000.00"}, "fine"),
        (
            {"intended_penalty": "警告", "intended_fine": None},
            {"penalty_type": "fine"},
            "penalty_type",
        ),
        ({}, {"penalty_type": "warning_and_fine"}, "penalty_type"),
        ({}, {"penalty_type": "confiscation", "fine": None}, "penalty_type"),
    ],
)
def test_rule22_no_heavier_penalty_than_the_notice_announced(
    notice: dict[str, Any], decided: dict[str, Any], field: str
) -> None:
    case = ready_penalty_case()
    case.builder.replace(case.notice, **notice)
    case.builder.replace(case.decision, **decided)
    problem = hearing.no_heavier_penalty_problem(case.facts(), case.decision_doc)
    assert problem is not None
    assert (problem.rule, problem.field) == ("22", field)


@pytest.mark.parametrize(
    "decided",
    [{"fine": "15000.00"}, {"penalty_type": "warning", "fine": None}],
)
def test_rule22_a_lighter_penalty_is_allowed(decided: dict[str, Any]) -> None:
    case = ready_penalty_case()
    case.builder.replace(case.decision, **decided)
    assert hearing.no_heavier_penalty_problem(case.facts(), case.decision_doc) is None


# --- rule 23 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("party", "penalty", "fine"),
    [
        (COMPANY, "罚款50000元", "50000.00"),  # organisation ≥ 50000
        (SHOP, "罚款2000元", "2000.00"),  # individual business ≥ 2000
        (PERSON, "吊销许可证件", None),  # 第63条(三): whatever the amount
    ],
)
def test_rule23_a_hearing_eligible_notice_must_state_the_hearing_right(
    party: int, penalty: str, fine: str | None
) -> None:
    b = CaseBuilder(today=date(2026, 9, 29))
    notice = b.add(
        "prior_notice",
        on=date(2026, 9, 29),
        final=False,
        party=party,
        intended_penalty=penalty,
        intended_fine=fine,
    )
    problem = hearing.hearing_right_problem(b.facts(), b.doc(notice))
    assert problem is not None
    assert (problem.rule, problem.field) == ("23", "hearing_right")
    b.replace(notice, hearing_right="可在送达后5个工作日内要求听证")
    assert hearing.hearing_right_problem(b.facts(), b.doc(notice)) is None


@pytest.mark.parametrize(
    ("party", "fine", "on"),
    [
        (COMPANY, "49999.99", date(2026, 9, 29)),
        (PERSON, "50000.00", date(2026, 9, 29)),  # the profile sets no threshold for citizens
        (COMPANY, "50000.00", date(2017, 8, 31)),  # before the 2017 threshold took effect
    ],
)
def test_rule23_below_the_threshold_no_hearing_right_is_needed(
    party: int, fine: str, on: date
) -> None:
    b = CaseBuilder(today=on)
    notice = b.add("prior_notice", on=on, final=False, party=party, intended_fine=fine)
    assert hearing.hearing_right_problem(b.facts(), b.doc(notice)) is None


def test_rule23_a_hearing_request_is_accepted_within_five_working_days() -> None:
    """Served 2026-09-30: 5 working days end on Tuesday 10-13."""
    facts = eligible_case(date(2026, 10, 14)).facts()
    assert (
        create_rules(facts, "hearing_application", date(2026, 10, 14), applied_on="2026-10-13")
        == []
    )
    late = create_rules(facts, "hearing_application", date(2026, 10, 14), applied_on="2026-10-14")
    assert [(p.rule, p.field) for p in late] == [("23", "applied_on")]


def test_rule23_a_hearing_request_has_at_most_two_agents() -> None:
    facts = eligible_case(date(2026, 10, 9)).facts()
    three = create_rules(
        facts, "hearing_application", date(2026, 10, 9), agents="王律师\n李律师\n赵某"
    )
    assert [(p.rule, p.field) for p in three] == [("23", "agents")]
    assert (
        create_rules(facts, "hearing_application", date(2026, 10, 9), agents="王律师\n李律师") == []
    )


def test_rule23_no_hearing_request_before_the_notice_is_served() -> None:
    b = CaseBuilder(today=date(2026, 9, 29))
    b.add("prior_notice", on=date(2026, 9, 29))
    problems = create_rules(b.facts(), "hearing_application", date(2026, 9, 29))
    assert rules(problems) == ["23"]


def test_rule23_the_decision_waits_for_the_hearing_request_period() -> None:
    """Statement period over (10-10) but the hearing request period runs to 10-13."""
    waiting = eligible_case(date(2026, 10, 12))
    problems = finalise_rules(waiting.facts(), waiting.decision_doc)
    assert [(p.rule, p.field) for p in problems] == [("23", "hearing_application")]
    after = eligible_case(date(2026, 10, 14))
    assert finalise_rules(after.facts(), after.decision_doc) == []
    waived = eligible_case(date(2026, 10, 12))
    waived.builder.add("statement_waiver", on=date(2026, 10, 9), waiver="statement_and_hearing")
    assert finalise_rules(waived.facts(), waived.decision_doc) == []


def _requested(today: date) -> ReadyCase:
    case = eligible_case(today)
    case.builder.add("hearing_application", on=date(2026, 10, 9))
    return case


def test_rule23_a_hearing_is_noticed_seven_working_days_ahead() -> None:
    """Noticed on 2026-09-30 at the earliest: 7 working days end on 10-15."""
    facts = _requested(date(2026, 9, 30)).facts()
    early = create_rules(
        facts, "hearing_notice", date(2026, 9, 30), hearing_at="2026-10-14T09:00:00+08:00"
    )
    assert [(p.rule, p.field) for p in early] == [("23", "hearing_at")]
    on_time = create_rules(
        facts, "hearing_notice", date(2026, 9, 30), hearing_at="2026-10-15T09:00:00+08:00"
    )
    assert on_time == []


def test_rule23_no_hearing_notice_without_a_request() -> None:
    facts = eligible_case(date(2026, 10, 9)).facts()
    problems = create_rules(facts, "hearing_notice", date(2026, 10, 9), hearing_at="2026-10-30")
    assert rules(problems) == ["23"]


@pytest.mark.parametrize("chair", [ZHANG, LI, RECORDER])
def test_rule23_an_investigator_may_not_chair_the_hearing(chair: int) -> None:
    case = _requested(date(2026, 10, 9))
    # RECORDER recorded an inquiry during the investigation
    case.builder.add("inquiry_transcript", on=date(2026, 8, 12), recorder=RECORDER)
    for kind in ("hearing_notice", "hearing_transcript"):
        problems = create_rules(
            case.facts(), kind, date(2026, 10, 9), chair=chair, hearing_at="2026-10-30"
        )
        assert [(p.rule, p.field) for p in problems] == [("23", "chair")]


def test_rule23_a_hearing_notice_served_too_late_blocks_the_decision() -> None:
    case = _requested(date(2026, 10, 30))
    notice = case.builder.add(
        "hearing_notice",
        on=date(2026, 10, 12),
        served_on=date(2026, 10, 14),
        hearing_at="2026-10-21T09:00:00+08:00",  # 7 wd after 10-14 is 10-23
    )
    transcript = case.builder.add("hearing_transcript", on=date(2026, 10, 21), notice=notice)
    case.builder.add("legal_review_opinion", on=date(2026, 10, 22))
    case.builder.replace(case.decision, hearing_transcript=transcript)
    problems = finalise_rules(case.facts(), case.decision_doc)
    assert [(p.rule, p.field) for p in problems] == [("23", "hearing_at")]


def test_rule23_an_unserved_hearing_notice_blocks_the_decision() -> None:
    case = _requested(date(2026, 10, 30))
    case.builder.add("hearing_notice", on=date(2026, 10, 12), hearing_at="2026-10-23")
    problem = hearing.hearing_notice_service_gate(case.facts())
    assert problem is not None
    assert (problem.rule, problem.field) == ("23", "hearing_notice")


# --- rule 24 ---------------------------------------------------------------------------------


def test_rule24_a_requested_hearing_must_be_held_and_referenced() -> None:
    case = _requested(date(2026, 10, 30))
    assert rules(finalise_rules(case.facts(), case.decision_doc)) == ["24", "24"]
    notice = case.builder.add(
        "hearing_notice",
        on=date(2026, 10, 12),
        served_on=date(2026, 10, 12),
        hearing_at="2026-10-21T09:00:00+08:00",
        chair=CHAIR,
    )
    transcript = case.builder.add("hearing_transcript", on=date(2026, 10, 21), notice=notice)
    case.builder.add("legal_review_opinion", on=date(2026, 10, 22))  # rule 18: heard case
    problems = finalise_rules(case.facts(), case.decision_doc)
    assert [(p.rule, p.field) for p in problems] == [("24", "hearing_transcript")]
    case.builder.replace(case.decision, hearing_transcript=transcript)
    assert finalise_rules(case.facts(), case.decision_doc) == []


def test_rule24_a_hearing_waived_after_the_request_needs_no_transcript() -> None:
    case = _requested(date(2026, 10, 30))
    case.builder.add("statement_waiver", on=date(2026, 10, 12), waiver="statement_and_hearing")
    assert finalise_rules(case.facts(), case.decision_doc) == []


def test_rule24_a_decision_may_not_cite_a_draft_transcript() -> None:
    case = ready_penalty_case()
    draft = case.builder.add("hearing_transcript", on=date(2026, 10, 9), final=False)
    case.builder.replace(case.decision, hearing_transcript=draft)
    problem = hearing.hearing_reference_problem(case.facts(), case.decision_doc)
    assert problem is not None
    assert (problem.rule, problem.field) == ("24", "hearing_transcript")
