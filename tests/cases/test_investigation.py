"""The investigation stage through the real actions: attendance and refusals, evidence
preservation and its disposal, refused evidence requests, and ending the investigation.

Seed A art. 7, 9; Seed B art. 6, 9, 10; 行政处罚法 第56条、第57条; REFERENCE.md rules 8, 14, 16, 17.
"""

from __future__ import annotations

from datetime import date

import pytest

from casetrail.cases.actions.documents import do_create_document, do_finalise_document
from casetrail.cases.actions.review import do_close_investigation
from casetrail.cases.documents import Document, DocumentFinal
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Case
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules.investigation import late_disposals
from tests.investigation_world import (
    XinglongtaiCase,
    approve,
    disposal_fields,
    inspection_fields,
    issue_as,
    preservation_approval_fields,
    preservation_notice_fields,
    refusal_fields,
    report_fields,
    travel_to,
)
from tests.personas import World
from tests.procedure_world import create, filed_case, issue, sign_all


def _report(world: World, case: Case, *, approved: bool = True) -> Document:
    report = issue(
        world, case, "investigation_report", report_fields([world.zhang.pk, world.li.pk])
    )
    if approved:
        approve(
            case,
            "investigation_end",
            report,
            handler=world.zhang,
            reviewer=world.reviewer,
            head=world.head,
        )
    return report


def _close(world: World, case: Case) -> Case:
    return do_close_investigation(acting_user=world.zhang.user, case=case)


# --- rule 17 ---------------------------------------------------------------------------------


def test_the_investigation_ends_only_with_an_approved_report(world: World) -> None:
    """GIVEN a filed case WHEN the handler ends the investigation THEN it is refused without the
    report, refused while the report awaits the head, and accepted once the chain approved it."""
    case = filed_case(world)
    with pytest.raises(RuleViolation) as refused:
        _close(world, case)
    assert refused.value.rule == "17"
    assert "缺少调查终结报告" in refused.value.message

    report = _report(world, case, approved=False)
    with pytest.raises(RuleViolation) as refused:
        _close(world, case)
    assert (refused.value.rule, refused.value.field) == ("17", "investigation_end")
    assert "调查终结报告尚未经负责人批准" in refused.value.message
    assert Case.objects.get(pk=case.pk).stage == "investigation"

    approve(
        case,
        "investigation_end",
        report,
        handler=world.zhang,
        reviewer=world.reviewer,
        head=world.head,
    )
    assert _close(world, case).stage == "review"


def test_a_draft_left_in_the_investigation_blocks_its_end(world: World) -> None:
    case = filed_case(world)
    draft = create(world, case, "inspection_record", inspection_fields(world))
    _report(world, case)
    with pytest.raises(RuleViolation) as refused:
        _close(world, case)
    assert (refused.value.rule, refused.value.field) == ("17", "documents")
    assert "现场检查（勘验）笔录" in refused.value.message

    sign_all(world, draft)
    do_finalise_document(acting_user=world.zhang.user, document=draft)
    assert _close(world, case).stage == "review"


# --- rule 8 ----------------------------------------------------------------------------------


def test_a_refusal_to_attend_needs_a_note_and_a_refusal_record(world: World) -> None:
    """GIVEN a party that refused to attend the inspection WHEN the record is made and finalised
    THEN the note is required at once, and the final 拒不到场 record before finalising."""
    case = filed_case(world)
    with pytest.raises(RuleViolation) as refused:
        create(world, case, "inspection_record", inspection_fields(world, party_notified="refused"))
    assert (refused.value.rule, refused.value.field) == ("8", "party_notice_note")

    fields = inspection_fields(
        world, party_notified="refused", party_notice_note="当日8时电话通知法定代表人，其拒绝到场"
    )
    record = create(world, case, "inspection_record", fields)
    sign_all(world, record, refuse="present_person")
    with pytest.raises(RuleViolation) as refused:
        do_finalise_document(acting_user=world.zhang.user, document=record)
    assert (refused.value.rule, refused.value.field) == ("8", "party_notified")
    assert "拒不到场" in refused.value.message
    assert not DocumentFinal.objects.filter(document=record).exists()

    issue(world, case, "refusal_record", refusal_fields(world))
    do_finalise_document(acting_user=world.zhang.user, document=record)
    assert DocumentFinal.objects.filter(document=record).exists()


def test_a_refusal_of_the_investigation_records_its_circumstances(world: World) -> None:
    case = filed_case(world)
    with pytest.raises(RuleViolation) as refused:
        create(
            world,
            case,
            "refusal_record",
            refusal_fields(world, "investigation", circumstances="拒绝"),
        )
    assert (refused.value.rule, refused.value.field) == ("8", "circumstances")
    details = "当事人关闭财务室大门，拒绝执法人员进入查阅统计台账"
    issue(
        world, case, "refusal_record", refusal_fields(world, "investigation", circumstances=details)
    )


# --- rule 14 ---------------------------------------------------------------------------------


def test_preservation_needs_the_heads_approval_and_a_disposal(world: World) -> None:
    """GIVEN an approval form not yet signed by the head WHEN the notice is made THEN refused;
    once the head signed it the notice is made, and the investigation cannot end before the
    disposal decision."""
    case = filed_case(world)
    approval = create(world, case, "preservation_approval", preservation_approval_fields(world))
    with pytest.raises(RuleViolation) as refused:
        create(world, case, "preservation_notice", preservation_notice_fields(world, approval))
    assert (refused.value.rule, refused.value.field) == ("14", "approval")

    sign_all(world, approval)  # the officers and the head (机关负责人)
    do_finalise_document(acting_user=world.zhang.user, document=approval)
    notice = issue(world, case, "preservation_notice", preservation_notice_fields(world, approval))
    _report(world, case)
    with pytest.raises(RuleViolation) as refused:
        _close(world, case)
    assert (refused.value.rule, refused.value.field) == ("14", "preservation_disposal")
    assert "处理决定" in refused.value.message

    issue(world, case, "preservation_disposal", disposal_fields(notice))
    assert late_disposals(case_facts(case)) == []
    assert _close(world, case).stage == "review"


def test_a_disposal_after_national_day_is_accepted_but_flagged_late(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved Mon 2026-09-28, due 10-13 (7 working days across the 10-01..10-07 holiday); a
    disposal made 10-14 is accepted and listed as one working day late."""
    travel_to(monkeypatch, date(2026, 9, 28))
    case = filed_case(world)
    approval = issue(world, case, "preservation_approval", preservation_approval_fields(world))
    notice = issue(world, case, "preservation_notice", preservation_notice_fields(world, approval))
    travel_to(monkeypatch, date(2026, 10, 14))
    disposal = issue(world, case, "preservation_disposal", disposal_fields(notice))
    [late] = late_disposals(case_facts(case))
    assert (late.notice_id, late.disposal_id) == (notice.pk, disposal.pk)
    assert (late.due.due_on, late.disposed_on, late.working_days_late) == (
        date(2026, 10, 13),
        date(2026, 10, 14),
        1,
    )


# --- rule 16 ---------------------------------------------------------------------------------


def test_a_refused_evidence_request_states_its_reason_and_is_final(world: World) -> None:
    """GIVEN a 兴统 case (Seed B art. 9) WHEN the refusal only says 不予受理 THEN refused; a
    draft with a real reason keeps the investigation open until it is finalised."""
    xl = XinglongtaiCase(world)
    officers = [xl.chen.pk, xl.sun.pk]
    fields: dict[str, object] = {
        "applicant": "某某矿业有限公司",
        "requested_on": "2026-09-25",
        "request": "调取2024年度原始记录",
        "reason": "不予受理",
        "officers": officers,
    }
    with pytest.raises(RuleViolation) as refused:
        do_create_document(
            acting_user=xl.chen.user, case=xl.case, kind="evidence_request_refusal", fields=fields
        )
    assert (refused.value.rule, refused.value.field) == ("16", "reason")

    fields["reason"] = "申请调取的2024年度原始记录与本案2025年度数据的认定无关联"
    pending = do_create_document(
        acting_user=xl.chen.user, case=xl.case, kind="evidence_request_refusal", fields=fields
    )
    report = issue_as(world, xl.case, "investigation_report", report_fields(officers), by=xl.chen)
    approve(
        xl.case, "investigation_end", report, handler=xl.chen, reviewer=xl.reviewer, head=xl.head
    )
    with pytest.raises(RuleViolation) as refused:
        do_close_investigation(acting_user=xl.chen.user, case=xl.case)
    assert (refused.value.rule, refused.value.field) == ("16", "evidence_request_refusal")

    sign_all(world, pending)
    do_finalise_document(acting_user=xl.chen.user, document=pending)
    assert do_close_investigation(acting_user=xl.chen.user, case=xl.case).stage == "review"
