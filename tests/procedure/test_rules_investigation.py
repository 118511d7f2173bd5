"""The investigation-stage rules as pure functions of hand-built facts (explicit dates).

Seed A art. 7, 9, 14; Seed B art. 6, 9, 10; 行政处罚法 第56条、第57条;
REFERENCE.md rules 8, 14, 16, 17.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import ChainFacts, DocFacts, SignatureFacts
from casetrail.procedure.guards import create_problems, finalise_problems, gate_problems
from casetrail.procedure.rules.investigation import (
    attendance_note_problem,
    attendance_problem,
    disposal_notice_problem,
    evidence_refusal_reason_problem,
    evidence_refusals_final_problem,
    investigation_drafts_problem,
    investigation_report_problem,
    late_disposals,
    preservation_approved_problem,
    preservation_disposal_due,
    preservation_disposed_problem,
    refusal_attested_problem,
    refusal_record_problem,
)
from tests.procedure.facts_factory import (
    HEAD,
    LI,
    ZHANG,
    at,
    case_facts,
    chain,
    doc,
    draft,
    signed,
)

SEP_28 = date(2026, 9, 28)  # a Monday; 10-01..10-07 National Day, 10-10 (Sat) a make-up workday


def _refused(problem: RuleViolation | None, rule: str, *names: str) -> RuleViolation:
    assert problem is not None
    assert problem.rule == rule
    for name in names:
        assert name in problem.message
    return problem


# --- rule 8: attendance at an inspection ---------------------------------------------------


def inspection(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "started_at": at(SEP_28, 9),
        "ended_at": at(SEP_28, 11),
        "officers": [ZHANG, LI],
        "party_notified": "present",
        "party_notice_note": None,
    }
    fields.update(changes)
    return fields


def refusal(refused: str = "attendance", **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "refused": refused,
        "refused_by": "刘某",
        "refused_at": at(SEP_28, 8),
        "circumstances": "电话通知当事人法定代表人刘某到场，其明确表示不来",
        "officers": [ZHANG, LI],
        "witness_name": None,
    }
    fields.update(changes)
    return fields


def test_a_refused_attendance_without_a_note_is_not_created() -> None:
    """GIVEN a party that refused to attend WHEN the record states no note THEN rule 8."""
    facts = case_facts()
    problem = attendance_note_problem(
        facts, draft(facts, "inspection_record", inspection(party_notified="refused"))
    )
    assert _refused(problem, "8", "通知情况说明").field == "party_notice_note"


def test_an_absent_party_without_a_note_blocks_finalising() -> None:
    record = doc(10, "inspection_record", inspection(party_notified="absent"), on=SEP_28)
    problem = attendance_problem(case_facts(record), record)
    assert _refused(problem, "8", "未到场").field == "party_notice_note"


def test_an_absent_party_with_a_note_is_accepted() -> None:
    fields = inspection(party_notified="absent", party_notice_note="9月27日电话通知，未到场")
    record = doc(10, "inspection_record", fields, on=SEP_28)
    facts = case_facts(record)
    assert attendance_problem(facts, record) is None
    assert attendance_note_problem(facts, draft(facts, "inspection_record", fields)) is None


def test_a_refused_attendance_needs_a_final_refusal_record() -> None:
    """GIVEN a refusal to attend noted in the record but no refusal record WHEN finalised
    THEN rule 8 names the missing 拒不到场 record."""
    fields = inspection(party_notified="refused", party_notice_note="电话通知，当事人拒绝到场")
    record = doc(10, "inspection_record", fields, on=SEP_28)
    draft_refusal = doc(11, "refusal_record", refusal(), on=SEP_28, final=False)
    problem = attendance_problem(case_facts(record, draft_refusal), record)
    assert _refused(problem, "8", "拒不到场", "拒绝情况记录").field == "party_notified"


def test_a_refusal_recorded_for_after_the_inspection_does_not_count() -> None:
    fields = inspection(party_notified="refused", party_notice_note="电话通知，当事人拒绝到场")
    record = doc(10, "inspection_record", fields, on=SEP_28)
    later = doc(11, "refusal_record", refusal(refused_at=at(SEP_28, 15)), on=SEP_28)
    assert attendance_problem(case_facts(record, later), record) is not None


def test_a_refused_attendance_with_its_refusal_record_is_accepted() -> None:
    fields = inspection(party_notified="refused", party_notice_note="电话通知，当事人拒绝到场")
    record = doc(10, "inspection_record", fields, on=SEP_28)
    signature = doc(11, "refusal_record", refusal("signature"), on=SEP_28)
    attendance = doc(12, "refusal_record", refusal(), on=SEP_28)
    assert attendance_problem(case_facts(record, signature), record) is not None
    assert attendance_problem(case_facts(record, signature, attendance), record) is None


# --- rule 8: the refusal record itself -------------------------------------------------------


def test_a_refusal_of_the_investigation_needs_the_specific_circumstances() -> None:
    """Seed A art. 7 第2款: 拒绝接受调查的，应记录具体情况."""
    facts = case_facts()
    problem = refusal_record_problem(
        facts, draft(facts, "refusal_record", refusal("investigation", circumstances="拒绝调查"))
    )
    assert _refused(problem, "8", "具体情况").field == "circumstances"


def test_a_refusal_of_the_investigation_with_circumstances_is_accepted() -> None:
    facts = case_facts()
    fields = refusal("investigation", circumstances="当事人锁闭财务室，拒绝提供2025年统计台账")
    assert refusal_record_problem(facts, draft(facts, "refusal_record", fields)) is None


def test_a_refusal_cannot_be_dated_after_the_day_it_is_recorded() -> None:
    facts = case_facts(today=SEP_28)
    fields = refusal(refused_at=at(date(2026, 9, 29)))
    problem = refusal_record_problem(facts, draft(facts, "refusal_record", fields))
    assert _refused(problem, "8", "时间").field == "refused_at"


def test_a_refusal_with_one_officer_needs_a_witness() -> None:
    facts = case_facts()
    alone = refusal(officers=[ZHANG])
    problem = refusal_record_problem(facts, draft(facts, "refusal_record", alone))
    assert _refused(problem, "8", "见证人").field == "witness_name"
    witnessed = refusal(officers=[ZHANG], witness_name="村委会主任王某")
    assert refusal_record_problem(facts, draft(facts, "refusal_record", witnessed)) is None


def test_a_refusal_record_is_finalised_with_a_witness_or_two_officer_signatures() -> None:
    one = doc(
        11,
        "refusal_record",
        refusal(),
        on=SEP_28,
        final=False,
        signatures=(signed("officers", ZHANG),),
    )
    facts = case_facts(one)
    assert _refused(refusal_attested_problem(facts, one), "8", "2名执法人员").field == "signatures"
    two = doc(
        11,
        "refusal_record",
        refusal(),
        on=SEP_28,
        final=False,
        signatures=(signed("officers", ZHANG), signed("officers", LI)),
    )
    assert refusal_attested_problem(case_facts(two), two) is None
    witnessed = doc(11, "refusal_record", refusal(witness_name="王某"), on=SEP_28, final=False)
    assert refusal_attested_problem(case_facts(witnessed), witnessed) is None


# --- rule 14: evidence preservation ----------------------------------------------------------


def approval(*, final: bool = True, head: bool = True, superseded: bool = False) -> DocFacts:
    signatures: tuple[SignatureFacts, ...] = (signed("officers", ZHANG), signed("officers", LI))
    if head:
        signatures += (signed("head", HEAD),)
    return doc(
        20,
        "preservation_approval",
        {"items": "2025年统计台账", "reason": "可能灭失", "officers": [ZHANG, LI]},
        on=SEP_28,
        final=final,
        signatures=signatures,
        superseded=superseded,
    )


def notice_fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "approval": 20,
        "holder": "某某矿业有限公司",
        "place": "栾川县统计局档案室",
        "term_until": "2026-10-13",
        "saved_on": SEP_28.isoformat(),
        "officers": [ZHANG, LI],
    }
    fields.update(changes)
    return fields


def notice(*, saved_on: date = SEP_28, final: bool = True) -> DocFacts:
    return doc(
        21,
        "preservation_notice",
        notice_fields(saved_on=saved_on.isoformat()),
        on=saved_on,
        final=final,
        number="栾统登存字〔2026〕1号",
    )


def disposal(*, on: date, decided_on: date | None = None) -> DocFacts:
    fields = {
        "notice": 21,
        "disposal": "retain",
        "decided_on": (decided_on or on).isoformat(),
        "holder": "某某矿业有限公司",
    }
    return doc(22, "preservation_disposal", fields, on=on)


def test_a_preservation_notice_needs_a_final_approval() -> None:
    """GIVEN an approval form still a draft WHEN the notice is made THEN rule 14 refuses."""
    facts = case_facts(approval(final=False))
    problem = preservation_approved_problem(
        facts, draft(facts, "preservation_notice", notice_fields())
    )
    assert _refused(problem, "14", "登记保存审批表", "负责人批准").field == "approval"


def test_a_preservation_notice_needs_the_heads_approval() -> None:
    facts = case_facts(approval(head=False))
    problem = preservation_approved_problem(
        facts, draft(facts, "preservation_notice", notice_fields())
    )
    _refused(problem, "14", "机关负责人")


def test_a_superseded_approval_does_not_count() -> None:
    facts = case_facts(approval(superseded=True))
    problem = preservation_approved_problem(
        facts, draft(facts, "preservation_notice", notice_fields())
    )
    _refused(problem, "14", "现行有效")


@pytest.mark.parametrize(("outcome", "words"), [("pending", "尚未完成"), ("rejected", "驳回")])
def test_an_open_or_rejected_preservation_chain_blocks_the_notice(outcome: str, words: str) -> None:
    facts = case_facts(approval(), chains=(chain("preservation", 20, outcome=outcome),))
    problem = preservation_approved_problem(
        facts, draft(facts, "preservation_notice", notice_fields())
    )
    _refused(problem, "14", words)


def test_evidence_is_not_saved_before_the_approval() -> None:
    facts = case_facts(approval())
    fields = notice_fields(saved_on="2026-09-27")
    problem = preservation_approved_problem(facts, draft(facts, "preservation_notice", fields))
    assert _refused(problem, "14", "登记保存日期").field == "saved_on"


def test_evidence_is_not_saved_before_the_chain_approved_it() -> None:
    chains = (chain("preservation", 20, approved_on=date(2026, 9, 29)),)
    facts = case_facts(approval(head=False), chains=chains)
    problem = preservation_approved_problem(
        facts, draft(facts, "preservation_notice", notice_fields())
    )
    assert _refused(problem, "14", "2026-09-29").field == "saved_on"


def test_a_head_signed_approval_or_an_approved_chain_allows_the_notice() -> None:
    signed_form = case_facts(approval())
    assert (
        preservation_approved_problem(
            signed_form, draft(signed_form, "preservation_notice", notice_fields())
        )
        is None
    )
    by_chain = case_facts(approval(head=False), chains=(chain("preservation", 20),))
    assert (
        preservation_approved_problem(
            by_chain, draft(by_chain, "preservation_notice", notice_fields())
        )
        is None
    )


def test_a_disposal_needs_a_final_notice() -> None:
    fields = {"notice": 21, "disposal": "return", "decided_on": "2026-09-29", "holder": "某"}
    facts = case_facts(approval(), notice(final=False))
    problem = disposal_notice_problem(facts, draft(facts, "preservation_disposal", fields))
    assert _refused(problem, "14", "登记保存通知书").field == "notice"
    facts = case_facts(approval(), notice())
    assert disposal_notice_problem(facts, draft(facts, "preservation_disposal", fields)) is None


def test_the_disposal_is_due_seven_working_days_after_saving_across_national_day() -> None:
    """Saved Mon 2026-09-28: 9-29, 9-30, then 10-08, 10-09, 10-10 (make-up Saturday), 10-12,
    10-13 — the holiday 10-01..10-07 and Sunday 10-11 do not count."""
    saved = notice()
    due = preservation_disposal_due(case_facts(approval(), saved), saved)
    assert due.due_on == date(2026, 10, 13)
    assert not due.provisional


def test_a_disposal_on_the_due_day_is_not_late() -> None:
    facts = case_facts(approval(), notice(), disposal(on=date(2026, 10, 13)))
    assert late_disposals(facts) == []
    assert preservation_disposed_problem(facts) is None


def test_a_late_disposal_is_accepted_but_flagged() -> None:
    """GIVEN a disposal made on 10-15, two working days after 10-13 WHEN the facts are read
    THEN the gate passes and the disposal is listed as late."""
    facts = case_facts(approval(), notice(), disposal(on=date(2026, 10, 15)))
    assert preservation_disposed_problem(facts) is None
    [late] = late_disposals(facts)
    assert (late.notice_id, late.disposal_id) == (21, 22)
    assert (late.due.due_on, late.disposed_on, late.working_days_late) == (
        date(2026, 10, 13),
        date(2026, 10, 15),
        2,
    )


def test_a_back_dated_decision_date_does_not_hide_a_late_finalisation() -> None:
    facts = case_facts(
        approval(), notice(), disposal(on=date(2026, 10, 20), decided_on=date(2026, 10, 9))
    )
    assert late_disposals(facts)[0].disposed_on == date(2026, 10, 20)


def test_the_investigation_does_not_end_before_the_disposal() -> None:
    problem = preservation_disposed_problem(case_facts(approval(), notice()))
    assert _refused(problem, "14", "处理决定", "2026-10-13", "统登存字").field == (
        "preservation_disposal"
    )


# --- rule 16: refused evidence requests ------------------------------------------------------


def evidence_refusal(reason: str) -> dict[str, Any]:
    return {
        "applicant": "某某矿业有限公司",
        "requested_on": "2026-09-25",
        "request": "调取2024年原始记录",
        "reason": reason,
        "officers": [ZHANG, LI],
    }


@pytest.mark.parametrize("reason", ["不予受理", "理由不充分。", "  无 ", "不 予 受 理 ！！！"])
def test_a_formula_is_not_a_reason(reason: str) -> None:
    facts = case_facts(profile_key="xinglongtai-2019")
    problem = evidence_refusal_reason_problem(
        facts, draft(facts, "evidence_request_refusal", evidence_refusal(reason))
    )
    assert _refused(problem, "16", "不予受理的理由").field == "reason"


def test_a_substantive_reason_is_accepted() -> None:
    facts = case_facts(profile_key="xinglongtai-2019")
    reason = "申请调取的2024年原始记录与本案2025年统计数据的认定无关联"
    fields = evidence_refusal(reason)
    assert (
        evidence_refusal_reason_problem(facts, draft(facts, "evidence_request_refusal", fields))
        is None
    )


def test_a_draft_evidence_refusal_keeps_the_investigation_open() -> None:
    fields = evidence_refusal("申请调取的资料与本案无关联，且已在案")
    pending = doc(30, "evidence_request_refusal", fields, on=SEP_28, final=False)
    problem = evidence_refusals_final_problem(case_facts(pending, profile_key="xinglongtai-2019"))
    assert (
        _refused(problem, "16", "不受理调查证据申请", "尚未定稿").field
        == "evidence_request_refusal"
    )
    final = doc(30, "evidence_request_refusal", fields, on=SEP_28)
    assert (
        evidence_refusals_final_problem(case_facts(final, profile_key="xinglongtai-2019")) is None
    )


# --- rule 17: the investigation report -------------------------------------------------------


REPORT = {"facts": "虚报", "evidence": "笔录", "law_applied": "统计法", "discretion": "一般"}


def report(document_id: int = 40, *, final: bool = True, superseded: bool = False) -> DocFacts:
    fields = {**REPORT, "proposal": "penalty", "officers": [ZHANG, LI]}
    return doc(
        document_id, "investigation_report", fields, on=SEP_28, final=final, superseded=superseded
    )


def test_no_report_no_end_of_investigation() -> None:
    problem = investigation_report_problem(case_facts())
    assert _refused(problem, "17", "缺少调查终结报告").field == "investigation_report"


def test_a_draft_report_is_missing_too() -> None:
    _refused(
        investigation_report_problem(case_facts(report(final=False))),
        "17",
        "缺少调查终结报告",
        "尚未定稿",
    )


@pytest.mark.parametrize("chains", [(), (chain("investigation_end", 40, outcome="pending"),)])
def test_an_unapproved_report_is_refused(chains: tuple[ChainFacts, ...]) -> None:
    problem = investigation_report_problem(case_facts(report(), chains=chains))
    assert _refused(problem, "17", "调查终结报告尚未经负责人批准").field == "investigation_end"


def test_a_rejected_report_is_refused() -> None:
    chains = (chain("investigation_end", 40, outcome="rejected"),)
    _refused(investigation_report_problem(case_facts(report(), chains=chains)), "17", "驳回")


def test_the_approval_of_a_superseded_report_does_not_carry_over() -> None:
    """GIVEN report 40 approved, then corrected by report 41 WHEN 41 has no chain THEN refused."""
    facts = case_facts(
        report(40, superseded=True), report(41), chains=(chain("investigation_end", 40),)
    )
    _refused(investigation_report_problem(facts), "17", "尚未经负责人批准")


def test_a_final_approved_report_ends_the_investigation() -> None:
    facts = case_facts(report(), chains=(chain("investigation_end", 40),))
    assert investigation_report_problem(facts) is None
    assert gate_problems(facts, "review") == []


# --- completeness: no investigation draft left ---------------------------------------------


def test_a_draft_inspection_record_keeps_the_investigation_open() -> None:
    pending = doc(50, "inspection_record", inspection(), on=SEP_28, final=False)
    problem = investigation_drafts_problem(case_facts(pending))
    assert _refused(problem, "17", "未定稿", "现场检查（勘验）笔录").field == "documents"


def test_a_draft_replaced_by_a_final_correction_or_of_a_later_stage_is_fine() -> None:
    replaced = doc(50, "inspection_record", inspection(), on=SEP_28, final=False, superseded=True)
    correction = doc(51, "inspection_record", inspection(), on=SEP_28)
    inquiry = doc(52, "inquiry_transcript", {}, on=SEP_28, final=False)  # also made in review
    assert investigation_drafts_problem(case_facts(replaced, correction, inquiry)) is None


def test_the_case_page_lists_every_missing_item() -> None:
    """The gates of the review stage report each missing item, the report first."""
    facts = case_facts(
        approval(), notice(), doc(50, "inspection_record", inspection(), on=SEP_28, final=False)
    )
    assert [p.rule for p in gate_problems(facts, "review")] == ["17", "17", "14"]


def test_the_rules_are_registered_by_kind() -> None:
    facts = case_facts(approval(final=False))
    problems = create_problems(facts, draft(facts, "preservation_notice", notice_fields()))
    assert "14" in [p.rule for p in problems]
    record = doc(
        10, "inspection_record", inspection(party_notified="absent"), on=SEP_28, final=False
    )
    assert "8" in [p.rule for p in finalise_problems(case_facts(record), record)]
