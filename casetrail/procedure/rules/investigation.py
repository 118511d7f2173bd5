"""Rules of the investigation stage (调查取证): Seed A art. 7, Seed B art. 5–10.

Each rule is a pure function of `CaseFacts` and a draft (`CREATE`) or a document (`FINALISE`),
registered by document kind in the tables at the bottom; `GATES` guard leaving the stage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts, Draft
from casetrail.procedure.workdays import Due, add_period

PRESERVATION_ARTICLE: Final = "《行政处罚法》第五十六条；《统计法》第三十八条第（五）项"

MINIMUM_WITNESSING_OFFICERS: Final = 2
# A reason or circumstance is "substantive" when, without spaces and punctuation, it has at least
# this many characters: enough for a ground and its fact ("申请调查的证据与本案无关联性"), too
# many for a bare formula ("不予受理", "理由不充分", "无").
MINIMUM_SUBSTANCE_CHARS: Final = 10
_NOT_SUBSTANCE = re.compile(r"[\s\W_]+", re.UNICODE)

# Kinds whose own gate below says what is missing; the completeness gate does not repeat them.
_GATED_KINDS: Final = frozenset({"investigation_report"})


def _text(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def _substance(text: str) -> int:
    return len(_NOT_SUBSTANCE.sub("", text))


def _moment(fields: Mapping[str, Any], name: str) -> datetime | None:
    value = fields.get(name)
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _not_after(first: datetime | None, second: datetime | None) -> bool:
    """first <= second; unknown or incomparable times do not refuse."""
    if first is None or second is None or (first.tzinfo is None) != (second.tzinfo is None):
        return True
    return first <= second


def _day(fields: Mapping[str, Any], name: str) -> date | None:
    value = fields.get(name)
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _ref(fields: Mapping[str, Any], name: str) -> int | None:
    value = fields.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- rule 8: the party notified to attend an inspection, and refusals recorded ---------------


def _attendance_note_problem(facts: CaseFacts, fields: Mapping[str, Any]) -> RuleViolation | None:
    notified = fields.get("party_notified")
    if notified not in ("refused", "absent") or _text(fields, "party_notice_note"):
        return None
    what = "拒不到场" if notified == "refused" else "经通知未到场"
    return RuleViolation(
        rule="8",
        article=cite(facts.profile, "R8"),
        field="party_notice_note",
        message=f"通知情况说明：当事人{what}的，应在笔录中载明通知的方式、时间和情况",
    )


def attendance_note_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """An inspection record whose party refused to attend, or did not come when notified,
    states how and when the party was notified (Seed B art. 6: 拒绝到场的，应当在调查笔录中载明).
    """
    return _attendance_note_problem(facts, draft.fields)


def attendance_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """Before an inspection record is finalised: the notice note is there, and a refusal to
    attend is backed by a final refusal record (refused = "attendance") of a refusal made no
    later than the inspection ended, with its witness or officers (Seed B art. 6; Seed A art. 7
    第2款; REFERENCE.md rule 8)."""
    problem = _attendance_note_problem(facts, doc.fields)
    if problem is not None or doc.fields.get("party_notified") != "refused":
        return problem
    ended = _moment(doc.fields, "ended_at")
    for record in facts.final("refusal_record"):
        refused = _moment(record.fields, "refused_at")
        if record.fields.get("refused") == "attendance" and _not_after(refused, ended):
            return None
    return RuleViolation(
        rule="8",
        article=cite(facts.profile, "R8"),
        field="party_notified",
        message="通知当事人到场：当事人拒不到场，须先制作并定稿“拒不到场”的拒绝情况记录"
        "（写明情况、时间，由见证人或两名执法人员见证），笔录才能定稿",
    )


def refusal_record_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """A refusal record states what happened (refusing the investigation itself: the specific
    circumstances, Seed A art. 7 第2款 应记录具体情况), a time not after the day it is recorded,
    and a witness or at least two officers (Seed A art. 9 第2款; REFERENCE.md rule 8)."""
    fields = draft.fields
    if fields.get("refused") == "investigation" and (
        _substance(_text(fields, "circumstances")) < MINIMUM_SUBSTANCE_CHARS
    ):
        return RuleViolation(
            rule="8",
            article=cite(facts.profile, "R8"),
            field="circumstances",
            message="情况：拒绝接受调查的，应记录具体情况（拒绝的方式、言行、在场人员等），"
            f"不少于{MINIMUM_SUBSTANCE_CHARS}个字",
        )
    refused_on = _day(fields, "refused_at")
    if refused_on is not None and refused_on > draft.on:
        return RuleViolation(
            rule="8",
            article=cite(facts.profile, "R8"),
            field="refused_at",
            message=f"时间：拒绝发生的时间（{refused_on.isoformat()}）不能晚于记录之日",
        )
    officers = fields.get("officers")
    distinct = len(set(officers)) if isinstance(officers, list) else 0
    if not _text(fields, "witness_name") and distinct < MINIMUM_WITNESSING_OFFICERS:
        return RuleViolation(
            rule="8",
            article=cite(facts.profile, "R8"),
            field="witness_name",
            message=f"见证人：拒绝情况须由见证人或{MINIMUM_WITNESSING_OFFICERS}名执法人员见证",
        )
    return None


def refusal_attested_problem(facts: CaseFacts, doc: DocFacts) -> RuleViolation | None:
    """A refusal record is finalised only when a witness is named or at least two of its
    officers have signed it (Seed A art. 9 第2款; REFERENCE.md rule 8)."""
    if _text(doc.fields, "witness_name"):
        return None
    listed = doc.fields.get("officers")
    listed_ids = set(listed) if isinstance(listed, list) else set()
    signed = {s.officer_id for s in doc.signatures if s.officer_id in listed_ids}
    if len(signed) >= MINIMUM_WITNESSING_OFFICERS:
        return None
    return RuleViolation(
        rule="8",
        article=cite(facts.profile, "R8"),
        field="signatures",
        message=f"拒绝情况记录：没有见证人的，须由{MINIMUM_WITNESSING_OFFICERS}名执法人员签名后才能定稿",
    )


# --- rule 14: evidence preservation (先行登记保存) --------------------------------------------


def _head_signed(facts: CaseFacts, doc: DocFacts) -> bool:
    kind = facts.catalogue.get(doc.kind)
    head_codes = {s.code for s in kind.signers if s.role == "head"} if kind else {"head"}
    for signature in doc.signatures:
        officer = facts.officers.get(signature.officer_id or -1)
        if signature.signer in head_codes and officer is not None and "head" in officer.roles:
            return True
    return False


def _preservation(message: str, field: str = "approval") -> RuleViolation:
    return RuleViolation(rule="14", article=PRESERVATION_ARTICLE, field=field, message=message)


def preservation_approved_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """A preservation notice is made only after the head approved it: the referenced approval
    form (登记保存审批表) is final and not superseded, the head signed it or its "preservation"
    chain was approved — and a chain that was opened must have ended in approval — and the
    evidence is not saved before the day of that approval (行政处罚法 第56条 经行政机关负责人
    批准; 统计法 第38条(五); REFERENCE.md rule 14)."""
    approval_id = _ref(draft.fields, "approval")
    approval = facts.document(approval_id) if approval_id is not None else None
    if approval is None or approval.kind != "preservation_approval" or approval.superseded:
        return _preservation("登记保存审批表：须引用本案现行有效的登记保存审批表")
    if not approval.final:
        return _preservation("登记保存审批表：尚未定稿，未经负责人批准不得先行登记保存")
    chain = facts.chain("preservation", approval.document_id)
    if chain is not None and chain.outcome == "rejected":
        return _preservation("登记保存审批表：登记保存的审批已被驳回，不得先行登记保存")
    if chain is not None and chain.outcome == "pending":
        return _preservation("登记保存审批表：登记保存的审批尚未完成，须经负责人批准")
    if chain is None and not _head_signed(facts, approval):
        return _preservation("登记保存审批表：没有机关负责人的批准签名")
    saved_on = _day(draft.fields, "saved_on")
    approved = [d for d in (approval.finalised_on, chain.approved_on if chain else None) if d]
    approved_on = max(approved)  # the day the last of the form and its chain was approved
    if saved_on is not None and saved_on < approved_on:
        return _preservation(
            f"登记保存日期：不能早于负责人批准之日（{approved_on.isoformat()}）", "saved_on"
        )
    return None


def disposal_notice_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """A disposal decision disposes of a preservation that took place: its notice is final
    (行政处罚法 第56条)."""
    notice_id = _ref(draft.fields, "notice")
    notice = facts.document(notice_id) if notice_id is not None else None
    if notice is not None and notice.kind == "preservation_notice" and notice.final:
        return None
    return _preservation("登记保存通知书：须引用本案已定稿的登记保存通知书", "notice")


def preservation_disposal_due(facts: CaseFacts, notice: DocFacts) -> Due:
    """The last day for the disposal decision: `profile.evidence_disposal` (7 working days by
    the statute) after the day the evidence was saved, that day not counted (行政处罚法
    第56条 应当在七日内及时作出处理决定; 第85条)."""
    saved_on = _day(notice.fields, "saved_on") or notice.finalised_on or notice.created_on
    period = facts.profile.evidence_disposal
    return add_period(facts.calendar, saved_on, period.days, period.unit)


def _disposals_of(facts: CaseFacts, notice: DocFacts) -> list[DocFacts]:
    return [
        d
        for d in facts.final("preservation_disposal")
        if _ref(d.fields, "notice") == notice.document_id
    ]


def _disposed_on(disposal: DocFacts) -> date:
    """The day a disposal took effect: its finalisation (the head's signature), or the decision
    date it states if that is later."""
    assert disposal.finalised_on is not None
    stated = _day(disposal.fields, "decided_on")
    return max(disposal.finalised_on, stated) if stated else disposal.finalised_on


@dataclass(frozen=True)
class LateDisposal:
    """A disposal decision made after its due day: accepted, but flagged (rule 14)."""

    notice_id: int
    disposal_id: int
    due: Due
    disposed_on: date
    working_days_late: int


def late_disposals(facts: CaseFacts) -> list[LateDisposal]:
    """Every preservation whose first final disposal came after its due day."""
    late = []
    for notice in facts.final("preservation_notice"):
        disposals = _disposals_of(facts, notice)
        if not disposals:
            continue
        due = preservation_disposal_due(facts, notice)
        disposed_on = _disposed_on(disposals[0])
        if disposed_on > due.due_on:
            days, _ = facts.calendar.working_days_between(due.due_on, disposed_on)
            late.append(
                LateDisposal(notice.document_id, disposals[0].document_id, due, disposed_on, days)
            )
    return late


def preservation_disposed_problem(facts: CaseFacts) -> RuleViolation | None:
    """The investigation does not end while preserved evidence awaits its disposal decision
    (行政处罚法 第56条; REFERENCE.md rule 14)."""
    for notice in facts.final("preservation_notice"):
        if not _disposals_of(facts, notice):
            due = preservation_disposal_due(facts, notice)
            name = f"（{notice.number}）" if notice.number else ""
            return _preservation(
                f"证据先行登记保存通知书{name}：尚无已定稿的登记保存证据处理决定书"
                f"（应于{due.due_on.isoformat()}前作出）",
                "preservation_disposal",
            )
    return None


# --- rule 16: rejected requests to investigate evidence --------------------------------------


def evidence_refusal_reason_problem(facts: CaseFacts, draft: Draft) -> RuleViolation | None:
    """Not accepting a party's request to investigate evidence states a real reason, not a
    formula (Seed B art. 9 应当说明理由，并记录在卷; REFERENCE.md rule 16)."""
    if _substance(_text(draft.fields, "reason")) >= MINIMUM_SUBSTANCE_CHARS:
        return None
    return RuleViolation(
        rule="16",
        article=cite(facts.profile, "R16"),
        field="reason",
        message="不予受理的理由：应具体说明不受理的事实和依据（如与本案事实无关联），"
        f"不少于{MINIMUM_SUBSTANCE_CHARS}个字，不能只写“不予受理”",
    )


def evidence_refusals_final_problem(facts: CaseFacts) -> RuleViolation | None:
    """A refusal of an evidence request is part of the file before the investigation ends: no
    such record is left as a draft (Seed B art. 9 记录在卷; REFERENCE.md rule 16)."""
    if all(d.final for d in facts.current("evidence_request_refusal")):
        return None
    return RuleViolation(
        rule="16",
        article=cite(facts.profile, "R16"),
        field="evidence_request_refusal",
        message="不受理调查证据申请的理由记录：尚未定稿，须定稿记录在卷后才能终结调查",
    )


# --- rule 17: closing the investigation -------------------------------------------------------


def investigation_report_problem(facts: CaseFacts) -> RuleViolation | None:
    """A final investigation report, not superseded, whose "investigation_end" chain the head
    approved (Seed B art. 10; 行政处罚法 第57条; REFERENCE.md rule 17)."""
    report = facts.latest_final("investigation_report")
    if report is None:
        drafted = bool(facts.current("investigation_report"))
        return RuleViolation(
            rule="17",
            article=cite(facts.profile, "R17"),
            field="investigation_report",
            message="缺少调查终结报告" + ("：报告尚未定稿" if drafted else ""),
        )
    chain = facts.chain("investigation_end", report.document_id)
    if chain is not None and chain.outcome == "approved":
        return None
    rejected = chain is not None and chain.outcome == "rejected"
    return RuleViolation(
        rule="17",
        article=cite(facts.profile, "R17"),
        field="investigation_end",
        message="调查终结报告未获批准：审批被驳回，须修改报告后重新提请审批"
        if rejected
        else "调查终结报告尚未经负责人批准（承办人提请、审核人审核、负责人批准）",
    )


def investigation_drafts_problem(facts: CaseFacts) -> RuleViolation | None:
    """The investigation ends complete: no document of a kind made only in this stage is left
    as a draft — each is finalised or replaced by a final correction — since it could not be
    finished later (Seed B art. 10 完成调查取证工作后; art. 25; Seed A art. 14 立卷)."""
    drafts = [
        d
        for d in facts.documents
        if not d.final
        and not d.superseded
        and d.kind not in _GATED_KINDS
        and d.kind in facts.catalogue
        and facts.catalogue[d.kind].stages == ("investigation",)
    ]
    if not drafts:
        return None
    titles = "、".join(dict.fromkeys(facts.catalogue[d.kind].title for d in drafts))
    return RuleViolation(
        rule="17",
        article=cite(facts.profile, "R40"),
        field="documents",
        message=f"尚有未定稿的调查文书：{titles}；请定稿或以更正文书替代后再终结调查",
    )


CREATE: Mapping[str, Sequence[Callable[[CaseFacts, Draft], RuleViolation | None]]] = {
    "inspection_record": (attendance_note_problem,),
    "refusal_record": (refusal_record_problem,),
    "preservation_notice": (preservation_approved_problem,),
    "preservation_disposal": (disposal_notice_problem,),
    "evidence_request_refusal": (evidence_refusal_reason_problem,),
}
FINALISE: Mapping[str, Sequence[Callable[[CaseFacts, DocFacts], RuleViolation | None]]] = {
    "inspection_record": (attendance_problem,),
    "refusal_record": (refusal_attested_problem,),
}
GATES: Sequence[Callable[[CaseFacts], RuleViolation | None]] = (
    investigation_report_problem,
    investigation_drafts_problem,
    preservation_disposed_problem,
    evidence_refusals_final_problem,
)
