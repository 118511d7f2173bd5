"""Demo: one case walked from filing to a decision through the real actions, so the demo shows
finalised documents of several kinds (inquiry, inspection, report, notice, waiver, decision).

The party waives the statement period in writing, so the walk needs no travel in time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

from django.contrib.auth.models import User

from casetrail import clock
from casetrail.cases.actions.documents import (
    do_create_document,
    do_finalise_document,
    do_record_refusal,
    do_record_signature,
    do_sign_document,
)
from casetrail.cases.actions.review import do_close_investigation, do_sign_approval
from casetrail.cases.actions.service import do_record_service
from casetrail.cases.documents import Document
from casetrail.cases.facts import agency_catalogue
from casetrail.cases.models import Case, Officer

REMEDY = (
    "如不服本决定，可以在收到本决定书之日起六十日内向洛阳市统计局或者栾川县人民政府申请行政复议，"
    "或者在六个月内向栾川县人民法院提起行政诉讼。"
)


Step = Literal["handler", "reviewer", "approver"]
Verdict = Literal["propose", "approve", "reject"]


class Walk:
    def __init__(
        self,
        case: Case,
        handlers: tuple[Officer, Officer],
        reviewer: Officer,
        head: Officer,
        signature_png: bytes,
    ) -> None:
        self.case = case
        self.handlers = handlers
        self.reviewer = reviewer
        self.head = head
        self.png = signature_png
        self.person = case.parties.order_by("pk").first()

    def _sign(self, document: Document, refuse: str = "") -> None:
        kind = agency_catalogue(self.case)[document.kind]
        officers = {o.pk: o for o in Officer.objects.filter(memberships__agency=self.case.agency)}
        lead, second = self.handlers
        for spec in kind.signers:
            if spec.person and spec.code == refuse:
                do_record_refusal(
                    acting_user=lead.user,
                    document=document,
                    signer=spec.code,
                    person_name="刘某某",
                    reason="称需请示公司后再签字，拒绝在笔录上签名",
                    refused_at=clock.now(),
                    witness_officer=second,
                )
            elif spec.person:
                do_record_signature(
                    acting_user=lead.user,
                    document=document,
                    signer=spec.code,
                    name="刘某某",
                    method="screen",
                    image=self.png,
                    filename="signature.png",
                )
            elif spec.officer_field:
                value = document.fields[spec.officer_field]
                for officer_id in value if isinstance(value, list) else [value]:
                    do_sign_document(
                        acting_user=officers[officer_id].user,
                        document=document,
                        signer=spec.code,
                    )
            else:
                holder = self.head if spec.role == "head" else self.reviewer
                do_sign_document(acting_user=holder.user, document=document, signer=spec.code)

    def issue(
        self, kind: str, fields: Mapping[str, object], refuse: str = "", *, finalise: bool = True
    ) -> Document:
        document = do_create_document(
            acting_user=self.handlers[0].user, case=self.case, kind=kind, fields=fields
        )
        self._sign(document, refuse)
        if finalise:
            do_finalise_document(acting_user=self.handlers[0].user, document=document)
        return Document.objects.get(pk=document.pk)

    def chain(self, subject: str, document: Document) -> None:
        def sign(user: User, step: Step, decision: Verdict, opinion: str) -> None:
            do_sign_approval(
                acting_user=user,
                case=self.case,
                subject=subject,
                step=step,
                decision=decision,
                opinion=opinion,
                document=document,
            )

        sign(self.handlers[0].user, "handler", "propose", "提请审批。")
        sign(self.reviewer.user, "reviewer", "approve", "经审核，同意。")
        sign(self.head.user, "approver", "approve", "同意。")

    def run(self, *, finalise_decision: bool = True) -> Document:
        """Walk the case; returns the decision (signed, and final unless told otherwise)."""
        assert self.person is not None
        now = clock.now()
        officers = [h.pk for h in self.handlers]
        earlier = (now - timedelta(hours=3)).isoformat()
        later = (now - timedelta(hours=2)).isoformat()
        self.issue(
            "inquiry_transcript",
            {
                "started_at": earlier,
                "ended_at": later,
                "place": "栾川县统计局询问室",
                "officers": officers,
                "recorder": self.handlers[1].pk,
                "interviewee_name": "刘某某",
                "interviewee_sex": "male",
                "interviewee_id_number": "410324198503121235",
                "interviewee_employer": "栾川县某某矿业有限公司 法定代表人",
                "certificates_shown": True,
                "identity_acknowledged": True,
                "rights_notified": True,
                "questions_answers": (
                    "问：2026年第三季度工业产值是谁填报的？\n答：是统计员按财务部门提供的数填的。"
                ),
            },
        )
        self.issue(
            "inspection_record",
            {
                "started_at": later,
                "ended_at": (now - timedelta(hours=1)).isoformat(),
                "place": self.person.address,
                "officers": officers,
                "recorder": self.handlers[1].pk,
                "present_person": "刘某某",
                "party_notified": "present",
                "certificates_shown": True,
                "identity_acknowledged": True,
                "observations": "调阅2026年7—9月财务账册，工业产值合计与报表相差约38%。",
                "records_inspected": "2026年第三季度财务账册、统计台账",
            },
            refuse="present_person",
        )
        report = self.issue(
            "investigation_report",
            {
                "facts": "当事人2026年第三季度工业产值报表与财务账册不符，差额约38%。",
                "evidence": "询问笔录、现场检查笔录、财务账册复印件",
                "law_applied": "《中华人民共和国统计法》第七条、第四十四条",
                "discretion": "初次违法，主动配合调查，可从轻处罚。",
                "proposal": "penalty",
                "proposed_penalty": "警告并处罚款",
                "proposed_fine": "20000",
                "officers": officers,
            },
        )
        self.chain("investigation_end", report)
        self.case = do_close_investigation(acting_user=self.handlers[0].user, case=self.case)
        notice = self.issue(
            "prior_notice",
            {
                "party": self.person.pk,
                "facts": "2026年第三季度工业产值报表与财务账册不符。",
                "reasons": "提供不真实统计资料。",
                "legal_basis": "《统计法》第四十四条第一款",
                "intended_penalty": "警告，并处罚款人民币贰万元。",
                "intended_fine": "20000",
                "statement_right": "你单位可在收到本告知书之日起三个工作日内提出陈述、申辩。",
                "recusal_right": True,
                "contact": "张伟 0379-66820001",
            },
        )
        do_record_service(
            acting_user=self.handlers[0].user,
            document=notice,
            method="direct",
            served_on=clock.today(),
            recipient="刘某某",
            details={"signed_by": "刘某某", "relationship": "法定代表人"},
            proof_files={"receipt": (self.png, "receipt.png")},
        )
        self.issue(
            "statement_waiver",
            {
                "party_name": self.person.name,
                "waived_on": clock.today().isoformat(),
                "waiver": "statement",
                "written": True,
            },
        )
        approval = self.issue(
            "decision_approval",
            {
                "proposed_decision": "penalty",
                "penalty": "警告并处罚款",
                "fine": "20000",
                "basis": "《统计法》第四十四条第一款",
                "handler": self.handlers[0].pk,
            },
        )
        self.chain("decision", approval)
        return self.issue(
            "decision",
            {
                "approval": approval.pk,
                "party": self.person.pk,
                "party_address": self.person.address,
                "facts": "经查，你单位2026年第三季度工业产值报表与财务账册不符。",
                "evidence": "询问笔录、现场检查笔录、财务账册复印件",
                "violated_provisions": "《中华人民共和国统计法》第七条",
                "penalty_type": "warning_and_fine",
                "fine": "20000",
                "legal_basis": "《中华人民共和国统计法》第四十四条第一款",
                "performance": "自收到本决定书之日起十五日内，到指定银行缴纳罚款。",
                "remedy": REMEDY,
                "decided_on": clock.today().isoformat(),
            },
            finalise=finalise_decision,
        )
