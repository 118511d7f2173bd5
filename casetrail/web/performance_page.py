"""What the performance and enforcement page shows (送达执行): the decision and its service, the
fine's due day and the surcharge as of today, deferral, the demand, the court window, the
court's result, challenges, corrections, and what still keeps the case from closing.

Reads only, from `CaseFacts`, through the same rule functions the actions call (行政处罚法
第66–67条、第72–73条; 行政强制法 第35条、第53–54条; rules 32–35, 40).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from django.urls import reverse

from casetrail.cases.models import Case
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts, Draft
from casetrail.procedure.guards import gate_problems
from casetrail.procedure.rules.after_decision import (
    PAID,
    closable_stage,
    court_application_gate,
    deferred_until,
    delivered_on,
    ends_without_decision,
    pauses,
    remedy_stated,
    the_decision,
)
from casetrail.procedure.rules.enforcement import CourtWindow, court_window, remedy_expiry
from casetrail.procedure.rules.performance import Pause, fine_due, late_surcharge
from casetrail.procedure.workdays import Due

# The documents of this stage, in the order the page offers to make them.
AFTER_DECISION_KINDS: Final = (
    "performance_record",
    "payment_deferral_application",
    "payment_deferral_approval",
    "demand_notice",
    "demand_statement_record",
    "court_enforcement_application",
    "court_result_record",
    "remedy_record",
    "correction_check",
    "closing_report",
)

# A case ended without a penalty (不予处罚, withdrawn, transferred): challenged, then closed.
ENDED_KINDS: Final = ("remedy_record", "closing_report")

MONEY: Final = frozenset({"amount_paid", "surcharge", "amount_collected"})


def _money(fields: Mapping[str, object], name: str) -> Decimal:
    try:
        return Decimal(str(fields.get(name) or "0"))
    except InvalidOperation:
        return Decimal(0)


@dataclass(frozen=True)
class DocLine:
    """A final document as the page lists it: title, number, link, and a line of its fields."""

    doc: DocFacts
    title: str
    url: str
    summary: str


@dataclass(frozen=True)
class Fine:
    amount: Decimal
    due: Due
    days_late: int
    surcharge_today: Decimal  # 3 % a day after the due day, paused days skipped, capped
    paid: DocLine | None


@dataclass(frozen=True)
class Court:
    window: CourtWindow
    problem_today: RuleViolation | None  # None: an application may be made today


@dataclass(frozen=True)
class PerformanceView:
    decision: DocLine | None
    served_on: date | None
    fine: Fine | None
    pauses: list[Pause]
    deferred_until: date | None
    remedy_expiry: date | None
    remedy_stated: bool
    demand: DocLine | None
    court: Court | None
    lines: Mapping[str, list[DocLine]]  # kind → its final documents
    corrections: list[tuple[DocLine, DocLine | None]]  # each order and its check
    closing_problems: list[RuleViolation]


def _line(facts: CaseFacts, doc: DocFacts) -> DocLine:
    kind = facts.catalogue.get(doc.kind)
    title = kind.title if kind else doc.kind
    parts = []
    for name in ("performance", "status", "ruling", "request", "proposal", "result"):
        value = doc.fields.get(name)
        if kind is not None and isinstance(value, str) and value:
            spec = next((f for f in kind.fields if f.name == name), None)
            parts.append(spec.choice_label(value) if spec else value)
    for name, label in (
        ("amount_paid", "已缴纳"),
        ("surcharge", "加处罚款"),
        ("amount_collected", "执行到位"),
        ("paid_on", "缴纳日期"),
        ("filed_on", "申请或起诉日期"),
        ("ended_on", "审结日期"),
        ("final_due_on", "最后缴纳期限"),
        ("ruled_on", "裁定日期"),
        ("checked_on", "核查日期"),
    ):
        value = doc.fields.get(name)
        if value:
            parts.append(f"{label} {value}{'元' if name in MONEY else ''}")
    url = reverse("document-detail", args=[facts.case_id, doc.document_id])
    return DocLine(doc, f"{title} {doc.number}".strip(), url, "；".join(parts))


@dataclass(frozen=True)
class Ending:
    """How a case ended without a decision: the document that ended it and what it says."""

    document: str
    url: str
    text: str


def ending(facts: CaseFacts) -> Ending | None:
    """The 撤案审批表 or the 涉嫌犯罪案件移送书 that ended the case before any decision."""
    how = ends_without_decision(facts)
    if not how and the_decision(facts) is None and facts.latest_final("no_penalty_decision"):
        how = "no_penalty"
    kind = {
        "withdrawn": "withdrawal_approval",
        "transferred": "case_transfer_letter",
        "no_penalty": "no_penalty_decision",
    }.get(how)
    doc = facts.latest_final(kind) if kind else None
    if doc is None:
        return None
    line = _line(facts, doc)
    if how == "withdrawn":
        spec = next((f for f in facts.catalogue[doc.kind].fields if f.name == "grounds"), None)
        grounds = str(doc.fields.get("grounds") or "")
        label = spec.choice_label(grounds) if spec else grounds
        text = f"：经批准撤销案件（{label}），不作出行政处罚决定。"
    elif how == "transferred":
        text = f"：已移送{doc.fields.get('recipient') or '司法机关'}，不作出行政处罚决定。"
    else:
        served = doc.served_on
        text = f"：不予行政处罚，{served.isoformat() + '送达' if served else '尚未送达'}。"
    return Ending(line.title, line.url, text)


def _fine(facts: CaseFacts, decision: DocFacts, served_on: date) -> Fine | None:
    amount = _money(decision.fields, "fine")
    if amount <= 0:
        return None
    due = fine_due(served_on, facts.profile, facts.calendar)
    paid = next(
        (
            d
            for d in reversed(facts.final("performance_record"))
            if d.fields.get("performance") in PAID
        ),
        None,
    )
    until = facts.today
    if paid is not None and isinstance(paid.fields.get("paid_on"), str):
        until = date.fromisoformat(str(paid.fields["paid_on"]))
    surcharge = late_surcharge(amount, due_on=due.due_on, until=until, pauses=pauses(facts))
    paid_line = _line(facts, paid) if paid is not None else None
    return Fine(amount, due, max((until - due.due_on).days, 0), surcharge, paid_line)


def _court(facts: CaseFacts, decision: DocFacts, demand: DocFacts | None) -> Court | None:
    if demand is None or demand.served_on is None or decision.served_on is None:
        return None
    window = court_window(
        demand_served_on=demand.served_on,
        decision_served_on=decision.served_on,
        remedy_stated=remedy_stated(decision),
        profile=facts.profile,
        calendar=facts.calendar,
        deferred_until=deferred_until(facts),
    )
    kind = facts.catalogue.get("court_enforcement_application")
    problem = None
    if kind is not None:
        # Today's application, its parts confirmed: what the action would still refuse.
        draft = Draft(kind=kind, fields={"no_review_or_suit": True}, author_id=0, on=facts.today)
        problem = court_application_gate(facts, draft)
    return Court(window, problem)


def performance_view(facts: CaseFacts) -> PerformanceView:
    # The ordinary decision, else the on-the-spot one (行政处罚法 第52条), handed over there.
    decision = the_decision(facts) or facts.latest_final("summary_decision")
    lines = {
        kind: [_line(facts, d) for d in facts.final(kind)]
        for kind in AFTER_DECISION_KINDS
        if kind in facts.catalogue
    }
    checks = {d.fields.get("order"): d for d in facts.final("correction_check")}
    corrections: list[tuple[DocLine, DocLine | None]] = []
    for order in facts.final("correction_order"):
        check = checks.get(order.document_id)
        corrections.append((_line(facts, order), _line(facts, check) if check else None))
    served_on = delivered_on(decision) if decision else None
    demands = facts.final("demand_notice")
    demand = next((d for d in demands if d.served_on), demands[-1] if demands else None)
    return PerformanceView(
        decision=_line(facts, decision) if decision else None,
        served_on=served_on,
        fine=_fine(facts, decision, served_on) if decision and served_on else None,
        pauses=pauses(facts),
        deferred_until=deferred_until(facts),
        remedy_expiry=remedy_expiry(served_on, remedy_stated=remedy_stated(decision))
        if decision and served_on
        else None,
        remedy_stated=remedy_stated(decision) if decision else False,
        demand=_line(facts, demand) if demand else None,
        court=_court(facts, decision, demand) if decision else None,
        lines=lines,
        corrections=corrections,
        closing_problems=gate_problems(facts, "closed") if closable_stage(facts) else [],
    )


@dataclass(frozen=True)
class KindLink:
    code: str
    title: str
    url: str


def create_links(case: Case, facts: CaseFacts) -> list[KindLink]:
    """The documents of this stage the case may make now, through their generated forms; a
    case ended without a penalty has nothing to perform or enforce."""
    codes = ENDED_KINDS if ending(facts) else AFTER_DECISION_KINDS
    return [
        KindLink(code, kind.title, reverse("document-create", args=[case.pk, code]))
        for code in codes
        if (kind := facts.catalogue.get(code)) is not None
        and case.stage in kind.stages
        and case.procedure in kind.procedures
    ]
