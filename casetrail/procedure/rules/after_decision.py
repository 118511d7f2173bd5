"""Rules of the stage after the decision (送达执行) and of closing (结案), bound to the documents
that record each act: performance, deferral, the demand, the court application and its result,
the transfer of a suspected crime, the verification of a correction, and the closing report.

Seed A art. 11–12, 14; Seed B art. 14–17, 25; 行政处罚法 第57条(四)、第66–67条、第72–73条、
第82条; 行政强制法 第35–38条、第53–55条; REFERENCE.md rules 32–35, 38, 40. The date and amount
arithmetic is in `performance.py` and `enforcement.py`; this module reads the documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts, Draft
from casetrail.procedure.rules.enforcement import court_application_problem, court_window
from casetrail.procedure.rules.performance import Pause, fine_due, late_surcharge

# Documents that reach the party and so need a completed service before closing (rule 40).
SERVED_KINDS: Final = frozenset(
    {
        "prior_notice",
        "hearing_notice",
        "decision",
        "no_penalty_decision",
        "correction_order",
        "demand_notice",
        "payment_deferral_approval",
    }
)
PAID: Final = frozenset({"paid", "paid_late"})
# The decisions whose performance is recorded: the ordinary one and the on-the-spot one.
PENALTY_DECISIONS: Final = frozenset({"decision", "summary_decision"})


def delivered_on(decision: DocFacts) -> date | None:
    """The day the party received the decision: its recorded service, else, for an on-the-spot
    decision, the day it was made, since it is handed over there (行政处罚法 第52条 第1款)."""
    if decision.served_on is not None or decision.kind != "summary_decision":
        return decision.served_on
    return _day(decision.fields, "decided_at") or decision.finalised_on


# The documents that decide a case (finalising one moves it to 送达执行).
DECIDING: Final = frozenset({"decision", "no_penalty_decision", "summary_decision"})


def _refuse(rule: str, article: str, field: str, message: str) -> RuleViolation:
    return RuleViolation(rule=rule, article=article, field=field, message=message)


def _money(fields: Mapping[str, Any], name: str) -> Decimal:
    try:
        return Decimal(str(fields.get(name) or "0"))
    except InvalidOperation:
        return Decimal(0)


def _day(fields: Mapping[str, Any], name: str) -> date | None:
    value = fields.get(name)
    return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def _referenced(facts: CaseFacts, fields: Mapping[str, Any], name: str) -> DocFacts | None:
    value = fields.get(name)
    return facts.document(value) if isinstance(value, int) else None


def the_decision(facts: CaseFacts) -> DocFacts | None:
    found = facts.final("decision")
    return found[-1] if found else None


def remedy_stated(decision: DocFacts) -> bool:
    """Did the decision tell the party the lawsuit period? (行诉解释 第64条: else one year.)"""
    text = str(decision.fields.get("remedy") or "")
    return "诉讼" in text and ("6个月" in text or "六个月" in text)


def deferred_until(facts: CaseFacts) -> date | None:
    """The last day of an approved deferral or instalment plan (行政处罚法 第66条)."""
    days = [
        day
        for approval in facts.final("payment_deferral_approval")
        if approval.fields.get("proposal") != "reject"
        and (day := _day(approval.fields, "final_due_on")) is not None
    ]
    return max(days) if days else None


def challenged(facts: CaseFacts) -> bool:
    """A reconsideration or lawsuit was filed and is pending or changed the decision."""
    return any(r.fields.get("status") != "upheld" for r in facts.final("remedy_record"))


def pauses(facts: CaseFacts) -> list[Pause]:
    """Days the surcharge does not run: pending reconsideration or lawsuit (第73条 第3款) and an
    approved deferral (第66条)."""
    found = []
    for record in facts.final("remedy_record"):
        start = _day(record.fields, "filed_on")
        end = _day(record.fields, "ended_on") or facts.today
        if start is not None:
            found.append(Pause(start, end))
    decision = the_decision(facts)
    until = deferred_until(facts)
    if decision is not None and decision.served_on is not None and until is not None:
        found.append(Pause(decision.served_on, until))
    return found


# --- performance (rule 32) -----------------------------------------------------------------


def performance_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """Performance is recorded against the served decision: a payment in full covers the fine
    and the late surcharge of 3 % a day (capped at the fine, paused while a challenge is
    pending or a deferral runs); instalments only under an approved plan.

    行政处罚法 第66–67条、第72–73条; Seed B art. 15; rule 32.
    """
    article = cite(facts.profile, "R32")
    decision = _referenced(facts, draft.fields, "decision")
    if decision is None or decision.kind not in PENALTY_DECISIONS or not decision.final:
        return _refuse("32", article, "decision", "履行情况：须对应本案已定稿的行政处罚决定书")
    served_on = delivered_on(decision)
    if served_on is None:
        return _refuse("32", article, "decision", "履行情况：处罚决定书尚未送达，罚款期限尚未起算")
    status = draft.fields.get("performance")
    if status == "instalment" and deferred_until(facts) is None:
        return _refuse(
            "32",
            "《行政处罚法》第六十六条 第二款",
            "performance",
            "分期缴纳：须有当事人申请并经批准的暂缓（分期）缴纳罚款审批表",
        )
    if status not in PAID:
        return None
    paid_on = _day(draft.fields, "paid_on")
    if paid_on is None:
        return _refuse("32", article, "paid_on", "缴纳日期：已缴纳的须填写缴纳日期")
    if paid_on < served_on:
        return _refuse("32", article, "paid_on", "缴纳日期：不能早于决定书送达日期")
    fine = _money(decision.fields, "fine")
    due = fine_due(served_on, facts.profile, facts.calendar).due_on
    surcharge = late_surcharge(fine, due_on=due, until=paid_on, pauses=pauses(facts))
    if _money(draft.fields, "amount_paid") < fine:
        return _refuse(
            "32", article, "amount_paid", f"缴纳金额：少于罚款数额{fine}元，应记为部分缴纳"
        )
    if _money(draft.fields, "surcharge") < surcharge:
        return _refuse(
            "32",
            article,
            "surcharge",
            f"加处罚款：{due.isoformat()}后逾期缴纳，应加处罚款{surcharge}元（每日3%，不超过罚款数额）",
        )
    if status == "paid" and surcharge > 0:
        return _refuse("32", article, "performance", "履行情况：已逾期，应记为逾期后缴纳")
    return None


def deferral_approval_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """A deferral or instalment plan answers the party's written application (第66条 第2款)."""
    application = _referenced(facts, draft.fields, "application")
    if application is None or application.kind != "payment_deferral_application":
        return _refuse(
            "32",
            "《行政处罚法》第六十六条 第二款",
            "application",
            "暂缓（分期）缴纳：须有当事人的书面申请",
        )
    if not application.final:
        return _refuse(
            "32",
            "《行政处罚法》第六十六条 第二款",
            "application",
            "暂缓（分期）缴纳：申请书尚未定稿",
        )
    return None


# --- the demand and the court (rules 34, 35) ---------------------------------------------


def _paid_in_full(facts: CaseFacts) -> bool:
    return any(r.fields.get("performance") in PAID for r in facts.final("performance_record"))


def demand_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """The demand (催告) comes after the payment period has run unpaid (行政强制法 第35条; Seed A
    art. 12; Seed B art. 16; rule 34)."""
    article = cite(facts.profile, "R34")
    decision = the_decision(facts)
    if decision is None or decision.served_on is None:
        return _refuse("34", article, "decision", "催告书：处罚决定书尚未送达")
    if _paid_in_full(facts):
        return _refuse("34", article, "decision", "催告书：当事人已履行，无需催告")
    due = fine_due(decision.served_on, facts.profile, facts.calendar).due_on
    until = deferred_until(facts)
    last = max(due, until) if until else due
    if draft.on <= last:
        return _refuse(
            "34", article, "issued_on", f"催告书：履行期限（{last.isoformat()}）届满后方可催告"
        )
    return None


def court_application_gate(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """Apply to the court only after the demand was served (directly) and its statements were
    re-examined, inside the window of 行政强制法 第53–54条, for an unchallenged decision
    (Seed A art. 12(2); Seed B art. 17; rule 35)."""
    article = "《行政强制法》第五十三条、第五十四条"
    decision = the_decision(facts)
    demand = next((d for d in facts.final("demand_notice") if d.served_on), None)
    if decision is None or decision.served_on is None:
        return _refuse("35", article, "decision", "强制执行申请：处罚决定书尚未送达")
    if demand is None or demand.served_on is None:
        return _refuse("35", article, "demand", "强制执行申请：催告书尚未送达")
    if any(not d.final for d in facts.current("demand_statement_record")):
        return _refuse(
            "34",
            "《行政强制法》第三十六条",
            "demand",
            "强制执行申请：当事人催告后的陈述申辩尚未复核完毕",
        )
    if draft.fields.get("no_review_or_suit") is not True:
        return _refuse(
            "35",
            article,
            "no_review_or_suit",
            "强制执行申请：须确认当事人在法定期限内未申请复议、未起诉",
        )
    window = court_window(
        demand_served_on=demand.served_on,
        decision_served_on=decision.served_on,
        remedy_stated=remedy_stated(decision),
        profile=facts.profile,
        calendar=facts.calendar,
        deferred_until=deferred_until(facts),
    )
    return court_application_problem(window, on=draft.on, challenged=challenged(facts))


def court_result_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """The court's ruling is recorded against a final application (Seed A art. 12(2))."""
    application = _referenced(facts, draft.fields, "application")
    if (
        application is None
        or application.kind != "court_enforcement_application"
        or not application.final
    ):
        return _refuse(
            "35",
            cite(facts.profile, "R35"),
            "application",
            "法院裁定：须对应本案已定稿的强制执行申请书",
        )
    return None


# --- transfer, correction, closing (rules 33, 38, 40) -------------------------------------


def _proposes_transfer(facts: CaseFacts) -> bool:
    report = facts.latest_final("investigation_report")
    return report is not None and report.fields.get("proposal") == "transfer"


def transfer_gate(facts: CaseFacts) -> RuleViolation | None:
    """A suspected crime is transferred with its letter; a penalty does not replace the
    transfer (行政处罚法 第27条、第57条(四)、第82条; 统计法实施条例 第51条; rule 38)."""
    if _proposes_transfer(facts) and not facts.final("case_transfer_letter"):
        return _refuse(
            "38",
            "《行政处罚法》第二十七条、第八十二条",
            "case_transfer_letter",
            "调查终结报告建议移送司法机关：缺少涉嫌犯罪案件移送书，不得以行政处罚代替移送",
        )
    return None


def transfer_before_decision(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    return transfer_gate(facts)


def correction_check_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    order = _referenced(facts, draft.fields, "order")
    if order is None or order.kind != "correction_order" or not order.final:
        return _refuse(
            "33",
            cite(facts.profile, "R33"),
            "order",
            "改正情况核查：须对应本案已定稿的责令改正通知书",
        )
    return None


def corrections_checked_gate(facts: CaseFacts) -> RuleViolation | None:
    """Every order to correct is followed by a verification of the correction before closing
    (Seed B art. 14; rule 33)."""
    checked = {c.fields.get("order") for c in facts.final("correction_check")}
    for order in facts.final("correction_order"):
        if order.document_id not in checked:
            return _refuse(
                "33",
                cite(facts.profile, "R33"),
                "correction_check",
                f"责令改正通知书{order.number}：尚无改正情况核查记录",
            )
    return None


def services_gate(facts: CaseFacts) -> RuleViolation | None:
    """Every document that reaches the party has its service proof (rule 40; Seed B art. 18)."""
    for doc in facts.documents:
        if doc.kind in SERVED_KINDS and doc.final and not doc.superseded and doc.served_on is None:
            return _refuse(
                "40",
                cite(facts.profile, "R40"),
                "services",
                f"{facts.catalogue[doc.kind].title if doc.kind in facts.catalogue else doc.kind}"
                f"{doc.number}：尚无送达凭证",
            )
    return None


def ends_without_decision(facts: CaseFacts) -> str:
    """How a case ends before any decision: "withdrawn" once the 撤案审批表 is final (兴隆台区
    办法第三十三条; 行政处罚法 第五十七条), "transferred" once the 涉嫌犯罪案件移送书 is final and
    no decision was made (行政处罚法 第二十七条、第五十七条(四)); else "" (it ends by a decision).
    Such a case is closed from the stage it reached, with its 结案审批表."""
    if any(d.kind in DECIDING for d in facts.documents if d.final and not d.superseded):
        return ""
    if facts.final("withdrawal_approval"):
        return "withdrawn"
    if facts.final("case_transfer_letter"):
        return "transferred"
    return ""


def closable_stage(facts: CaseFacts) -> bool:
    """The case stands where 结案 may be asked for: decided (送达执行), or still in 调查取证 or
    审查决定 but ended without a decision (withdrawn or transferred)."""
    if facts.stage == "decided":
        return True
    return facts.stage in ("investigation", "review") and bool(ends_without_decision(facts))


def _required_for_closing(facts: CaseFacts) -> list[str]:
    """The documents the case's path requires in its file (Seed A art. 14; Seed B art. 25)."""
    if ends_without_decision(facts) == "withdrawn":
        return ["withdrawal_approval"]
    if facts.procedure == "summary":
        required = ["summary_decision", "summary_filing_record"]
        decision = facts.latest_final("summary_decision")
        if decision is not None and decision.fields.get("penalty_type") == "fine":
            required.append("performance_record")
        return required
    if _proposes_transfer(facts) and not facts.final("decision"):
        return ["investigation_report", "case_transfer_letter"]
    if facts.final("no_penalty_decision"):
        return ["investigation_report", "no_penalty_decision"]
    required = ["investigation_report", "prior_notice", "decision"]
    decision = the_decision(facts)
    if decision is not None and _money(decision.fields, "fine") > 0:
        paid = _paid_in_full(facts)
        required.append("performance_record" if paid else "court_result_record")
    return required


def unpaid_fine_next_step(facts: CaseFacts) -> RuleViolation | None:
    """A fine not (yet) paid: say what comes next — record the payment, or wait for the
    payment period, then 催告 and apply to the court (行政处罚法 第67条、第72条; 行政强制法
    第35条、第53条; rule 40)."""
    decision = the_decision(facts)
    if decision is None or _money(decision.fields, "fine") <= 0 or _paid_in_full(facts):
        return None
    article = "《行政处罚法》第六十七条、第七十二条；《行政强制法》第三十五条、第五十三条"
    record = "当事人缴纳后，制作行政处罚执行情况记录（已缴纳）即可结案"
    if decision.served_on is None:
        message = f"结案：罚款尚未缴纳，处罚决定书也尚未送达。先送达决定书；{record}"
        return _refuse("40", article, "performance_record", message)
    if facts.final("demand_notice"):
        return None  # after the demand the court's ruling and its execution close the case
    due = fine_due(decision.served_on, facts.profile, facts.calendar).due_on
    until = deferred_until(facts)
    last = max(due, until) if until else due
    if facts.today <= last:
        message = (
            f"结案：罚款尚未缴纳，缴纳期限至{last.isoformat()}。{record}；期限届满仍未缴纳的，"
            "制作催告书并直接送达，催告期满仍不履行的申请人民法院强制执行"
        )
    else:
        message = (
            f"结案：罚款逾期未缴纳（缴纳期限{last.isoformat()}）。已缴纳的，制作行政处罚执行情况"
            "记录；仍未缴纳的，先制作催告书并直接送达，催告期满仍不履行的申请人民法院强制执行"
        )
    return _refuse("40", article, "performance_record", message)


def file_complete_gate(facts: CaseFacts) -> RuleViolation | None:
    """A case closes only with the documents its path requires (rule 40; Seed A art. 14)."""
    for kind in _required_for_closing(facts):
        if kind == "court_result_record" and not facts.final(kind):
            problem = unpaid_fine_next_step(facts)
            if problem is not None:
                return problem
        if not facts.final(kind):
            title = facts.catalogue[kind].title if kind in facts.catalogue else kind
            return _refuse(
                "40",
                cite(facts.profile, "R40"),
                kind,
                f"结案：案卷缺少{title}",
            )
    return None


def closing_report_gate(facts: CaseFacts) -> RuleViolation | None:
    """The closing report, signed by handler, reviewer and head, is final (Seed B art. 33)."""
    if not facts.final("closing_report"):
        return _refuse(
            "40",
            cite(facts.profile, "R20"),
            "closing_report",
            "结案：缺少经审核人、负责人签署的结案审批表",
        )
    return None


# 结案审批表: each outcome, the decision kinds it names and the recorded fact it states.
_OUTCOME_DECISIONS: Final[Mapping[str, frozenset[str]]] = {
    "penalty_performed": frozenset({"decision", "summary_decision"}),
    "penalty_enforced": frozenset({"decision", "summary_decision"}),
    "no_penalty": frozenset({"no_penalty_decision"}),
    "transferred": frozenset({"case_transfer_letter"}),
    "withdrawn": frozenset({"withdrawal_approval"}),
}
_OUTCOME_RECORD: Final[Mapping[str, tuple[str, str]]] = {
    "penalty_enforced": ("court_result_record", "人民法院强制执行裁定及执行情况记录"),
    "no_penalty": ("no_penalty_decision", "不予行政处罚决定书"),
    "transferred": ("case_transfer_letter", "涉嫌犯罪案件移送书"),
    "withdrawn": ("withdrawal_approval", "撤案审批表"),
}


def closing_report_agrees(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """The 结案审批表 states only what the file records: 已履行 needs the payment recorded,
    强制执行 the court's ruling, and its 处理决定文书 is of the outcome's kind (Seed A art. 14;
    Seed B art. 25; rule 40)."""
    article = cite(facts.profile, "R40")
    outcome = str(doc.fields.get("outcome") or "")
    referenced = _referenced(facts, doc.fields, "decision")
    kinds = _OUTCOME_DECISIONS.get(outcome)
    if referenced is not None and kinds is not None and referenced.kind not in kinds:
        return _refuse("40", article, "decision", "结案审批表：处理决定文书与案件处理结果不符")
    if outcome == "penalty_performed":
        decision = the_decision(facts) or facts.latest_final("summary_decision")
        if decision is None:
            message = "结案审批表：本案尚无已定稿的行政处罚决定书，不能写“已履行”"
            return _refuse("40", article, "outcome", message)
        if _money(decision.fields, "fine") > 0 and not _paid_in_full(facts):
            message = "结案审批表：尚无已缴纳的行政处罚执行情况记录，不能写“已履行”"
            return _refuse("40", article, "outcome", message)
    if outcome in _OUTCOME_RECORD:
        kind, title = _OUTCOME_RECORD[outcome]
        if not facts.final(kind):
            return _refuse("40", article, "outcome", f"结案审批表：案卷尚无已定稿的{title}")
    return None


CREATE: Mapping[str, Sequence[Callable[[CaseFacts, Draft], RuleViolation | None]]] = {
    "performance_record": (performance_problem,),
    "payment_deferral_approval": (deferral_approval_problem,),
    "demand_notice": (demand_problem,),
    "court_enforcement_application": (court_application_gate,),
    "court_result_record": (court_result_problem,),
    "correction_check": (correction_check_problem,),
}
FINALISE: Mapping[str, Sequence[Callable[[CaseFacts, DocFacts], RuleViolation | None]]] = {
    "decision": (transfer_before_decision,),
    "closing_report": (closing_report_agrees,),
}
# decided → closed (do_close_case)
GATES: Sequence[Callable[[CaseFacts], RuleViolation | None]] = (
    file_complete_gate,
    services_gate,
    corrections_checked_gate,
    transfer_gate,
    closing_report_gate,
)
