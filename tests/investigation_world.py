"""Helpers of the investigation tests: field sets of the investigation kinds, the approval chain,
time travel and a filed case of 兴统 (Seed B, whose catalogue has the evidence-request refusal)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Final, Literal

import pytest

from casetrail import clock
from casetrail.cases.actions.documents import do_create_document, do_finalise_document
from casetrail.cases.actions.review import do_sign_approval
from casetrail.cases.actions.start import do_decide_filing, do_open_case
from casetrail.cases.documents import Document
from casetrail.cases.models import Case, Officer
from tests.personas import World, company, make_officer
from tests.procedure_world import SHANGHAI, moment, sign_all

Step = Literal["handler", "reviewer", "approver"]
Decision = Literal["propose", "approve", "reject"]
CHAIN_STEPS: Final[tuple[tuple[Step, Decision], ...]] = (
    ("handler", "propose"),
    ("reviewer", "approve"),
    ("approver", "approve"),
)


def travel_to(monkeypatch: pytest.MonkeyPatch, day: date, hour: int = 10) -> datetime:
    """Move the application's clock to *day* (Beijing time)."""
    when = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    monkeypatch.setattr(clock, "now", lambda: when.astimezone(UTC))
    return when


def inspection_fields(world: World, **changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "started_at": moment(2),
        "ended_at": moment(1),
        "place": "栾川县城关镇某路18号",
        "officers": [world.zhang.pk, world.li.pk],
        "recorder": world.li.pk,
        "present_person": "刘某",
        "party_notified": "present",
        "certificates_shown": True,
        "identity_acknowledged": True,
        "observations": "统计台账与报送数据不一致",
    }
    fields.update(changes)
    return fields


def refusal_fields(
    world: World, refused: str = "attendance", **changes: object
) -> dict[str, object]:
    fields: dict[str, object] = {
        "refused": refused,
        "refused_by": "刘某（法定代表人）",
        "refused_at": moment(3),
        "circumstances": "电话通知刘某到场接受现场检查，其明确表示不到场",
        "officers": [world.zhang.pk, world.li.pk],
    }
    fields.update(changes)
    return fields


def report_fields(officers: list[int]) -> dict[str, object]:
    return {
        "facts": "当事人2025年度统计报表中营业收入虚报3000万元",
        "evidence": "询问笔录、现场检查笔录、统计台账复印件",
        "law_applied": "《中华人民共和国统计法》第四十四条",
        "discretion": "初次违法，情节一般",
        "proposal": "penalty",
        "proposed_penalty": "警告并处罚款",
        "proposed_fine": "50000",
        "officers": officers,
    }


def preservation_approval_fields(world: World) -> dict[str, object]:
    return {
        "items": "2025年统计台账1册、原始记录3册",
        "reason": "当事人正在整理账册，证据可能灭失",
        "officers": [world.zhang.pk, world.li.pk],
    }


def preservation_notice_fields(
    world: World, approval: Document, saved_on: date | None = None
) -> dict[str, object]:
    saved = saved_on or clock.today()
    return {
        "approval": approval.pk,
        "holder": "某某矿业有限公司",
        "place": "栾川县统计局档案室",
        "term_until": date(saved.year + (saved.month == 12), saved.month % 12 + 1, 1).isoformat(),
        "saved_on": saved.isoformat(),
        "officers": [world.zhang.pk, world.li.pk],
    }


def disposal_fields(notice: Document) -> dict[str, object]:
    return {
        "notice": notice.pk,
        "disposal": "retain",
        "decided_on": clock.today().isoformat(),
        "holder": "某某矿业有限公司",
    }


def approve(
    case: Case,
    subject: str,
    document: Document,
    *,
    handler: Officer,
    reviewer: Officer,
    head: Officer,
) -> None:
    """Handler proposes, reviewer reviews, head approves (Seed B art. 33)."""
    signers = (handler, reviewer, head)
    for officer, (step, decision) in zip(signers, CHAIN_STEPS, strict=True):
        do_sign_approval(
            acting_user=officer.user,
            case=case,
            subject=subject,
            step=step,
            decision=decision,
            opinion="提请审批" if step == "handler" else "同意",
            document=document,
        )


def issue_as(
    world: World, case: Case, kind: str, fields: Mapping[str, object], *, by: Officer
) -> Document:
    """Create, sign and finalise as *by* (a handler of another agency's case)."""
    document = do_create_document(acting_user=by.user, case=case, kind=kind, fields=fields)
    sign_all(world, document)
    do_finalise_document(acting_user=by.user, document=document)
    return Document.objects.get(pk=document.pk)


class XinglongtaiCase:
    """A filed case of 兴统 handled by two of its officers, with its own reviewer and head."""

    def __init__(self, world: World) -> None:
        self.chen = make_officer(world.xl, "chen", "陈刚", ("officer",), cert="XL-002")
        self.sun = make_officer(world.xl, "sun", "孙丽", ("officer",), cert="XL-003")
        self.reviewer = world.colleague
        self.head = make_officer(world.xl, "xl_head", "周局长", ("head",), cert="XL-000")
        case = do_open_case(
            acting_user=self.chen.user,
            agency=world.xl,
            start_type="ex_officio",
            procedure="ordinary",
            cause="提供不真实统计资料",
            parties=[company(address="盘锦市兴隆台区某路8号")],
            co_handlers=[self.sun],
            opinion="建议立案。",
        )
        do_decide_filing(
            acting_user=self.reviewer.user,
            case=case,
            step="reviewer",
            decision="approve",
            opinion="同意",
        )
        do_decide_filing(
            acting_user=self.head.user,
            case=case,
            step="approver",
            decision="approve",
            opinion="同意",
        )
        self.case = Case.objects.get(pk=case.pk)
