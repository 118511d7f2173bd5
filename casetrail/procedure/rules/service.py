"""Service (送达) of documents: seven methods, each with the proof the law asks for.

Seed A art. 11; Seed B art. 18–24; 行政处罚法 第61条; 民事诉讼法 第87–95条 (applied through
第61条 and 行政强制法 第38条); REFERENCE.md rules 28–31. Pure functions of the facts and a
`ServiceDraft`; a refused service names the missing proof and the article that asks for it.

A *failed attempt* (the addressee not found, a letter returned) is recorded as a service with
``outcome = "failed"`` and no service date: public notice needs one first (rule 31).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import CaseFacts, DocFacts
from casetrail.procedure.rules.enforcement import demand_service_problem
from casetrail.procedure.workdays import Due, add_period

METHODS: Final = {
    "direct": "直接送达",
    "left_at_address": "留置送达",
    "entrusted": "委托送达",
    "postal": "邮寄送达",
    "forwarded": "转交送达",
    "electronic": "电子送达",
    "public_notice": "公告送达",
}
DECISION_KINDS: Final = frozenset({"decision", "no_penalty_decision", "summary_decision"})
POSTAL_TYPES: Final = {"registered": "挂号信", "ems": "邮政特快专递（EMS）"}
ELECTRONIC_CHANNELS: Final = {"fax": "传真", "email": "电子邮件", "message": "手机短信或即时通讯"}
# 民事诉讼法 第95条: 自发出公告之日起，经过三十日，即视为送达 (第283条: 六十日 abroad).
PUBLIC_NOTICE_DAYS: Final = 30
PUBLIC_NOTICE_DAYS_ABROAD: Final = 60


@dataclass(frozen=True)
class ServiceDraft:
    """A service about to be recorded: method, outcome, proof details and proof files."""

    document: DocFacts
    method: str
    outcome: str  # "served" | "failed"
    served_on: date | None
    recipient: str
    details: Mapping[str, Any] = field(default_factory=dict)
    proofs: frozenset[str] = frozenset()  # names of the proof files attached
    recording_ids: frozenset[int] = frozenset()  # the case's recordings


def _refuse(rule: str, article: str, field_name: str, message: str) -> RuleViolation:
    return RuleViolation(rule=rule, article=article, field=field_name, message=message)


def _text(draft: ServiceDraft, name: str) -> str:
    value = draft.details.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _needs(
    draft: ServiceDraft, rule: str, article: str, items: Mapping[str, str]
) -> RuleViolation | None:
    """The first of *items* (detail or proof name → Chinese label) the draft lacks."""
    for name, label in items.items():
        if name in draft.proofs or _text(draft, name):
            continue
        method = METHODS[draft.method]
        return _refuse(rule, article, name, f"{method}：缺少{label}")
    return None


def direct_problem(facts: CaseFacts, draft: ServiceDraft) -> RuleViolation | None:
    """Direct service: the receipt signed by the addressee or a qualified recipient, whose
    relationship is recorded, and the date (Seed A art. 11(1); Seed B art. 18–19;
    民事诉讼法 第87–88条)."""
    return _needs(
        draft,
        "29",
        cite(facts.profile, "R29.direct"),
        {
            "signed_by": "送达回证上的签收人",
            "relationship": "签收人与受送达人的关系（本人、同住成年家属、法定代表人、代收人等）",
            "receipt": "签收的送达回证（扫描件）",
        },
    )


def left_at_address_problem(facts: CaseFacts, draft: ServiceDraft) -> RuleViolation | None:
    """Left at the address (留置): why and when the addressee refused, and a witness, a
    recording of the service, or both as the profile requires (Seed B art. 20;
    民事诉讼法 第89条; Seed A art. 11(2))."""
    article = cite(facts.profile, "R29.left_at_address")
    missing = _needs(
        draft, "29", article, {"refusal_reason": "拒收事由", "receipt": "注明情况的送达回证"}
    )
    if missing is not None:
        return missing
    witness = bool(_text(draft, "witness_name"))
    recording = draft.details.get("recording")
    recorded = isinstance(recording, int) and recording in draft.recording_ids
    if recording and not recorded:
        return _refuse("29", article, "recording", "留置送达：音像记录不是本案的记录")
    both = facts.profile.left_at_address_proof == "witness_and_recording"
    if both and not (witness and recorded):
        field_name = "witness_name" if not witness else "recording"
        return _refuse("29", article, field_name, "留置送达：须有见证人签名，并以音像记录留置过程")
    if not (witness or recorded):
        return _refuse(
            "29", article, "witness_name", "留置送达：须有见证人签名，或者以音像记录留置过程"
        )
    return None


def entrusted_problem(facts: CaseFacts, draft: ServiceDraft) -> RuleViolation | None:
    """Entrusted service: the entrustment letter (final) and the returned receipt (Seed B
    art. 21; 民诉解释 第134条)."""
    article = cite(facts.profile, "R29.entrusted")
    letter = draft.details.get("letter")
    found = facts.document(letter) if isinstance(letter, int) else None
    if found is None or found.kind != "entrusted_service_letter" or not found.final:
        return _refuse("29", article, "letter", "委托送达：缺少已定稿的委托送达函")
    if found.fields.get("served_document") != draft.document.document_id:
        return _refuse("29", article, "letter", "委托送达：委托送达函所列送达文书不是本文书")
    return _needs(
        draft, "29", article, {"entrusted_body": "受委托机关", "receipt": "交回的送达回证"}
    )


def postal_problem(facts: CaseFacts, draft: ServiceDraft) -> RuleViolation | None:
    """Postal service: registered mail or EMS only, the list naming each document and its
    number, the posting receipt, and the return receipt (its date is the service date) — or the
    returned letter with its reason (Seed A art. 11(3); Seed B art. 22; 民事诉讼法 第91条)."""
    article = cite(facts.profile, "R29.postal")
    if draft.details.get("mail_type") not in POSTAL_TYPES:
        return _refuse("29", article, "mail_type", "邮寄送达：只能以挂号信或者EMS邮寄")
    missing = _needs(
        draft,
        "29",
        article,
        {
            "tracking_number": "邮件号码",
            "document_list": "邮寄文书清单",
            "posting_proof": "付邮凭证",
        },
    )
    if missing is not None:
        return missing
    listed = _text(draft, "document_list")
    if draft.document.number and draft.document.number not in listed:
        return _refuse(
            "29",
            article,
            "document_list",
            f"邮寄送达：文书清单未列明本文书文号“{draft.document.number}”",
        )
    if draft.outcome == "failed":
        return _needs(draft, "29", article, {"return_reason": "退回原因"})
    return _needs(draft, "29", article, {"return_receipt": "签收回执"})


def forwarded_problem(facts: CaseFacts, draft: ServiceDraft) -> RuleViolation | None:
    """Forwarded service: the receipt signed by the forwarding body and the addressee (Seed B
    art. 23; 民事诉讼法 第92–93条)."""
    return _needs(
        draft,
        "29",
        cite(facts.profile, "R29.forwarded"),
        {
            "forwarding_body": "代为转交的机关或单位",
            "server_signature": "转交人签名",
            "addressee_signature": "受送达人签名",
            "receipt": "送达回证",
        },
    )


def electronic_problem(facts: CaseFacts, draft: ServiceDraft) -> RuleViolation | None:
    """Electronic service (fax, e-mail, message): the party's written consent on file, proof of
    delivery (for a fax its time and number); a decision only where the profile allows it —
    栾川 (Seed A art. 11(4)) never (行政处罚法 第61条 第2款; 民事诉讼法 第90条; rule 30)."""
    article = cite(facts.profile, "R30")
    if draft.document.kind in DECISION_KINDS and not facts.profile.electronic_service_of_decision:
        return _refuse(
            "30",
            article,
            "method",
            "电子送达：本机关制度规定行政执法决定书不得以传真、电子邮件等方式送达",
        )
    channel = draft.details.get("channel")
    if channel not in ELECTRONIC_CHANNELS:
        return _refuse("30", article, "channel", "电子送达：须选择传真、电子邮件或短信等方式")
    is_decision = draft.document.kind in DECISION_KINDS
    consent = any(
        d.kind == "service_address_confirmation"
        and d.final
        and not d.superseded
        and d.fields.get("electronic_consent") is True
        and (not is_decision or d.fields.get("decision_by_electronic") is True)
        for d in facts.documents
    )
    if not consent:
        return _refuse(
            "30", article, "consent", "电子送达：缺少当事人签署的送达地址（电子送达）确认书"
        )
    needed = {
        "delivery_proof": "送达凭证（截图、发送记录或通话录音）",
        "address": "传真号码、电子邮箱或手机号码",
    }
    if channel == "fax":
        needed["sent_at"] = "传真发送时间"
    return _needs(draft, "30", article, needed)


def public_notice_problem(facts: CaseFacts, draft: ServiceDraft) -> RuleViolation | None:
    """Public notice: only after failed attempts by other methods are recorded, never in
    summary procedure; the reason, the medium, the written notice and a photo or video of the
    posting (Seed B art. 24; 民事诉讼法 第95条; 民诉解释 第138–140条; rule 31)."""
    article = cite(facts.profile, "R31")
    if facts.procedure == "summary":
        return _refuse("31", article, "method", "公告送达：简易程序不适用公告送达")
    failed = [s for s in draft.document.services if s.details.get("outcome") == "failed"]
    if not failed:
        return _refuse(
            "31", article, "method", "公告送达：须先记录以其他方式送达未果的情况，方可公告送达"
        )
    notice = draft.details.get("notice")
    found = facts.document(notice) if isinstance(notice, int) else None
    if found is None or found.kind != "public_notice" or not found.final:
        return _refuse("31", article, "notice", "公告送达：缺少已定稿的送达公告")
    if found.fields.get("served_document") != draft.document.document_id:
        return _refuse("31", article, "notice", "公告送达：送达公告所列送达文书不是本文书")
    missing = _needs(
        draft,
        "31",
        article,
        {"reason": "公告送达的原因", "medium": "公告的媒体或张贴地点", "published_on": "公告日期"},
    )
    if missing is not None:
        return missing
    recording = draft.details.get("recording")
    if "posting_photo" not in draft.proofs and not (
        isinstance(recording, int) and recording in draft.recording_ids
    ):
        return _refuse("31", article, "posting_photo", "公告送达：缺少张贴公告的照片或录像")
    return None


METHOD_RULES: Final = {
    "direct": direct_problem,
    "left_at_address": left_at_address_problem,
    "entrusted": entrusted_problem,
    "postal": postal_problem,
    "forwarded": forwarded_problem,
    "electronic": electronic_problem,
    "public_notice": public_notice_problem,
}


def public_notice_served_on(published_on: date, *, abroad: bool = False) -> date:
    """The day a public notice counts as served: 30 days after publication (60 abroad).

    民事诉讼法 第95条（经过三十日，即视为送达）、第283条; Seed B art. 24.
    """
    return published_on + timedelta(
        days=PUBLIC_NOTICE_DAYS_ABROAD if abroad else PUBLIC_NOTICE_DAYS
    )


def service_date(draft: ServiceDraft) -> date | None:
    """The legal service date per method: the return-receipt date for post (民事诉讼法 第91条),
    the delivery date for electronic service (第90条), publication + 30 days for public notice
    (第95条), the signing date otherwise. None for a failed attempt."""
    if draft.outcome == "failed":
        return None
    if draft.method == "public_notice":
        published = draft.details.get("published_on")
        if isinstance(published, str) and published:
            return public_notice_served_on(
                date.fromisoformat(published), abroad=bool(draft.details.get("abroad"))
            )
    return draft.served_on


def service_problem(facts: CaseFacts, draft: ServiceDraft) -> RuleViolation | None:
    """Any service: a known method, a final document, a date unless the attempt failed, and the
    proof its method asks for (rules 28–31)."""
    article = cite(facts.profile, "R28")
    if draft.method not in METHODS:
        return _refuse(
            "28", article, "method", "送达方式：应为直接、留置、委托、邮寄、转交、电子或公告送达"
        )
    if not draft.document.final:
        return _refuse("28", article, "document", "送达：文书尚未定稿，不能送达")
    if draft.outcome not in ("served", "failed"):
        return _refuse("28", article, "outcome", "送达结果：应为已送达或未能送达")
    if draft.outcome == "failed" and draft.method in ("left_at_address", "public_notice"):
        return _refuse("28", article, "outcome", f"{METHODS[draft.method]}：不存在未能送达的结果")
    if not draft.recipient.strip():
        return _refuse("28", article, "recipient", "受送达人：必须填写")
    if draft.outcome == "served" and draft.method != "public_notice":
        if draft.served_on is None:
            return _refuse("28", article, "served_on", "送达日期：必须填写")
        if draft.served_on > facts.today:
            return _refuse("28", article, "served_on", "送达日期：不能晚于今天")
        if draft.document.finalised_on and draft.served_on < draft.document.finalised_on:
            return _refuse("28", article, "served_on", "送达日期：不能早于文书定稿日期")
    if draft.document.kind == "demand_notice":
        problem = demand_service_problem(draft.method, profile=facts.profile)
        if problem is not None:
            return problem
    return METHOD_RULES[draft.method](facts, draft)


def decision_service_due(facts: CaseFacts, decision: DocFacts) -> Due | None:
    """A decision not handed over on the spot is served within 7 working days (行政处罚法 第61条
    第1款; rule 28); the period comes from the profile."""
    if decision.finalised_on is None:
        return None
    return add_period(
        facts.calendar,
        decision.finalised_on,
        facts.profile.decision_service.days,
        facts.profile.decision_service.unit,
    )


def unserved_documents(facts: CaseFacts, kinds: frozenset[str]) -> list[DocFacts]:
    """Final documents of *kinds* with no completed service yet (rule 40: every service proof)."""
    return [
        d
        for d in facts.documents
        if d.kind in kinds and d.final and not d.superseded and d.served_on is None
    ]
