"""End to end through the actions: a statistics case of 提供不真实统计资料 from filing to decision,
and a summary-procedure case decided on the spot.

GIVEN the 栾川县统计局 under its 2020 regulation, WHEN its officers run a case through every act
the law asks for, THEN each act is accepted in order, the case reaches 送达执行, and the ledger
verifies with no findings.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from casetrail import clock
from casetrail.cases.actions.review import (
    do_close_investigation,
    do_set_case_gates,
    do_sign_approval,
)
from casetrail.cases.actions.service import do_record_service
from casetrail.cases.documents import Document
from casetrail.cases.models import Case
from casetrail.ledger.verify import verify
from casetrail.procedure.errors import RuleViolation
from tests.personas import World, open_case
from tests.procedure_world import (
    SIGNATURE_PNG,
    filed_case,
    inquiry_fields,
    issue,
    legal_review_fields,
    serve,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIPT = (SIGNATURE_PNG, "receipt.png")
REMEDY = "如不服本决定，可在收到本决定书之日起60日内申请行政复议，或者6个月内向人民法院提起行政诉讼"


class Clock:
    """Moves the application's clock to a given day of late 2026 (calendar fully known)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def to(self, day: date, hour: int = 10) -> datetime:
        moment = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
        self.monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))
        return moment


def at(day: date, hour: int = 10) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).isoformat()


def chain(world: World, case: Case, subject: str, document: Document) -> None:
    """Handler proposes, reviewer reviews, head approves (Seed B art. 33)."""
    do_sign_approval(
        acting_user=world.zhang.user,
        case=case,
        subject=subject,
        step="handler",
        decision="propose",
        opinion="提请审批",
        document=document,
    )
    do_sign_approval(
        acting_user=world.reviewer.user,
        case=case,
        subject=subject,
        step="reviewer",
        decision="approve",
        opinion="同意",
        document=document,
    )
    do_sign_approval(
        acting_user=world.head.user,
        case=case,
        subject=subject,
        step="approver",
        decision="approve",
        opinion="同意",
        document=document,
    )


def test_an_ordinary_case_from_filing_to_decision(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, decision = decide(world, Clock(monkeypatch))
    assert case.stage == "decided"
    assert decision.final.number == "栾统罚决字〔2026〕1号"
    report_of_verify = verify(agency_codes=[world.lc.code])
    assert report_of_verify.findings == []


def decide(world: World, time: Clock) -> tuple[Case, Document]:
    """Part 1: filing, investigation, notice, hearing, review, approval and the decision."""
    officers = [world.zhang.pk, world.li.pk]

    # 立案: handler → reviewer → head (Seed A art. 6; 行政处罚法 第54条)
    time.to(date(2026, 11, 24), 9)
    case = filed_case(world)
    party = case.parties.get()
    assert case.stage == "investigation"

    # 调查取证 (Seed A art. 7; Seed B art. 5–10)
    notice = issue(
        world,
        case,
        "inspection_notice",
        {
            "unit": party.name,
            "legal_basis": "《中华人民共和国统计法》第三十八条",
            "period_content": "2025年度统计报表及原始记录",
            "materials": "统计台账、原始记录",
            "officers": officers,
            "inspection_on": "2026-11-25",
            "contact": "张伟 0379-6682xxxx",
        },
    )
    assert notice.final.number == "栾统检通字〔2026〕1号"
    time.to(date(2026, 11, 25))
    issue(
        world,
        case,
        "inquiry_transcript",
        inquiry_fields(
            world,
            started_at=at(date(2026, 11, 25), 9),
            ended_at=at(date(2026, 11, 25), 10),
        ),
    )
    issue(
        world,
        case,
        "inspection_record",
        {
            "started_at": at(date(2026, 11, 25), 14),
            "ended_at": at(date(2026, 11, 25), 15),
            "place": party.address,
            "officers": officers,
            "recorder": world.li.pk,
            "present_person": "刘某",
            "party_notified": "present",
            "certificates_shown": True,
            "identity_acknowledged": True,
            "observations": "统计台账与报送数据不一致",
            "records_inspected": "2025年统计台账",
        },
        refuse="present_person",
    )
    request = issue(
        world,
        case,
        "evidence_request_notice",
        {
            "provider": party.name,
            "items": "2025年工资发放记录",
            "provide_by": "2026-11-27",
            "officers": officers,
        },
    )
    issue(
        world,
        case,
        "evidence_list",
        {
            "notice": request.pk,
            "provider": party.name,
            "items": "工资发放记录复印件（加盖公章）3页",
            "received_on": "2026-11-26",
            "officers": officers,
        },
    )
    time.to(date(2026, 11, 27))
    report = issue(
        world,
        case,
        "investigation_report",
        {
            "facts": "当事人2025年度从业人员期末人数报送不实",
            "evidence": "询问笔录、现场检查笔录、调取证据清单",
            "law_applied": "《统计法》第四十四条",
            "discretion": "首次违法，数据偏差较大",
            "proposal": "penalty",
            "proposed_penalty": "警告并处罚款",
            "proposed_fine": "60000",
            "officers": officers,
        },
    )
    chain(world, case, "investigation_end", report)
    case = do_close_investigation(acting_user=world.zhang.user, case=case)
    assert case.stage == "review"

    # 审查决定: a major case (legal review, collective deliberation), with a hearing
    do_set_case_gates(
        acting_user=world.zhang.user,
        case=case,
        major=True,
        complex_case=False,
        legal_review_required=True,
        reason="拟处较大数额罚款",
    )
    prior = issue(
        world,
        case,
        "prior_notice",
        {
            "party": party.pk,
            "facts": "当事人提供不真实统计资料",
            "reasons": "违反统计法第七条",
            "legal_basis": "《统计法》第四十四条",
            "intended_penalty": "警告并处罚款6万元",
            "intended_fine": "60000",
            "statement_right": "可在收到本告知书之日起3个工作日内陈述、申辩",
            "hearing_right": "可在收到本告知书之日起5个工作日内要求听证",
            "recusal_right": True,
            "contact": "张伟 0379-6682xxxx",
        },
    )
    serve(world, prior, date(2026, 11, 27))
    time.to(date(2026, 11, 30))
    issue(
        world,
        case,
        "hearing_application",
        {
            "applicant": party.name,
            "applied_on": "2026-11-30",
            "request": "要求举行听证",
        },
    )
    hearing_notice = issue(
        world,
        case,
        "hearing_notice",
        {
            "party": party.pk,
            "hearing_at": at(date(2026, 12, 11), 9),
            "place": "栾川县统计局会议室",
            "chair": world.reviewer.pk,
            "public": True,
            "rights": "可以委托一至二人代理，可以申请主持人回避",
            "absence_consequence": "无正当理由拒不出席的，视为放弃听证权利",
        },
    )
    serve(world, hearing_notice, date(2026, 11, 30))
    time.to(date(2026, 12, 11), 11)
    hearing = issue(
        world,
        case,
        "hearing_transcript",
        {
            "notice": hearing_notice.pk,
            "held_at": at(date(2026, 12, 11), 9),
            "place": "栾川县统计局会议室",
            "chair": world.reviewer.pk,
            "recorder": world.bystander.pk,
            "investigators": officers,
            "party_name": "刘某",
            "certificates_shown": True,
            "identity_acknowledged": True,
            "investigators_case": "当事人提供不真实统计资料，建议警告并处罚款6万元",
            "defence": "数据差错系统计人员失误，请求从轻",
        },
    )
    issue(
        world,
        case,
        "hearing_report",
        {
            "transcript": hearing.pk,
            "findings": "违法事实清楚",
            "recommendation": "维持拟处罚意见，可酌减",
            "chair": world.reviewer.pk,
        },
    )
    statement = issue(
        world,
        case,
        "statement_transcript",
        {
            "stated_at": at(date(2026, 12, 11), 14),
            "place": "栾川县统计局",
            "speaker": "刘某",
            "officers": officers,
            "certificates_shown": True,
            "identity_acknowledged": True,
            "statement": "请求减轻处罚",
        },
    )
    issue(
        world,
        case,
        "re_examination_opinion",
        {
            "statement": statement.pk,
            "findings": "当事人已主动改正",
            "accepted": "partly",
            "officers": officers,
        },
    )
    time.to(date(2026, 12, 14))
    issue(
        world,
        case,
        "legal_review_opinion",
        legal_review_fields(world.reviewer, "2026-12-14", "程序合法，事实清楚"),
    )
    issue(
        world,
        case,
        "collective_deliberation_record",
        {
            "held_at": at(date(2026, 12, 14), 15),
            "place": "局会议室",
            "chair": world.head.pk,
            "participants": [world.head.pk, world.reviewer.pk],
            "recorder": world.li.pk,
            "summary": "提供不真实统计资料案",
            "opinions": "同意处罚，罚款5万元",
            "conclusion": "警告并处罚款5万元",
        },
    )
    approval = issue(
        world,
        case,
        "decision_approval",
        {
            "proposed_decision": "penalty",
            "penalty": "警告并处罚款",
            "fine": "50000",
            "basis": "《统计法》第四十四条",
            "references": "法制审核通过；集体讨论同意",
            "handler": world.zhang.pk,
        },
    )
    chain(world, case, "decision", approval)
    time.to(date(2026, 12, 15))
    decision = issue(
        world,
        case,
        "decision",
        {
            "approval": approval.pk,
            "party": party.pk,
            "party_address": party.address,
            "facts": "当事人提供不真实统计资料",
            "evidence": "询问笔录、现场检查笔录",
            "violated_provisions": "《统计法》第七条",
            "penalty_type": "warning_and_fine",
            "fine": "50000",
            "legal_basis": "《统计法》第四十四条",
            "performance": "自收到本决定书之日起15日内到指定银行缴纳罚款",
            "remedy": REMEDY,
            "hearing_transcript": hearing.pk,
            "decided_on": "2026-12-15",
        },
    )

    return Case.objects.get(pk=case.pk), decision


def test_a_summary_case_is_decided_on_the_spot(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    time = Clock(monkeypatch)
    time.to(date(2026, 11, 24), 9)
    case = open_case(world, procedure="summary")
    party = case.parties.get()
    assert case.stage == "investigation"
    issue(
        world,
        case,
        "summary_decision",
        {
            "form_number": "栾统当罚No.0000127",
            "party": party.pk,
            "violation": "未按规定期限报送统计资料",
            "penalty_type": "warning",
            "legal_basis": "《统计法》第四十四条",
            "decided_at": at(date(2026, 11, 24), 9),
            "place": party.address,
            "officers": [world.zhang.pk, world.li.pk],
            "certificates_shown": True,
            "oral_notice": True,
            "remedy": REMEDY,
            "collected_on_spot": False,
        },
    )
    case = Case.objects.get(pk=case.pk)
    assert case.stage == "decided"
    summary = case.documents.get(kind="summary_decision")
    issue(world, case, "summary_filing_record", {"decision": summary.pk, "filed_on": "2026-11-24"})
    assert verify(agency_codes=[world.lc.code]).findings == []


def test_the_ordinary_case_continues_to_court_enforcement_and_closing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Part 2: postal service, no payment, the demand served directly, the court application
    inside its window, the court's ruling, the closing report and closing (rules 28–40)."""
    from casetrail.cases.actions.closing import do_close_case
    from casetrail.cases.facts import case_facts
    from casetrail.procedure.deadlines import case_deadlines

    time = Clock(monkeypatch)
    case, decision = decide(world, time)
    party = case.parties.get()

    # 邮寄送达 by EMS: the service date is the return receipt's (民事诉讼法 第91条)
    time.to(date(2026, 12, 18))
    do_record_service(
        acting_user=world.zhang.user,
        document=decision,
        method="postal",
        served_on=date(2026, 12, 17),
        recipient=party.name,
        details={
            "mail_type": "ems",
            "tracking_number": "EA100200300CN",
            "document_list": f"行政处罚决定书 {decision.final.number}",
        },
        proof_files={"posting_proof": RECEIPT, "return_receipt": RECEIPT},
    )
    kinds = {row.kind: row for row in case_deadlines(case_facts(case))}
    assert kinds["decision_service"].status(date(2026, 12, 18)) == "done"
    assert kinds["fine_payment"].due.due_on == date(2027, 1, 1)
    assert kinds["fine_payment"].due.provisional  # 2027's holidays are not published yet

    # No payment: the demand after the period, served directly (行政强制法 第35条、第38条)
    time.to(date(2027, 1, 5))
    demand = issue(
        world,
        case,
        "demand_notice",
        {
            "decision": decision.pk,
            "party": party.pk,
            "obligation": "缴纳罚款5万元",
            "perform_by": "2027-01-15",
            "method": "到指定银行缴纳",
            "fine_due": "50000",
            "surcharge": "0",
            "payment_method": "中国工商银行栾川支行 账号 xxxx",
            "statement_right": "可在收到本催告书之日起三日内陈述、申辩",
            "consequence": "逾期仍不履行的，本机关将依法申请人民法院强制执行",
            "issued_on": "2027-01-05",
        },
    )
    serve(world, demand, date(2027, 1, 5))

    # Too early: the lawsuit period (6 months from service) has not run
    application = {
        "court": "栾川县人民法院",
        "party": party.pk,
        "decision": decision.pk,
        "facts_reasons_basis": "当事人提供不真实统计资料，依据《统计法》第四十四条处罚",
        "no_review_or_suit": True,
        "party_opinions": "当事人在催告后未提出陈述、申辩",
        "demand": demand.pk,
        "demand_summary": "2027-01-05 直接送达催告书，逾期仍未履行",
        "subject": "罚款5万元",
        "amount": "50000",
        "applied_on": "2027-02-01",
    }
    time.to(date(2027, 2, 1))
    with pytest.raises(RuleViolation) as early:
        issue(world, case, "court_enforcement_application", application)
    assert early.value.rule == "35"

    time.to(date(2027, 6, 21))
    court = issue(
        world, case, "court_enforcement_application", {**application, "applied_on": "2027-06-21"}
    )
    issue(
        world,
        case,
        "court_result_record",
        {
            "application": court.pk,
            "court": "栾川县人民法院",
            "ruling_number": "（2027）豫0324行审12号",
            "ruled_on": "2027-06-30",
            "ruling": "enforce",
            "executed": "已扣划罚款5万元",
            "amount_collected": "50000",
            "handler": world.zhang.pk,
        },
    )

    # Closing: refused until the closing report is signed (rule 40)
    with pytest.raises(RuleViolation) as refused:
        do_close_case(acting_user=world.zhang.user, case=case)
    assert (refused.value.rule, refused.value.field) == ("40", "closing_report")
    issue(
        world,
        case,
        "closing_report",
        {
            "outcome": "penalty_enforced",
            "decision": decision.pk,
            "summary": "经人民法院强制执行，罚款已执行到位",
            "performance": "人民法院扣划罚款5万元",
            "documents_complete": True,
            "officers": [world.zhang.pk, world.li.pk],
        },
    )
    case = do_close_case(acting_user=world.zhang.user, case=case)
    assert case.stage == "closed"
    assert verify(agency_codes=[world.lc.code]).findings == []


def test_closing_is_refused_while_a_service_proof_is_missing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casetrail.cases.actions.closing import do_close_case
    from casetrail.cases.facts import case_facts
    from casetrail.procedure.guards import gate_problems

    case, decision = decide(world, Clock(monkeypatch))
    with pytest.raises(RuleViolation) as refused:
        do_close_case(acting_user=world.zhang.user, case=case)
    assert refused.value.rule == "40"
    missing = {p.field: p for p in gate_problems(case_facts(case), "closed")}
    assert decision.final.number in missing["services"].message  # the decision is not served
    assert Case.objects.get(pk=case.pk).stage == "decided"
