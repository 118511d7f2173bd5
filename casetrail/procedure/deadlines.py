"""Every due date of one case, computed from its history and its agency's profile, in one place.

Pure: a function of `CaseFacts`. Working days where the law says so (行政处罚法 第85条; 行政强制法
第69条), provisional beyond the official calendar (REFERENCE.md rule 46). The case page reads
this list; every act on a case stores it as the case's `Obligation` rows
(`cases.obligation_rows`), which the deadline list, each officer's home page and
`casetrail deadlines` read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from casetrail.procedure.citations import cite
from casetrail.procedure.facts import CaseFacts, DocFacts
from casetrail.procedure.rules.after_decision import deferred_until, remedy_stated
from casetrail.procedure.rules.decision import decision_due
from casetrail.procedure.rules.enforcement import court_window
from casetrail.procedure.rules.hearing import hearing_request_due, statement_due
from casetrail.procedure.rules.investigation import preservation_disposal_due
from casetrail.procedure.rules.performance import fine_due
from casetrail.procedure.rules.service import decision_service_due
from casetrail.procedure.rules.start import backfill_due
from casetrail.procedure.rules.summary import summary_filing_due
from casetrail.procedure.workdays import Due, add_period

Status = Literal["pending", "overdue", "done", "done_late", "waiting"]
DECISIONS = ("decision", "no_penalty_decision", "summary_decision")


@dataclass(frozen=True)
class CaseDeadline:
    kind: str
    label: str
    subject: str
    due: Due
    done_on: date | None
    article: str
    # "waiting": a period the agency must let run (statement, hearing request), not a duty
    waiting: bool = False
    opens_on: date | None = None  # for a window (court enforcement): the first day

    def status(self, today: date) -> Status:
        if self.done_on is not None:
            on_time = self.waiting or self.done_on <= self.due.due_on
            return "done" if on_time else "done_late"
        if self.waiting:
            return "waiting" if today <= self.due.due_on else "done"
        return "pending" if today <= self.due.due_on else "overdue"

    def days_left(self, today: date) -> int:
        return (self.due.due_on - today).days


def _first(facts: CaseFacts, kind: str) -> DocFacts | None:
    found = facts.final(kind)
    return found[0] if found else None


def _backfill(facts: CaseFacts) -> Iterator[CaseDeadline]:
    if facts.start_type != "emergency":
        return
    yield CaseDeadline(
        "emergency_backfill",
        "紧急先行启动补办审批",
        "立案审批手续",
        backfill_due(facts.opened_on, facts.profile.emergency_backfill, facts.calendar),
        facts.filed_on,
        cite(facts.profile, "R6"),
    )


def _preservation(facts: CaseFacts) -> Iterator[CaseDeadline]:
    for notice in facts.final("preservation_notice"):
        disposed = [
            d.finalised_on
            for d in facts.final("preservation_disposal")
            if d.fields.get("notice") == notice.document_id and d.finalised_on
        ]
        yield CaseDeadline(
            "preservation_disposal",
            "登记保存证据处理决定",
            notice.number or "证据登记保存",
            preservation_disposal_due(facts, notice),
            min(disposed) if disposed else None,
            "《行政处罚法》第五十六条",
        )


def _notice_periods(facts: CaseFacts) -> Iterator[CaseDeadline]:
    notice = _first(facts, "prior_notice")
    if notice is None or notice.served_on is None:
        return
    # A written waiver, or the decision itself, ends the wait (Seed A art. 8 第2款).
    ended = [d.finalised_on for d in facts.final("statement_waiver") if d.finalised_on]
    ended += [d.finalised_on for kind in DECISIONS for d in facts.final(kind) if d.finalised_on]
    ended_on = min(ended) if ended else None
    yield CaseDeadline(
        "statement_period",
        "陈述申辩期限",
        notice.number or "事先告知书",
        statement_due(facts, notice.served_on),
        ended_on,
        "《行政处罚法》第四十四条、第四十五条",
        waiting=True,
    )
    if str(notice.fields.get("hearing_right") or "").strip():
        yield CaseDeadline(
            "hearing_request",
            "听证申请期限",
            notice.number or "事先告知书",
            hearing_request_due(facts, notice.served_on),
            ended_on,
            "《行政处罚法》第六十四条(一)",
            waiting=True,
        )


def _decision(facts: CaseFacts) -> Iterator[CaseDeadline]:
    due = decision_due(facts) if facts.procedure == "ordinary" else None
    decision = next((d for kind in DECISIONS for d in facts.final(kind)), None)
    if due is not None:
        yield CaseDeadline(
            "decision_limit",
            "作出处理决定期限",
            "立案之日起",
            due,
            decision.finalised_on if decision else None,
            "《行政处罚法》第六十条",
        )
    if decision is None:
        return
    if decision.kind == "summary_decision":
        filing = summary_filing_due(decision, facts.profile, facts.calendar)
        filed = [d.finalised_on for d in facts.final("summary_filing_record") if d.finalised_on]
        if filing is not None:
            yield CaseDeadline(
                "summary_filing",
                "当场处罚决定备案",
                decision.fields.get("form_number") or "当场处罚决定书",
                filing,
                min(filed) if filed else None,
                "《行政处罚法》第五十二条",
            )
        return
    service = decision_service_due(facts, decision)
    if service is not None:
        yield CaseDeadline(
            "decision_service",
            "送达处罚决定书",
            decision.number,
            service,
            decision.service_completed_on,
            "《行政处罚法》第六十一条",
        )
    decided_on = decision.finalised_on
    if decided_on is not None:
        published = [d.finalised_on for d in facts.final("publication_record") if d.finalised_on]
        period = facts.profile.publication
        yield CaseDeadline(
            "publication",
            "处罚决定公示",
            decision.number,
            add_period(facts.calendar, decided_on, period.days, period.unit),
            min(published) if published else None,
            "国办发〔2018〕118号",
        )


def _fine(decision: DocFacts) -> Decimal:
    try:
        return Decimal(str(decision.fields.get("fine") or "0"))
    except InvalidOperation:
        return Decimal(0)


def _performance(facts: CaseFacts) -> Iterator[CaseDeadline]:
    decision = _first(facts, "decision")
    if decision is None or decision.served_on is None or _fine(decision) <= 0:
        return
    paid = [d.finalised_on for d in facts.final("performance_record") if d.finalised_on]
    yield CaseDeadline(
        "fine_payment",
        "缴纳罚款",
        decision.number,
        fine_due(decision.served_on, facts.profile, facts.calendar),
        min(paid) if paid else None,
        "《行政处罚法》第六十七条",
    )
    demand = _first(facts, "demand_notice")
    if demand is None or demand.served_on is None or paid:
        return
    window = court_window(
        demand_served_on=demand.served_on,
        decision_served_on=decision.served_on,
        remedy_stated=remedy_stated(decision),
        profile=facts.profile,
        calendar=facts.calendar,
        deferred_until=deferred_until(facts),
    )
    applied = [
        d.finalised_on for d in facts.final("court_enforcement_application") if d.finalised_on
    ]
    yield CaseDeadline(
        "court_application",
        "申请人民法院强制执行",
        demand.number or "催告书",
        Due(window.closes_on, window.provisional, window.reason),
        min(applied) if applied else None,
        "《行政强制法》第五十三条、第五十四条",
        opens_on=window.opens_on,
    )


def case_deadlines(facts: CaseFacts) -> list[CaseDeadline]:
    """Every deadline of the case, by due date."""
    rows = [
        *_backfill(facts),
        *_preservation(facts),
        *_notice_periods(facts),
        *_decision(facts),
        *_performance(facts),
    ]
    return sorted(rows, key=lambda row: (row.due.due_on, row.kind))
