"""Rules of the review and decision stage (审查决定): Seed A art. 8, 10; Seed B art. 8, 11–13, 33.

Each rule is a pure function of `CaseFacts` and a draft (`CREATE`) or a document (`FINALISE`),
registered by document kind in the tables at the bottom; `GATES` guard the decision (rules
18–26) and list what is still missing on the case page. This module holds rules 18, 19, 20,
25 and 26; notice and hearing (21–24) are in `hearing.py`, the summary procedure (27) in
`summary.py`. REFERENCE.md "Rules the system must enforce".
"""

from __future__ import annotations

import calendar as month_calendar
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Final

from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, ChainFacts, DocFacts, Draft
from casetrail.procedure.rules.hearing import (
    DECISION_PENALTIES,
    decision_date_problem,
    hearing_application_problem,
    hearing_chair_problem,
    hearing_notice_problem,
    hearing_notice_service_gate,
    hearing_record_gate,
    hearing_reference_problem,
    hearing_request_window_gate,
    hearing_right_problem,
    no_heavier_penalty_problem,
    notice_contents_problem,
    prior_notice_gate,
    re_examination_gate,
)
from casetrail.procedure.rules.start import STEP_LABEL, next_step
from casetrail.procedure.rules.summary import (
    FINE_TYPES,
    collection_problem,
    day_of,
    form_number_problem,
    party_of,
    remedy_problem,
    summary_filing_problem,
    summary_filing_record_problem,
    summary_penalty_problem,
    summary_procedure_problem,
    summary_remedy_problem,
    text_of,
    yuan,
)
from casetrail.procedure.workdays import Due

DECIDING: Final = ("decision", "no_penalty_decision")
# 第59条(四): the fine's payment period is stated in days (第67条: 收到决定书之日起十五日内).
_DAYS: Final = re.compile(r"[0-9０-９]+\s*[日天]|[一二三四五六七八九十百]+[日天]")


def _decided(facts: CaseFacts) -> bool:
    return any(facts.final(kind) for kind in DECIDING)


# --- rule 18: legal review (法制审核) -------------------------------------------------------


def _legal_review_reasons(facts: CaseFacts) -> list[str]:
    reasons = []
    if facts.legal_review_required:
        reasons.append("列为须法制审核的案件")
    if facts.major:
        reasons.append("属重大案件")
    if facts.final("hearing_transcript"):
        reasons.append("经过听证程序")
    return reasons


def legal_review_gate(facts: CaseFacts) -> RuleViolation | None:
    """A case flagged for review, a major case or a heard case needs a final legal review
    concluding "pass", by an officer qualified as reviewer who is not a handler of the case
    and, after a hearing, dated on or after it.

    "Qualified" is holding the agency role "reviewer" (OfficerFacts.roles) and 法律职业资格
    (第58条 第2款: `OfficerFacts.legal_review_qualified`, the officer's 法制审核资格).

    行政处罚法 第58条（未经法制审核或者审核未通过的，不得作出决定）; Seed A art. 10;
    Seed B art. 11; REFERENCE.md rule 18.
    """
    reasons = _legal_review_reasons(facts)
    if not reasons:
        return None
    review = facts.latest_final("legal_review_opinion")
    why = "、".join(reasons)
    if review is None:
        return _review_refusal("legal_review_opinion", f"本案{why}，作出决定前须经法制审核")
    if review.fields.get("conclusion") != "pass":
        return _review_refusal("conclusion", "法制审核未通过，不得作出决定")
    reviewer_id = review.fields.get("reviewer")
    officer = facts.officers.get(reviewer_id) if isinstance(reviewer_id, int) else None
    if officer is None or "reviewer" not in officer.roles or not officer.legal_review_qualified:
        name = officer.name if officer else "审核人"
        return _review_refusal(
            "reviewer",
            f"{name}不具备本机关法制审核人员资格（须为本机关审核人，并取得法律职业资格）",
        )
    if officer.officer_id in facts.handler_ids:
        return _review_refusal("reviewer", f"{officer.name}是本案承办人，不得审核本案")
    heard = [day_of(t.fields, "held_at") for t in facts.final("hearing_transcript")]
    reviewed_on = day_of(review.fields, "reviewed_on")
    if reviewed_on and any(h and reviewed_on < h for h in heard):
        return _review_refusal("reviewed_on", "法制审核早于听证，听证后须重新审核")
    return None


def _review_refusal(field: str, message: str) -> RuleViolation:
    return RuleViolation(
        rule="18", article="《行政处罚法》第五十八条", field=field, message=message
    )


# --- rule 19: collective deliberation (集体讨论) ---------------------------------------------


def collective_deliberation_gate(facts: CaseFacts) -> RuleViolation | None:
    """A major or complex case is decided by the agency heads collectively: a final record,
    chaired by an agency head. The gate applies to either outcome, since the deliberation is
    what decides whether a penalty is given.

    行政处罚法 第57条 第2款; Seed A art. 10; Seed B art. 11; REFERENCE.md rule 19.
    """
    if not (facts.major or facts.complex_case):
        return None
    article = "《行政处罚法》第五十七条 第二款"
    record = facts.latest_final("collective_deliberation_record")
    if record is None:
        return RuleViolation(
            rule="19",
            article=article,
            field="collective_deliberation_record",
            message="情节复杂或者重大违法行为的处罚，须经机关负责人集体讨论决定并记录",
        )
    chair_id = record.fields.get("chair")
    chair = facts.officers.get(chair_id) if isinstance(chair_id, int) else None
    if chair is None or "head" not in chair.roles:
        return RuleViolation(
            rule="19",
            article=article,
            field="chair",
            message="集体讨论记录：主持人须为本机关负责人",
        )
    return None


# --- rule 20: the internal approval chain ---------------------------------------------------


def _chain_message(chain: ChainFacts | None) -> str | None:
    if chain is None:
        return "行政处罚决定审批表尚未报请审批（承办人→审核人→批准人）"
    if chain.outcome == "rejected":
        return "行政处罚决定审批未获同意"
    if chain.outcome == "pending":
        step = next_step(chain.steps)
        return f"行政处罚决定审批尚未完成，待{STEP_LABEL[step] if step else '批准人'}签署"
    return None


def decision_approval_gate(facts: CaseFacts) -> RuleViolation | None:
    """The latest final decision form was approved handler → reviewer → approver.

    Seed B art. 11, 33; Seed A art. 10（由负责人签署审批意见）; REFERENCE.md rule 20. The
    summary procedure decides on the spot without one (第51–52条).
    """
    if facts.procedure != "ordinary":
        return None
    approval = facts.latest_final("decision_approval")
    if approval is None:
        message: str | None = "作出决定前须制作行政处罚决定审批表并定稿"
    else:
        message = _chain_message(facts.chain("decision", approval.document_id))
    if message is None:
        return None
    return RuleViolation(
        rule="20", article=cite(facts.profile, "R20"), field="approval", message=message
    )


def _approval_mismatch(facts: CaseFacts, doc: DocFacts) -> str | None:
    value = doc.fields.get("approval")
    approval = facts.document(value) if isinstance(value, int) else None
    if approval is None or approval.kind != "decision_approval" or not approval.final:
        return "须引用已定稿的行政处罚决定审批表"
    if approval.superseded:
        return "所引用的审批表已被更正的审批表替代"
    chained = _chain_message(facts.chain("decision", approval.document_id))
    if chained is not None:
        return chained
    expected = "penalty" if doc.kind == "decision" else "no_penalty"
    if approval.fields.get("proposed_decision") != expected:
        return "与审批表批准的处理决定不一致"
    approved = yuan(approval.fields, "fine")
    if doc.kind == "decision" and approved is not None and yuan(doc.fields, "fine") != approved:
        return f"罚款金额与审批表批准的{approved}元不一致"
    return None


def approval_reference_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """The decision names the approved form, decides what it approved, and the fine it set.

    Seed B art. 11, 33; REFERENCE.md rule 20.
    """
    message = _approval_mismatch(facts, doc)
    if message is None:
        return None
    title = facts.catalogue[doc.kind].title if doc.kind in facts.catalogue else doc.kind
    return RuleViolation(
        rule="20",
        article=cite(facts.profile, "R20"),
        field="approval",
        message=f"{title}：{message}",
    )


# --- rule 25: the contents of the decision --------------------------------------------------


def _contents_refusal(facts: CaseFacts, title: str, field: str, message: str) -> RuleViolation:
    article = cite(facts.profile, "R25")
    return RuleViolation(rule="25", article=article, field=field, message=f"{title}：{message}")


def _common_contents_problem(facts: CaseFacts, doc: DocFacts, title: str) -> RuleViolation | None:
    """Name and address (一), remedy (五), date (六) and the seal (第2款)."""
    if party_of(facts, doc.fields) is None:
        return _contents_refusal(facts, title, "party", "未载明本案当事人")
    if not text_of(doc.fields, "party_address"):
        return _contents_refusal(facts, title, "party_address", "未载明当事人地址")
    remedy = remedy_problem(title, doc.fields, rule="25", article=cite(facts.profile, "R25"))
    if remedy is not None:
        return remedy
    decided_on = day_of(doc.fields, "decided_on")
    if decided_on is None or decided_on > facts.today:
        return _contents_refusal(facts, title, "decided_on", "作出决定的日期须填写且不得晚于今天")
    kind = facts.catalogue.get(doc.kind)
    if kind is None or not kind.seal:
        return _contents_refusal(facts, title, "seal", "决定书必须加盖行政机关印章")
    return None


_ARTICLE_NUMBER: Final = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")


def citation_problem(text: str) -> str:
    """What is wrong with *text* as a citation printed inside a fixed sentence ("违反了……的
    规定", "依据……的规定"): it names the law in 《》 and its article, and is only that — no
    sentence of its own (a penalty written into the basis printed as "…元整。的规定").
    Empty when it is a citation."""
    if not text:
        return "：必须填写"
    if "《" not in text or "》" not in text or not _ARTICLE_NUMBER.search(text):
        return "：须写明法律、法规或规章的名称（加书名号）和条文，如《中华人民共和国统计法》第七条"
    if any(mark in text for mark in "。；;\n") or text.endswith("的规定"):
        return (
            "：只写条文，不写句子或处罚内容（文书印为“……的规定”，处罚内容由处罚种类和罚款金额生成）"
        )
    return ""


def decision_citations_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """Already when the decision is written, the violated provisions and the basis it fills
    into its fixed sentences are citations (`citation_problem`), when given.

    行政处罚法 第59条(二)(三); REFERENCE.md rule 25."""
    for name, label in (("violated_provisions", "违反的规定"), ("legal_basis", "处罚依据")):
        text = text_of(draft.fields, name)
        problem = citation_problem(text) if text else ""
        if problem:
            return _contents_refusal(facts, "行政处罚决定书", name, f"{label}{problem}")
    return None


def decision_contents_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """The penalty decision states every item of 第59条: party name and address; facts and
    evidence; penalty type and basis (and the amount of a fine); how and by when to perform;
    the route and period of 复议 and 诉讼; the date; and carries the seal. The agency's name
    is the case's agency, printed by the template.

    行政处罚法 第59条; Seed B art. 13 (whose list skips item 六: the remedy is still required);
    REFERENCE.md rule 25.
    """
    title = "行政处罚决定书"
    if not text_of(doc.fields, "facts"):
        return _contents_refusal(facts, title, "facts", "未载明违法事实")
    if not text_of(doc.fields, "evidence"):
        return _contents_refusal(facts, title, "evidence", "未载明证明违法事实的证据")
    for name, label in (("violated_provisions", "违反的规定"), ("legal_basis", "处罚依据")):
        problem = citation_problem(text_of(doc.fields, name))
        if problem:
            return _contents_refusal(facts, title, name, f"{label}{problem}")
    penalty = str(doc.fields.get("penalty_type"))
    if penalty not in DECISION_PENALTIES:
        return _contents_refusal(facts, title, "penalty_type", "未载明行政处罚的种类")
    fine = yuan(doc.fields, "fine")
    if penalty in FINE_TYPES and not fine:
        return _contents_refusal(facts, title, "fine", "处以罚款的，须载明罚款金额")
    if penalty not in FINE_TYPES and fine:
        return _contents_refusal(facts, title, "fine", "处罚种类不含罚款，不能填写罚款金额")
    performance = text_of(doc.fields, "performance")
    if not performance or (fine and not _DAYS.search(performance)):
        return _contents_refusal(
            facts, title, "performance", "须载明履行方式和期限（罚款写明缴纳方式和缴纳期限）"
        )
    return _common_contents_problem(facts, doc, title)


def no_penalty_contents_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """A no-penalty decision is appealable too: party, remedy, date and seal as in 第59条."""
    return _common_contents_problem(facts, doc, "不予行政处罚决定书")


# --- rule 26: the decision deadline ---------------------------------------------------------

_ARTICLE_60: Final = "《行政处罚法》第六十条"


def _months_after(start: date, months: int) -> date:
    """The same day *months* later, or the month's last day (民诉法 第85条 counting)."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    last = month_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def _approved_extensions(facts: CaseFacts) -> list[ChainFacts]:
    chains = [c for c in facts.chains if c.subject == "extension" and c.outcome == "approved"]
    return sorted(chains, key=lambda c: c.approved_on or date.max)


def decision_due(facts: CaseFacts) -> Due | None:
    """The last day to decide, counted from filing; None before the case is filed.

    "statute": 行政处罚法 第60条, `statute_days` calendar days. "statistics": the 规章 that
    第60条 defers to, `statistics_months` plus `extension_months` per extension approved before
    the period it extends ran out, at most `max_extensions`. A last day off moves to the next
    working day (民诉法 第85条).
    """
    if facts.filed_on is None:
        return None
    limit, cal = facts.profile.decision_limit, facts.calendar
    if limit.basis == "statute":
        return cal.add_calendar_days(facts.filed_on, limit.statute_days)
    filed_on, months = facts.filed_on, limit.statistics_months
    due = cal.add_calendar_days(filed_on, (_months_after(filed_on, months) - filed_on).days)
    for chain in _approved_extensions(facts)[: limit.max_extensions]:
        if chain.approved_on is None or chain.approved_on > due.due_on:
            break
        months += limit.extension_months
        due = cal.add_calendar_days(filed_on, (_months_after(filed_on, months) - filed_on).days)
    return due


def decision_alerts(facts: CaseFacts) -> list[int]:
    """The alert thresholds (days before the due day, profile `alert_days_before`) already
    crossed by an undecided case, largest first; all of them once it is overdue."""
    due = decision_due(facts)
    if due is None or _decided(facts):
        return []
    remaining = (due.due_on - facts.today).days
    return [days for days in facts.profile.decision_limit.alert_days_before if remaining <= days]


def late_decision_approved(facts: CaseFacts, due: Due) -> bool:
    """The head approved deciding after the due day (an "extension" chain approved after it):
    the decision is then made late, on the record, instead of never."""
    return any(
        c.approved_on is not None and c.approved_on > due.due_on
        for c in _approved_extensions(facts)
    )


def decision_deadline_gate(facts: CaseFacts) -> RuleViolation | None:
    """No decision after the due day unless an approved extension covers today, or the head
    approved deciding late (超期作出决定, recorded and reported as overdue).

    行政处罚法 第60条; 统计执法监督检查办法 (as quoted, [M]); REFERENCE.md rule 26.
    """
    due = decision_due(facts)
    if due is None or facts.today <= due.due_on or late_decision_approved(facts, due):
        return None
    limit = facts.profile.decision_limit
    if limit.basis == "statute":
        remedy = f"立案之日起{limit.statute_days}日"
    else:
        remedy = "办案期限；延长须在期限届满前报经批准"
    return RuleViolation(
        rule="26",
        article=_ARTICLE_60,
        field="decision_due",
        message=f"已超期：{remedy}，已于{due.due_on.isoformat()}届满；"
        "须经负责人批准超期作出决定（延长办案期限审批）并说明理由",
    )


def extension_problem(facts: CaseFacts) -> RuleViolation | None:
    """Whether the "extension" chain may be signed now. Before the due day: an extension, only
    under the statistics basis and within `max_extensions`. After it: the head's approval to
    decide late, once, with its reasons — the overdue stays on the record (rule 26).

    Call before every step of an "extension" approval chain (the pending chain is not yet
    counted). 行政处罚法 第60条; 统计执法监督检查办法 (as quoted: 延长期限不得超过3个月, [M]).
    """
    limit = facts.profile.decision_limit
    message: str | None = None
    due = decision_due(facts)
    if due is None:
        message = "本案尚未立案，没有办案期限可以延长"
    elif _decided(facts):
        message = "本案已作出决定，无需延长办案期限"
    elif facts.today > due.due_on:
        if late_decision_approved(facts, due):
            message = "已批准超期作出决定，不得重复审批"
    elif limit.basis == "statute":
        message = f"本机关按立案之日起{limit.statute_days}日计算办案期限，制度配置不允许延长"
    elif len(_approved_extensions(facts)) >= limit.max_extensions:
        message = f"办案期限已延长{limit.max_extensions}次，不得再延长"
    if message is None:
        return None
    return RuleViolation(rule="26", article=_ARTICLE_60, field="extension", message=message)


# --- tables ---------------------------------------------------------------------------------

CREATE: Mapping[str, Sequence[Callable[[CaseFacts, Draft], RuleViolation | None]]] = {
    "decision": (decision_citations_problem,),
    "hearing_application": (hearing_application_problem,),
    "hearing_notice": (hearing_notice_problem,),
    "hearing_transcript": (hearing_chair_problem,),
    "summary_filing_record": (summary_filing_record_problem,),
}
FINALISE: Mapping[str, Sequence[Callable[[CaseFacts, DocFacts], RuleViolation | None]]] = {
    "prior_notice": (notice_contents_problem, hearing_right_problem),
    "decision": (
        approval_reference_problem,
        decision_date_problem,
        no_heavier_penalty_problem,
        hearing_reference_problem,
        decision_contents_problem,
    ),
    "no_penalty_decision": (approval_reference_problem, no_penalty_contents_problem),
    "summary_decision": (
        summary_penalty_problem,
        summary_procedure_problem,
        form_number_problem,
        collection_problem,
        summary_remedy_problem,
    ),
}
# In the order of REFERENCE.md, so the case page lists what is missing from the first rule on.
GATES: Sequence[Callable[[CaseFacts], RuleViolation | None]] = (
    legal_review_gate,  # 18
    collective_deliberation_gate,  # 19
    decision_approval_gate,  # 20
    prior_notice_gate,  # 21
    re_examination_gate,  # 22
    hearing_request_window_gate,  # 23
    hearing_notice_service_gate,  # 23
    hearing_record_gate,  # 24
    decision_deadline_gate,  # 26
)
# Checked on a decided case for the case page and the compliance report, never blocking.
ALERTS: Sequence[Callable[[CaseFacts], RuleViolation | None]] = (summary_filing_problem,)
