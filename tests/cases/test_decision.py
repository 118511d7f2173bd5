"""The decision through the real actions: the prior notice's statement period (rule 21) and the
summary procedure's cap (rule 27).

行政处罚法 第44条、第51条、第62条; Seed A art. 8, 10. The clock travels over National Day 2026
(10-01..07 off, Saturday 10-10 a make-up workday).
"""

from __future__ import annotations

from datetime import date

import pytest

from casetrail.cases.actions.documents import do_edit_draft, do_finalise_document
from casetrail.cases.actions.review import do_close_investigation
from casetrail.cases.documents import Document, DocumentFinal
from casetrail.cases.models import Case
from casetrail.procedure.errors import RuleViolation
from tests.investigation_world import approve, report_fields, travel_to
from tests.personas import World, company, open_case
from tests.procedure_world import at_shanghai, create, filed_case, issue, serve, sign_all

REMEDY = (
    "如不服本决定，可以在收到本决定书之日起六十日内向栾川县人民政府申请行政复议，"
    "也可以在六个月内依法向栾川县人民法院提起行政诉讼。"
)


def _case_in_review(world: World) -> Case:
    case = filed_case(world)
    report = issue(
        world, case, "investigation_report", report_fields([world.zhang.pk, world.li.pk])
    )
    approve(
        case,
        "investigation_end",
        report,
        handler=world.zhang,
        reviewer=world.reviewer,
        head=world.head,
    )
    return do_close_investigation(acting_user=world.zhang.user, case=case)


def _decision_fields(case: Case, approval: Document, decided_on: date) -> dict[str, object]:
    party = case.parties.get()
    return {
        "approval": approval.pk,
        "party": party.pk,
        "party_address": party.address,
        "facts": "2025年年报虚报营业收入",
        "evidence": "询问笔录、调查终结报告",
        "violated_provisions": "《统计法》第七条",
        "penalty_type": "fine",
        "fine": "20000",
        "legal_basis": "《统计法》第四十四条",
        "performance": "自收到本决定书之日起十五日内缴至指定银行",
        "remedy": REMEDY,
        "decided_on": decided_on.isoformat(),
    }


def test_a_decision_waits_for_the_statement_period(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a prior notice served on Wednesday 2026-09-30 (3 working days: 10-08, 10-09 and the
    make-up Saturday 10-10) WHEN the decision is finalised on 10-10 THEN rule 21 refuses it and
    nothing is written; a decision dated 10-10 is refused on 10-12 too; one dated 10-12 is
    accepted and the case moves to 送达执行."""
    travel_to(monkeypatch, date(2026, 9, 28), 9)
    case = _case_in_review(world)
    party = case.parties.get()
    notice = issue(
        world,
        case,
        "prior_notice",
        {
            "party": party.pk,
            "facts": "2025年年报虚报营业收入",
            "reasons": "违反《统计法》第七条",
            "legal_basis": "《统计法》第四十四条",
            "intended_penalty": "罚款20000元",
            "intended_fine": "20000",
            "statement_right": "可在收到本告知书之日起3个工作日内陈述、申辩",
            "recusal_right": True,
            "contact": "张伟 0379-66800000",
        },
    )
    travel_to(monkeypatch, date(2026, 9, 30))
    serve(world, notice, date(2026, 9, 30))
    travel_to(monkeypatch, date(2026, 10, 9))
    approval = issue(
        world,
        case,
        "decision_approval",
        {
            "proposed_decision": "penalty",
            "penalty": "罚款20000元",
            "fine": "20000",
            "basis": "事实清楚，证据确凿，依据《统计法》第四十四条",
            "handler": world.zhang.pk,
        },
    )
    approve(
        case, "decision", approval, handler=world.zhang, reviewer=world.reviewer, head=world.head
    )

    travel_to(monkeypatch, date(2026, 10, 10))
    early = create(world, case, "decision", _decision_fields(case, approval, date(2026, 10, 10)))
    sign_all(world, early)
    with pytest.raises(RuleViolation) as refused:
        do_finalise_document(acting_user=world.zhang.user, document=early)
    assert (refused.value.rule, refused.value.field) == ("21", "statement_waiver")
    assert "2026-10-10" in refused.value.message
    assert not DocumentFinal.objects.filter(document=early).exists()
    assert Case.objects.get(pk=case.pk).stage == "review"

    travel_to(monkeypatch, date(2026, 10, 12))
    with pytest.raises(RuleViolation) as backdated:
        do_finalise_document(acting_user=world.zhang.user, document=early)
    assert (backdated.value.rule, backdated.value.field) == ("21", "decided_on")

    decision = do_edit_draft(
        acting_user=world.zhang.user,
        document=early,
        fields=_decision_fields(case, approval, date(2026, 10, 12)),
    )
    sign_all(world, decision)
    final = do_finalise_document(acting_user=world.zhang.user, document=decision)
    assert final.number == "栾统罚决字〔2026〕1号"
    assert Case.objects.get(pk=case.pk).stage == "decided"


def test_a_summary_fine_over_the_cap_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a summary case against an organisation WHEN a 5000 元 fine is decided on the spot
    THEN rule 27 refuses it (第51条: ≤3000 元); a 3000 元 fine is accepted."""
    decided_at = travel_to(monkeypatch, date(2026, 10, 12), 10)
    case = open_case(world, procedure="summary", parties=[company()])
    party = case.parties.get()

    def fields(form_number: str, fine: str) -> dict[str, object]:
        return {
            "form_number": form_number,
            "party": party.pk,
            "violation": "拒绝提供统计资料",
            "penalty_type": "fine",
            "fine": fine,
            "legal_basis": "《统计法》第四十四条",
            "decided_at": at_shanghai(decided_at),
            "place": party.address,
            "officers": [world.zhang.pk, world.li.pk],
            "certificates_shown": True,
            "oral_notice": True,
            "remedy": REMEDY,
            "collected_on_spot": False,
        }

    over = create(world, case, "summary_decision", fields("栾统当罚No.0000201", "5000"))
    sign_all(world, over)
    with pytest.raises(RuleViolation) as refused:
        do_finalise_document(acting_user=world.zhang.user, document=over)
    assert (refused.value.rule, refused.value.field) == ("27", "fine")
    assert "3000" in refused.value.message
    assert Case.objects.get(pk=case.pk).stage == "investigation"

    within = do_edit_draft(
        acting_user=world.zhang.user, document=over, fields=fields("栾统当罚No.0000201", "3000")
    )
    sign_all(world, within)
    do_finalise_document(acting_user=world.zhang.user, document=within)
    assert Case.objects.get(pk=case.pk).stage == "decided"


def test_an_extension_is_refused_where_the_profile_allows_none(world: World) -> None:
    """Rule 26 through the action: 栾川 counts 90 days from filing (statute basis), so a
    timely extension chain is refused at its first step and nothing is written."""
    from casetrail.cases.actions.review import do_sign_approval
    from casetrail.cases.models import Approval
    from tests.procedure_world import filed_case

    case = filed_case(world)
    before = Approval.objects.count()
    with pytest.raises(RuleViolation) as refused:
        do_sign_approval(
            acting_user=world.zhang.user,
            case=case,
            subject="extension",
            step="handler",
            decision="propose",
            opinion="案情复杂，申请延长",
        )
    assert (refused.value.rule, refused.value.field) == ("26", "extension")
    assert Approval.objects.count() == before


def test_an_individual_business_reaches_the_hearing_threshold_of_its_own() -> None:
    """行政处罚法 第63条 with the statistics thresholds [M]: 个体工商户 2000元, organisations
    50000元; the party's flag is carried from the record into the rules' facts."""
    from casetrail.policy.profiles import builtin_profile
    from casetrail.procedure.facts import PartyFacts
    from casetrail.procedure.rules.summary import party_type

    profile = builtin_profile("luanchuan-2020")
    shop = PartyFacts(1, "organisation", "某某小卖部", "栾川县", individual_business=True)
    company_party = PartyFacts(2, "organisation", "某某公司", "栾川县")
    on = date(2026, 11, 23)
    assert profile.hearing_threshold_yuan(party_type(shop), on) == 2000
    assert profile.hearing_threshold_yuan(party_type(company_party), on) == 50000


def test_the_party_record_carries_the_individual_business_flag(world: World) -> None:
    from casetrail.cases.facts import case_facts

    case = open_case(world, parties=[company(name="栾川县某某小卖部")])
    assert case_facts(case).parties[0].individual_business is False
    from casetrail.cases.actions.start import PartyInput

    shop = PartyInput(**{**company().__dict__, "name": "某某商店", "individual_business": True})
    case = open_case(world, parties=[shop])
    assert case_facts(case).parties[0].individual_business is True
