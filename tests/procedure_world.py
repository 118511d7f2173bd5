"""Helpers that drive cases through the real actions, for procedure tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from casetrail import clock
from casetrail.cases.actions.documents import (
    do_create_document,
    do_finalise_document,
    do_record_refusal,
    do_record_signature,
    do_sign_document,
)
from casetrail.cases.actions.service import do_record_service
from casetrail.cases.actions.start import do_decide_filing
from casetrail.cases.documents import Document
from casetrail.cases.models import Case, Officer
from casetrail.policy.catalogue import builtin_catalogue
from tests.personas import World, open_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A 1×1 PNG: a handwritten signature as the signature pad sends it.
SIGNATURE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def moment(hours_ago: float = 1) -> str:
    return (clock.now() - timedelta(hours=hours_ago)).astimezone(SHANGHAI).isoformat()


def filed_case(world: World, **extra: Any) -> Case:
    """An ordinary ex-officio case of 栾统 whose filing the reviewer and the head approved."""
    case = open_case(world, **extra)
    do_decide_filing(
        acting_user=world.reviewer.user,
        case=case,
        step="reviewer",
        decision="approve",
        opinion="同意",
    )
    do_decide_filing(
        acting_user=world.head.user,
        case=case,
        step="approver",
        decision="approve",
        opinion="同意立案",
    )
    return Case.objects.get(pk=case.pk)


def create(
    world: World, case: Case, kind: str, fields: Mapping[str, object], by: Officer | None = None
) -> Document:
    return do_create_document(
        acting_user=(by or world.zhang).user, case=case, kind=kind, fields=fields
    )


def sign_all(world: World, document: Document, *, refuse: str = "") -> None:
    """Every officer signs by login; every person signs on screen, or refuses when named."""
    kind = builtin_catalogue()[document.kind]
    officers = {o.pk: o for o in Officer.objects.all()}
    for spec in kind.signers:
        if spec.person:
            if spec.code == refuse:
                do_record_refusal(
                    acting_user=world.zhang.user,
                    document=document,
                    signer=spec.code,
                    person_name="刘某",
                    reason="拒绝在笔录上签字",
                    refused_at=clock.now(),
                    witness_officer=world.li,
                )
            else:
                do_record_signature(
                    acting_user=world.zhang.user,
                    document=document,
                    signer=spec.code,
                    name="刘某",
                    method="screen",
                    image=SIGNATURE_PNG,
                    filename="sign.png",
                )
        elif spec.officer_field:
            value = document.fields[spec.officer_field]
            for officer_id in value if isinstance(value, list) else [value]:
                do_sign_document(
                    acting_user=officers[officer_id].user, document=document, signer=spec.code
                )
        else:
            holder = world.head if spec.role == "head" else world.reviewer
            do_sign_document(acting_user=holder.user, document=document, signer=spec.code)


def issue(
    world: World, case: Case, kind: str, fields: Mapping[str, object], *, refuse: str = ""
) -> Document:
    """Create, sign (or record the refusal) and finalise a document."""
    document = create(world, case, kind, fields)
    sign_all(world, document, refuse=refuse)
    do_finalise_document(acting_user=world.zhang.user, document=document)
    return Document.objects.get(pk=document.pk)


def inquiry_fields(world: World, **changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "started_at": moment(2),
        "ended_at": moment(1),
        "place": "栾川县统计局询问室",
        "officers": [world.zhang.pk, world.li.pk],
        "recorder": world.li.pk,
        "interviewee_name": "刘某",
        "interviewee_sex": "male",
        "interviewee_id_number": "410324198503121235",
        "certificates_shown": True,
        "identity_acknowledged": True,
        "rights_notified": True,
        "questions_answers": "问：你单位2025年统计报表由谁填报？答：由我本人填报。",
    }
    fields.update(changes)
    return fields


def legal_review_fields(
    reviewer: Officer, reviewed_on: str, findings: str = "同意"
) -> dict[str, object]:
    """A 法制审核意见书 that passes every point (行政处罚法 第58条), by *reviewer*."""
    return {
        "reviewer": reviewer.pk,
        "subject_ok": True,
        "procedure_ok": True,
        "facts_ok": True,
        "law_ok": True,
        "discretion_ok": True,
        "findings": findings,
        "conclusion": "pass",
        "reviewed_on": reviewed_on,
    }


def at_shanghai(value: datetime) -> str:
    return value.astimezone(SHANGHAI).isoformat()


def serve(world: World, document: Document, day: date, recipient: str = "刘某") -> None:
    """Direct service with the signed receipt scanned (Seed B art. 19)."""
    do_record_service(
        acting_user=world.zhang.user,
        document=document,
        method="direct",
        served_on=day,
        recipient=recipient,
        details={"signed_by": recipient, "relationship": "法定代表人"},
        proof_files={"receipt": (SIGNATURE_PNG, "receipt.png")},
    )
