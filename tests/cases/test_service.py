"""Service (送达) by each method: accepted with its proof, refused without it (rules 28–31).

Seed A art. 11; Seed B art. 18–24; 行政处罚法 第61条; 民事诉讼法 第87–95条.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from casetrail import clock
from casetrail.cases.actions.service import do_record_service
from casetrail.cases.documents import Document, Service
from casetrail.cases.management.commands.demo import demo_png
from casetrail.cases.models import Case
from casetrail.evidence.models import Recording
from casetrail.procedure.errors import RuleViolation
from tests.evidence.av import register, store_bytes
from tests.personas import World
from tests.procedure_world import SIGNATURE_PNG, filed_case, issue

RECEIPT = (SIGNATURE_PNG, "receipt.png")
FACTORY_DAY = date(2026, 9, 28)  # the day tests/procedure/facts_factory.py calls today


@pytest.fixture
def notice(world: World) -> Document:
    case = filed_case(world)
    party = case.parties.get()
    return issue(
        world,
        case,
        "inspection_notice",
        {
            "unit": party.name,
            "legal_basis": "《统计法》第三十八条",
            "period_content": "2025年度统计报表",
            "materials": "统计台账",
            "officers": [world.zhang.pk, world.li.pk],
            "inspection_on": clock.today().isoformat(),
            "contact": "张伟",
        },
    )


def serve(world: World, document: Document, method: str, **extra: Any) -> Service:
    arguments: dict[str, Any] = {
        "acting_user": world.zhang.user,
        "document": document,
        "method": method,
        "served_on": clock.today(),
        "recipient": "刘某",
    }
    arguments.update(extra)
    return do_record_service(**arguments)


def refused(world: World, document: Document, method: str, **extra: Any) -> RuleViolation:
    before = Service.objects.count()
    with pytest.raises(RuleViolation) as caught:
        serve(world, document, method, **extra)
    assert Service.objects.count() == before
    return caught.value


def photo(world: World, case: Case) -> Recording:
    now = clock.now()
    return register(
        world,
        case,
        store_bytes(demo_png(40, 30), "posting.png"),
        kind="photo",
        method="执法记录仪拍照",
        recorded_start_at=now - timedelta(minutes=5),
        recorded_end_at=now - timedelta(minutes=4),
        proves="留置送达过程",
    )


def test_direct_service_with_its_receipt(world: World, notice: Document) -> None:
    service = serve(
        world,
        notice,
        "direct",
        details={"signed_by": "刘某", "relationship": "法定代表人"},
        proof_files={"receipt": RECEIPT},
    )
    assert service.served_on == clock.today()
    assert len(service.details["receipt"]) == 64


def test_direct_service_without_the_relationship_is_refused(world: World, notice: Document) -> None:
    problem = refused(
        world, notice, "direct", details={"signed_by": "王某"}, proof_files={"receipt": RECEIPT}
    )
    assert (problem.rule, problem.field) == ("29", "relationship")


def test_left_at_address_with_a_witness(world: World, notice: Document) -> None:
    """栾川: 见证人或音像记录其一即可 (民事诉讼法 第89条)."""
    serve(
        world,
        notice,
        "left_at_address",
        details={"refusal_reason": "当事人拒绝签收", "witness_name": "居委会 陈某"},
        proof_files={"receipt": RECEIPT},
    )


def test_left_at_address_without_witness_or_recording_is_refused(
    world: World, notice: Document
) -> None:
    problem = refused(
        world,
        notice,
        "left_at_address",
        details={"refusal_reason": "当事人拒绝签收"},
        proof_files={"receipt": RECEIPT},
    )
    assert (problem.rule, problem.field) == ("29", "witness_name")


def test_left_at_address_with_a_recording_of_the_service(world: World, notice: Document) -> None:
    recording = photo(world, notice.case)
    serve(
        world,
        notice,
        "left_at_address",
        details={"refusal_reason": "当事人拒绝签收", "recording": recording.pk},
        proof_files={"receipt": RECEIPT},
    )


def test_postal_service_by_ordinary_mail_is_refused(world: World, notice: Document) -> None:
    problem = refused(
        world,
        notice,
        "postal",
        details={"mail_type": "ordinary", "tracking_number": "X1"},
    )
    assert (problem.rule, problem.field) == ("29", "mail_type")


def test_postal_service_needs_the_documents_number_on_the_list(
    world: World, notice: Document
) -> None:
    problem = refused(
        world,
        notice,
        "postal",
        details={"mail_type": "ems", "tracking_number": "EA123", "document_list": "检查通知书"},
        proof_files={"posting_proof": RECEIPT, "return_receipt": RECEIPT},
    )
    assert problem.field == "document_list"
    assert notice.final.number in problem.message


def postal(world: World, notice: Document, **extra: Any) -> Service:
    return serve(
        world,
        notice,
        "postal",
        details={
            "mail_type": "ems",
            "tracking_number": "EA123456789CN",
            "document_list": f"统计执法检查通知书 {notice.final.number}",
            **extra.pop("details", {}),
        },
        **extra,
    )


def test_postal_service_is_dated_by_its_return_receipt(world: World, notice: Document) -> None:
    receipt_day = clock.today()
    service = postal(
        world,
        notice,
        served_on=receipt_day,
        proof_files={"posting_proof": RECEIPT, "return_receipt": RECEIPT},
    )
    assert service.served_on == receipt_day


def test_postal_service_without_the_return_receipt_is_refused(
    world: World, notice: Document
) -> None:
    with pytest.raises(RuleViolation) as caught:
        postal(world, notice, proof_files={"posting_proof": RECEIPT})
    assert caught.value.field == "return_receipt"


def test_a_returned_letter_is_a_failed_attempt_with_its_reason(
    world: World, notice: Document
) -> None:
    service = postal(
        world,
        notice,
        outcome="failed",
        served_on=None,
        details={"return_reason": "查无此人"},
        proof_files={"posting_proof": RECEIPT},
    )
    assert service.served_on is None
    assert service.details["outcome"] == "failed"


def test_forwarded_service_needs_both_signatures(world: World, notice: Document) -> None:
    problem = refused(
        world,
        notice,
        "forwarded",
        details={"forwarding_body": "某监狱", "server_signature": "狱警 钱某"},
        proof_files={"receipt": RECEIPT},
    )
    assert (problem.rule, problem.field) == ("29", "addressee_signature")
    serve(
        world,
        notice,
        "forwarded",
        details={
            "forwarding_body": "某监狱",
            "server_signature": "狱警 钱某",
            "addressee_signature": "刘某",
        },
        proof_files={"receipt": RECEIPT},
    )


def test_a_service_date_in_the_future_is_refused(world: World, notice: Document) -> None:
    problem = refused(
        world,
        notice,
        "direct",
        served_on=clock.today() + timedelta(days=1),
        details={"signed_by": "刘某", "relationship": "本人"},
        proof_files={"receipt": RECEIPT},
    )
    assert (problem.rule, problem.field) == ("28", "served_on")


def test_a_draft_cannot_be_served(world: World) -> None:
    from tests.procedure_world import create, inquiry_fields

    case = filed_case(world)
    draft = create(world, case, "inquiry_transcript", inquiry_fields(world))
    problem = refused(
        world,
        draft,
        "direct",
        details={"signed_by": "刘某", "relationship": "本人"},
        proof_files={"receipt": RECEIPT},
    )
    assert (problem.rule, problem.field) == ("28", "document")


def test_only_a_handler_records_service(world: World, notice: Document) -> None:
    with pytest.raises(RuleViolation):
        serve(
            world,
            notice,
            "direct",
            acting_user=world.bystander.user,
            details={"signed_by": "刘某", "relationship": "本人"},
            proof_files={"receipt": RECEIPT},
        )


def test_public_notice_is_deemed_served_thirty_days_after_publication() -> None:
    from casetrail.procedure.rules.service import public_notice_served_on

    assert public_notice_served_on(date(2026, 9, 1)) == date(2026, 10, 1)
    assert public_notice_served_on(date(2026, 9, 1), abroad=True) == date(2026, 10, 31)


def consent(world: World, case: Case, *, decision_too: bool) -> Document:
    party = case.parties.get()
    return issue(
        world,
        case,
        "service_address_confirmation",
        {
            "party": party.pk,
            "address": party.address,
            "phone": "0379-66821234",
            "email": "legal@example.cn",
            "electronic_consent": True,
            "decision_by_electronic": decision_too,
            "consequences_notified": True,
            "signer_name": "刘某",
            "confirmed_on": clock.today().isoformat(),
        },
    )


ELECTRONIC = {"channel": "email", "address": "legal@example.cn"}
DELIVERED = {"delivery_proof": RECEIPT}


def test_electronic_service_needs_the_written_consent(world: World, notice: Document) -> None:
    problem = refused(world, notice, "electronic", details=ELECTRONIC, proof_files=DELIVERED)
    assert (problem.rule, problem.field) == ("30", "consent")
    consent(world, notice.case, decision_too=False)
    service = serve(world, notice, "electronic", details=ELECTRONIC, proof_files=DELIVERED)
    assert service.served_on == clock.today()


def test_a_fax_records_its_time_and_number(world: World, notice: Document) -> None:
    consent(world, notice.case, decision_too=False)
    problem = refused(
        world,
        notice,
        "electronic",
        details={"channel": "fax", "address": "0379-66820000"},
        proof_files=DELIVERED,
    )
    assert problem.field == "sent_at"


def test_a_decision_is_never_served_electronically_under_luanchuan(world: World) -> None:
    """Seed A 第11条(四): 传真、电子邮件等方式送达（行政执法决定书除外）."""
    from casetrail.procedure.facts import DocFacts
    from casetrail.procedure.rules.service import ServiceDraft, service_problem
    from tests.procedure.facts_factory import case_facts as make_facts

    decision = DocFacts(
        document_id=1,
        kind="decision",
        fields={},
        created_at=clock.now(),
        created_on=FACTORY_DAY,
        finalised_on=FACTORY_DAY,
        number="栾统罚决字〔2026〕1号",
    )
    for key, allowed in (("luanchuan-2020", False), ("xinglongtai-2019", True)):
        facts = make_facts(decision, profile_key=key)
        problem = service_problem(
            facts,
            ServiceDraft(
                document=decision,
                method="electronic",
                outcome="served",
                served_on=FACTORY_DAY,
                recipient="刘某",
                details=ELECTRONIC,
                proofs=frozenset({"delivery_proof"}),
            ),
        )
        assert problem is not None
        if allowed:  # 兴隆台: allowed, but this case has no consent on file
            assert problem.field == "consent"
        else:
            assert (problem.rule, problem.field) == ("30", "method")
            assert "决定书" in problem.message


def test_entrusted_service_with_the_letter_and_the_returned_receipt(
    world: World, notice: Document
) -> None:
    problem = refused(
        world,
        notice,
        "entrusted",
        details={"entrusted_body": "洛阳市统计局"},
        proof_files={"receipt": RECEIPT},
    )
    assert (problem.rule, problem.field) == ("29", "letter")
    letter = issue(
        world,
        notice.case,
        "entrusted_service_letter",
        {
            "entrusted_body": "洛阳市统计局",
            "served_document": notice.pk,
            "recipient": "刘某",
            "recipient_address": "洛阳市某区某路1号",
            "reason": "受送达人暂住洛阳市区",
            "receipt_attached": True,
            "contact": "张伟",
            "sent_on": clock.today().isoformat(),
        },
    )
    serve(
        world,
        notice,
        "entrusted",
        details={"letter": letter.pk, "entrusted_body": "洛阳市统计局"},
        proof_files={"receipt": RECEIPT},
    )


def public_notice_of(world: World, notice: Document) -> Document:
    return issue(
        world,
        notice.case,
        "public_notice",
        {
            "served_document": notice.pk,
            "recipient": "刘某",
            "reason": "other_methods_failed",
            "prior_attempts": "EMS 邮寄被退回（查无此人）",
            "main_content": "统计执法检查通知书的主要内容",
            "deemed_served": "自公告之日起经过三十日，即视为送达",
            "medium": "栾川县统计局公告栏",
            "issued_on": clock.today().isoformat(),
        },
    )


def test_public_notice_is_refused_before_a_failed_attempt(world: World, notice: Document) -> None:
    """Seed B 第24条: only after other methods were tried and failed (rule 31)."""
    posted = public_notice_of(world, notice)
    details = {
        "notice": posted.pk,
        "reason": "下落不明",
        "medium": "公告栏",
        "published_on": clock.today().isoformat(),
    }
    problem = refused(
        world, notice, "public_notice", details=details, proof_files={"posting_photo": RECEIPT}
    )
    assert (problem.rule, problem.field) == ("31", "method")
    postal(
        world,
        notice,
        outcome="failed",
        served_on=None,
        details={"return_reason": "查无此人"},
        proof_files={"posting_proof": RECEIPT},
    )
    service = serve(
        world, notice, "public_notice", details=details, proof_files={"posting_photo": RECEIPT}
    )
    assert service.served_on == clock.today() + timedelta(days=30)


def test_no_public_notice_in_summary_procedure(world: World) -> None:
    from casetrail.procedure.facts import DocFacts, ServiceFacts
    from casetrail.procedure.rules.service import ServiceDraft, service_problem
    from tests.procedure.facts_factory import case_facts as make_facts

    failed = ServiceFacts("postal", None, "刘某", {"outcome": "failed"})
    summary = DocFacts(
        document_id=1,
        kind="summary_decision",
        fields={},
        created_at=clock.now(),
        created_on=FACTORY_DAY,
        finalised_on=FACTORY_DAY,
        services=(failed,),
    )
    from dataclasses import replace

    facts = replace(make_facts(summary), procedure="summary")
    problem = service_problem(
        facts,
        ServiceDraft(summary, "public_notice", "served", None, "刘某", {}, frozenset()),
    )
    assert problem is not None
    assert (problem.rule, problem.field) == ("31", "method")


def test_the_demand_is_served_directly_not_by_post() -> None:
    from casetrail.procedure.facts import DocFacts
    from casetrail.procedure.rules.service import ServiceDraft, service_problem
    from tests.procedure.facts_factory import case_facts as make_facts

    demand = DocFacts(
        document_id=1,
        kind="demand_notice",
        fields={},
        created_at=clock.now(),
        created_on=FACTORY_DAY,
        finalised_on=FACTORY_DAY,
        number="栾统催字〔2026〕1号",
    )
    facts = make_facts(demand)
    problem = service_problem(
        facts, ServiceDraft(demand, "postal", "served", FACTORY_DAY, "刘某", {}, frozenset())
    )
    assert problem is not None
    assert problem.rule == "34"
