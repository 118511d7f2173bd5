"""Every due date of a case in one place (issue: deadlines), from its facts and profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from casetrail.procedure.deadlines import CaseDeadline, case_deadlines
from casetrail.procedure.facts import DocFacts, ServiceFacts
from tests.procedure.facts_factory import case_facts, doc


def served(document: DocFacts, on: date) -> DocFacts:
    return replace(document, services=(ServiceFacts("direct", on, "刘某"),))


def by_kind(rows: list[CaseDeadline]) -> dict[str, CaseDeadline]:
    return {row.kind: row for row in rows}


NOTICE = doc(10, "prior_notice", {"hearing_right": "五个工作日内可要求听证"}, on=date(2026, 9, 28))


def test_the_statement_and_hearing_periods_run_from_service_across_national_day() -> None:
    """Served Mon 9-28: 3 working days end 10-08 (国庆 off), 5 end 10-10 (调休上班的星期六)."""
    rows = by_kind(case_deadlines(case_facts(served(NOTICE, date(2026, 9, 28)), stage="review")))
    assert rows["statement_period"].due.due_on == date(2026, 10, 8)
    assert rows["hearing_request"].due.due_on == date(2026, 10, 10)
    assert rows["statement_period"].status(date(2026, 10, 8)) == "waiting"
    assert rows["statement_period"].status(date(2026, 10, 9)) == "done"


def test_a_written_waiver_ends_the_wait() -> None:
    waiver = doc(11, "statement_waiver", {"waiver": "statement"}, on=date(2026, 9, 29))
    facts = case_facts(served(NOTICE, date(2026, 9, 28)), waiver, stage="review")
    row = by_kind(case_deadlines(facts))["statement_period"]
    assert row.done_on == date(2026, 9, 29)
    assert row.status(date(2026, 9, 30)) == "done"


def test_the_decision_limit_counts_from_filing() -> None:
    rows = by_kind(case_deadlines(case_facts()))  # filed 2026-09-02, 栾川: 90 days
    assert rows["decision_limit"].due.due_on == date(2026, 12, 1)
    assert rows["decision_limit"].status(date(2026, 12, 2)) == "overdue"


def test_service_publication_and_payment_follow_the_decision() -> None:
    decision = doc(
        20, "decision", {"fine": "50000.00"}, on=date(2026, 11, 2), number="栾统罚决字〔2026〕1号"
    )
    rows = by_kind(case_deadlines(case_facts(decision, stage="decided")))
    assert rows["decision_service"].due.due_on == date(2026, 11, 11)  # 7 working days
    assert rows["decision_service"].status(date(2026, 11, 12)) == "overdue"
    assert rows["publication"].due.due_on == date(2026, 11, 11)
    assert "fine_payment" not in rows  # not served yet: the 15 days have not started
    rows = by_kind(case_deadlines(case_facts(served(decision, date(2026, 11, 4)), stage="decided")))
    assert rows["decision_service"].status(date(2026, 11, 12)) == "done"
    assert rows["fine_payment"].due.due_on == date(2026, 11, 19)


def test_a_decision_published_in_time_is_served_in_time() -> None:
    """Posted and returned, then published on day 5 of 7: the decision counts as served 30
    days later (民事诉讼法 第九十五条), but the agency kept the 7-working-day period
    (行政处罚法 第六十一条) — the period is judged by the publication day."""
    decision = doc(20, "decision", {"fine": "5000.00"}, on=date(2026, 11, 2))
    notice = ServiceFacts(
        "public_notice", date(2026, 12, 9), "刘某", {"published_on": "2026-11-09"}
    )
    returned = ServiceFacts("postal", None, "刘某", {"outcome": "failed"})
    facts = case_facts(replace(decision, services=(returned, notice)), stage="decided")
    row = by_kind(case_deadlines(facts))["decision_service"]
    assert row.done_on == date(2026, 11, 9)
    assert row.status(date(2026, 11, 12)) == "done"
    assert replace(decision, services=(returned, notice)).served_on == date(2026, 12, 9)
    late = ServiceFacts("public_notice", date(2026, 12, 12), "刘某", {"published_on": "2026-11-12"})
    facts = case_facts(replace(decision, services=(late,)), stage="decided")
    assert by_kind(case_deadlines(facts))["decision_service"].status(date(2026, 12, 1)) == (
        "done_late"
    )


def test_an_emergency_start_has_its_backfill_deadline() -> None:
    facts = replace(case_facts(), start_type="emergency", filed_on=None)
    row = by_kind(case_deadlines(facts))["emergency_backfill"]
    assert row.due.due_on == date(2026, 9, 3)  # opened 2026-09-01, 2 working days


def test_the_court_window_is_the_one_the_gate_applies() -> None:
    """The deadline list and the court-application gate read the same window: a decision that
    did not state the lawsuit period gives the party a year (行诉解释 第64条)."""
    from casetrail.procedure.rules.enforcement import court_window

    silent = doc(
        20, "decision", {"fine": "5000.00", "remedy": "可申请行政复议"}, on=date(2026, 3, 2)
    )
    demand = doc(21, "demand_notice", {}, on=date(2026, 4, 1))
    facts = case_facts(
        served(silent, date(2026, 3, 3)), served(demand, date(2026, 4, 1)), stage="decided"
    )
    row = by_kind(case_deadlines(facts))["court_application"]
    window = court_window(
        demand_served_on=date(2026, 4, 1),
        decision_served_on=date(2026, 3, 3),
        remedy_stated=False,
        profile=facts.profile,
        calendar=facts.calendar,
    )
    assert row.opens_on == window.opens_on
    assert row.due.due_on == window.closes_on
    assert row.opens_on is not None
    assert row.opens_on > date(2027, 3, 3)
