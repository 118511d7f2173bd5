"""Build `CaseFacts` directly for the pure tests of rules 18–27: no database, explicit dates.

`ready_penalty_case()` is an ordinary case of 栾统 (Seed A profile) that may be decided on
2026-10-12: filed 2026-08-03, prior notice served 2026-09-30 (so the statement period of 3
working days runs over National Day to the make-up workday 2026-10-10), decision form approved.
Each test breaks one thing in it and asserts the rule that notices.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from casetrail.policy.catalogue import catalogue_for
from casetrail.policy.profiles import PolicyProfile, builtin_profile
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import (
    CaseFacts,
    ChainFacts,
    DocFacts,
    Draft,
    OfficerFacts,
    PartyFacts,
    ServiceFacts,
    SignatureFacts,
)
from casetrail.procedure.rules import decision
from casetrail.procedure.rules.start import SignedStep
from casetrail.procedure.workdays import WorkdayCalendar, builtin_calendar_data

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROFILE = builtin_profile("luanchuan-2020")
CATALOGUE = catalogue_for(PROFILE.documents)
CALENDAR = WorkdayCalendar(builtin_calendar_data())

ZHANG, LI, REVIEWER, HEAD, CHAIR, RECORDER = 1, 2, 3, 4, 5, 6
COMPANY, PERSON, SHOP = 11, 12, 13
REMEDY = (
    "如不服本决定，可以在收到本决定书之日起六十日内向栾川县人民政府申请行政复议，"
    "也可以在六个月内依法向栾川县人民法院提起行政诉讼。"
)


def _officer(officer_id: int, name: str, *roles: str) -> OfficerFacts:
    return OfficerFacts(
        officer_id=officer_id,
        name=name,
        certificate_number=f"LC-{officer_id:03d}",
        certificate_valid_from=date(2025, 1, 1),
        certificate_valid_to=date(2027, 12, 31),
        roles=frozenset(roles),
        legal_review_qualified="reviewer" in roles,
    )


OFFICERS = {
    o.officer_id: o
    for o in (
        _officer(ZHANG, "张伟", "officer"),
        _officer(LI, "李娜", "officer"),
        _officer(REVIEWER, "王审核", "reviewer"),
        _officer(HEAD, "刘局长", "head"),
        _officer(CHAIR, "陈主持", "officer"),
        _officer(RECORDER, "周记录", "officer"),
    )
}
PARTIES = (
    PartyFacts(COMPANY, "organisation", "某某矿业有限公司", "栾川县城关镇某路18号"),
    PartyFacts(PERSON, "person", "刘某", "栾川县城关镇某街3号"),
    PartyFacts(SHOP, "person", "刘记商店", "栾川县城关镇某街5号", individual_business=True),
)


def at(day: date, hour: int = 10) -> str:
    """A date-time field value, as the forms send it (with the +08:00 offset)."""
    return datetime.combine(day, time(hour), SHANGHAI).isoformat()


def _defaults(kind: str, on: date) -> dict[str, Any]:
    table: dict[str, dict[str, Any]] = {
        "inquiry_transcript": {"officers": [ZHANG, LI], "recorder": LI, "started_at": at(on)},
        "prior_notice": {
            "party": COMPANY,
            "facts": "2025年年报虚报营业收入",
            "reasons": "违反统计法第七条",
            "legal_basis": "《统计法》第四十四条",
            "intended_penalty": "罚款20000元",
            "intended_fine": "20000.00",
            "statement_right": "可在送达之日起3个工作日内提出陈述、申辩",
            "hearing_right": None,
            "recusal_right": True,
            "contact": "张伟 0379-66800000",
        },
        "statement_waiver": {
            "party_name": "某某矿业有限公司",
            "waived_on": on.isoformat(),
            "waiver": "statement",
            "written": True,
        },
        "statement_transcript": {
            "stated_at": at(on),
            "place": "栾川县统计局",
            "speaker": "刘某",
            "officers": [ZHANG, LI],
            "certificates_shown": True,
            "identity_acknowledged": True,
            "statement": "数据由外包会计填报，非故意",
        },
        "re_examination_opinion": {
            "findings": "经复核，申辩理由不影响违法事实的认定",
            "accepted": "rejected",
            "officers": [ZHANG, LI],
        },
        "hearing_application": {
            "applicant": "某某矿业有限公司",
            "applied_on": on.isoformat(),
            "request": "要求举行听证",
            "agents": "王律师",
        },
        "hearing_notice": {
            "party": COMPANY,
            "hearing_at": at(on),
            "place": "栾川县统计局会议室",
            "chair": CHAIR,
            "public": True,
            "rights": "可以委托一至二人代理，可以申请回避",
            "absence_consequence": "无正当理由拒不出席的，视为放弃听证权利",
        },
        "hearing_transcript": {
            "held_at": at(on),
            "place": "栾川县统计局会议室",
            "chair": CHAIR,
            "recorder": RECORDER,
            "investigators": [ZHANG, LI],
            "party_name": "刘某",
            "certificates_shown": True,
            "identity_acknowledged": True,
            "investigators_case": "事实、证据和处罚建议",
            "defence": "申辩意见",
        },
        "legal_review_opinion": {
            "reviewer": REVIEWER,
            "subject_ok": True,
            "procedure_ok": True,
            "facts_ok": True,
            "law_ok": True,
            "discretion_ok": True,
            "findings": "同意",
            "conclusion": "pass",
            "reviewed_on": on.isoformat(),
        },
        "collective_deliberation_record": {
            "held_at": at(on),
            "place": "局会议室",
            "chair": HEAD,
            "participants": [HEAD, REVIEWER],
            "recorder": LI,
            "summary": "案情简介",
            "opinions": "同意处罚",
            "conclusion": "罚款20000元",
        },
        "decision_approval": {
            "proposed_decision": "penalty",
            "penalty": "罚款20000元",
            "fine": "20000.00",
            "basis": "事实清楚，证据确凿",
            "handler": ZHANG,
        },
        "decision": {
            "party": COMPANY,
            "party_address": "栾川县城关镇某路18号",
            "facts": "2025年年报虚报营业收入",
            "evidence": "询问笔录、财务账簿",
            "violated_provisions": "《统计法》第七条",
            "penalty_type": "fine",
            "fine": "20000.00",
            "legal_basis": "《统计法》第四十四条",
            "performance": "自收到本决定书之日起十五日内缴至指定银行",
            "remedy": REMEDY,
            "hearing_transcript": None,
            "decided_on": on.isoformat(),
        },
        "no_penalty_decision": {
            "party": COMPANY,
            "party_address": "栾川县城关镇某路18号",
            "grounds": "minor",
            "facts": "违法行为轻微并及时改正",
            "remedy": REMEDY,
            "decided_on": on.isoformat(),
        },
        "summary_decision": {
            "form_number": "栾统当罚No.0001",
            "party": PERSON,
            "violation": "拒绝提供统计资料",
            "penalty_type": "fine",
            "fine": "100.00",
            "legal_basis": "《统计法》第四十四条",
            "decided_at": at(on),
            "place": "当事人店内",
            "officers": [ZHANG, LI],
            "certificates_shown": True,
            "oral_notice": True,
            "remedy": REMEDY,
            "collected_on_spot": False,
            "collection_reason": None,
        },
        "summary_filing_record": {"filed_on": on.isoformat(), "note": None},
    }
    return dict(table[kind])


@dataclass
class CaseBuilder:
    """A case under construction; `facts()` freezes it for the rules."""

    today: date
    filed_on: date | None = date(2026, 8, 3)
    procedure: str = "ordinary"
    major: bool = False
    complex_case: bool = False
    legal_review_required: bool = False
    profile: PolicyProfile = PROFILE
    documents: list[DocFacts] = field(default_factory=list)
    chains: list[ChainFacts] = field(default_factory=list)

    def add(
        self,
        kind: str,
        *,
        on: date,
        final: bool = True,
        served_on: date | None = None,
        superseded: bool = False,
        signatures: tuple[SignatureFacts, ...] = (),
        **fields: Any,
    ) -> int:
        """Add a document made on *on* (final that day unless `final=False`); returns its id."""
        document_id = 100 + len(self.documents)
        values = {**_defaults(kind, on), **fields}
        services = (ServiceFacts("direct", served_on, "刘某"),) if served_on else ()
        self.documents.append(
            DocFacts(
                document_id=document_id,
                kind=kind,
                fields=values,
                created_at=datetime.combine(on, time(9), SHANGHAI),
                created_on=on,
                finalised_on=on if final else None,
                signatures=signatures,
                services=services,
                superseded=superseded,
            )
        )
        return document_id

    def approve(
        self, subject: str, document_id: int | None, on: date, *, outcome: str = "approved"
    ) -> None:
        """An approval chain handler → reviewer → approver, ending in *outcome*."""
        steps = [SignedStep("handler", ZHANG, "propose")]
        if outcome != "pending":
            last = "reject" if outcome == "rejected" else "approve"
            steps += [
                SignedStep("reviewer", REVIEWER, "approve"),
                SignedStep("approver", HEAD, last),
            ]
        approved_on = on if outcome == "approved" else None
        self.chains.append(ChainFacts(subject, document_id, tuple(steps), approved_on))

    def doc(self, document_id: int) -> DocFacts:
        return next(d for d in self.documents if d.document_id == document_id)

    def replace(self, document_id: int, **fields: Any) -> None:
        """Change fields of a document already added."""
        index = next(i for i, d in enumerate(self.documents) if d.document_id == document_id)
        old = self.documents[index]
        self.documents[index] = dataclasses.replace(old, fields={**old.fields, **fields})

    def facts(self) -> CaseFacts:
        return CaseFacts(
            case_id=1,
            case_number="栾统立〔2026〕7号",
            procedure=self.procedure,
            start_type="ex_officio",
            stage="review" if self.procedure == "ordinary" else "investigation",
            opened_on=date(2026, 7, 30),
            filed_on=self.filed_on,
            major=self.major,
            complex_case=self.complex_case,
            legal_review_required=self.legal_review_required,
            parties=PARTIES,
            handler_ids=frozenset({ZHANG, LI}),
            officers=OFFICERS,
            documents=tuple(self.documents),
            chains=tuple(self.chains),
            catalogue=CATALOGUE,
            profile=self.profile,
            calendar=CALENDAR,
            today=self.today,
        )


NOTICE_SERVED_ON = date(2026, 9, 30)
DECISION_DAY = date(2026, 10, 12)


@dataclass
class ReadyCase:
    builder: CaseBuilder
    notice: int
    approval: int
    decision: int

    def facts(self) -> CaseFacts:
        return self.builder.facts()

    @property
    def decision_doc(self) -> DocFacts:
        return self.builder.doc(self.decision)


def ready_penalty_case(today: date = DECISION_DAY, **case: Any) -> ReadyCase:
    """An ordinary case whose draft decision (a fine of 20000 元) passes every rule today."""
    b = CaseBuilder(today=today, **case)
    b.add("inquiry_transcript", on=date(2026, 8, 10))
    notice = b.add("prior_notice", on=date(2026, 9, 29), served_on=NOTICE_SERVED_ON)
    approval = b.add("decision_approval", on=date(2026, 10, 9))
    b.approve("decision", approval, date(2026, 10, 9))
    head = SignatureFacts(signer="head", name="刘局长", method="login", officer_id=HEAD)
    draft = b.add("decision", on=today, final=False, approval=approval, signatures=(head,))
    return ReadyCase(b, notice, approval, draft)


def finalise_rules(facts: CaseFacts, doc: DocFacts) -> list[RuleViolation]:
    """What rules 18–27 say about finalising *doc*: the gates for a decision, then its kind's."""
    gates = [decision.GATES] if doc.kind in ("decision", "no_penalty_decision") else []
    checks = [g(facts) for table in gates for g in table]
    checks += [f(facts, doc) for f in decision.FINALISE.get(doc.kind, ())]
    return [p for p in checks if p is not None]


def create_rules(facts: CaseFacts, kind: str, on: date, **fields: Any) -> list[RuleViolation]:
    """What rules 18–27 say about creating a document of *kind* with *fields* on *on*."""
    draft = Draft(
        kind=CATALOGUE[kind], fields={**_defaults(kind, on), **fields}, author_id=ZHANG, on=on
    )
    checks = [f(facts, draft) for f in decision.CREATE.get(kind, ())]
    return [p for p in checks if p is not None]


def rules(problems: list[RuleViolation]) -> list[str]:
    return [p.rule for p in problems]
