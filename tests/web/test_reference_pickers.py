"""The document-reference pickers (#16 blocker): every document field of the catalogue names the
kinds it may point at; the form offers exactly the final, current documents of the case of those
kinds, newest first, labelled by 文号 and title; the server refuses another kind or another case's
document, naming the field."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.actions.setup import do_grant_role
from casetrail.cases.documents import Document
from casetrail.cases.models import Role
from casetrail.policy.catalogue import builtin_catalogue
from casetrail.procedure.errors import RuleViolation
from tests.cases.test_decision import _case_in_review
from tests.personas import PASSWORD, World
from tests.procedure_world import create, filed_case, inquiry_fields, issue, serve

RECEIPT = "service_receipt"


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def notice_fields(world: World, unit: str) -> dict[str, object]:
    return {
        "unit": unit,
        "legal_basis": "《统计法》第三十八条",
        "period_content": "2025年度统计报表",
        "materials": "原始记录、统计台账",
        "officers": [world.zhang.pk, world.li.pk],
        "inspection_on": clock.today().isoformat(),
        "contact": "张伟 0379-66820000",
    }


def options(body: str, name: str) -> list[tuple[str, str]]:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert found, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(1))


def later(monkeypatch: pytest.MonkeyPatch, minutes: int) -> None:
    moment = clock.now() + timedelta(minutes=minutes)
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_every_document_field_of_the_catalogue_names_the_kinds_it_points_at() -> None:
    catalogue = builtin_catalogue()
    for kind in catalogue.values():
        for spec in kind.fields:
            if spec.type == "document":
                assert spec.ref_kinds, f"{kind.code}.{spec.name}"
                assert set(spec.ref_kinds) <= set(catalogue), f"{kind.code}.{spec.name}"
    assert catalogue["performance_record"].field("decision").ref_kinds[0] == "decision"
    assert "decision" in catalogue["service_receipt"].field("served_document").ref_kinds


def test_the_picker_offers_the_final_documents_of_the_kind_newest_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN two final 检查通知书, a draft one, a final 询问笔录 and another case's final notice
    WHEN the 送达回证 form opens THEN 送达的文书 offers the two final notices of this case, the
    newer first, each by its 文号 and title."""
    case = filed_case(world)
    other = filed_case(world)
    first = issue(world, case, "inspection_notice", notice_fields(world, "甲公司"))
    later(monkeypatch, 5)
    second = issue(world, case, "inspection_notice", notice_fields(world, "乙公司"))
    later(monkeypatch, 10)
    create(world, case, "inspection_notice", notice_fields(world, "丙公司"))
    issue(world, case, "inquiry_transcript", inquiry_fields(world))
    issue(world, other, "inspection_notice", notice_fields(world, "丁公司"))

    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    body = client.get(reverse("document-create", args=[case.pk, RECEIPT])).content.decode()

    assert options(body, "served_document") == [
        ("", "——"),
        (str(second.pk), f"{second.final.number} 统计执法检查通知书"),
        (str(first.pk), f"{first.final.number} 统计执法检查通知书"),
    ]
    assert "检通字〔" in first.final.number


def test_a_posted_document_outside_the_picker_is_refused_on_its_field(world: World) -> None:
    case = filed_case(world)
    inquiry = issue(world, case, "inquiry_transcript", inquiry_fields(world))
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    response = client.post(
        reverse("document-create", args=[case.pk, RECEIPT]),
        {"served_document": str(inquiry.pk), "recipient": "刘某", "method": "direct"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="served_document"' in body
    assert "送达的文书：请从列表中选择" in body
    assert not Document.objects.filter(kind=RECEIPT).exists()


@pytest.mark.parametrize("wrong", ["kind", "case"])
def test_the_action_refuses_another_kind_or_another_cases_document(
    world: World, wrong: str
) -> None:
    """The server checks the reference whatever the page offered (API, CLI, a forged post)."""
    case = filed_case(world)
    if wrong == "kind":
        pointed = issue(world, case, "inquiry_transcript", inquiry_fields(world))
    else:
        other = filed_case(world)
        pointed = issue(world, other, "inspection_notice", notice_fields(world, "甲公司"))
    with pytest.raises(RuleViolation) as refused:
        create(
            world,
            case,
            RECEIPT,
            {
                "served_document": pointed.pk,
                "recipient": "刘某",
                "method": "direct",
                "place": "栾川县",
                "served_on": clock.today().isoformat(),
                "signed_by": "刘某",
            },
        )
    assert refused.value.field == "served_document"
    assert refused.value.message.startswith("送达的文书：应为本案的行政处罚决定书或")
    assert not Document.objects.filter(kind=RECEIPT).exists()


def selected(body: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert found, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', found.group(1))
    return chosen.group(1) if chosen else ""


def test_a_blank_service_receipt_names_the_newest_document_not_yet_served(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#16 found on the way 13: 送达的文书 is prefilled with what is waiting to be served."""
    case = filed_case(world)
    first = issue(world, case, "inspection_notice", notice_fields(world, "甲公司"))
    later(monkeypatch, 5)
    second = issue(world, case, "inspection_notice", notice_fields(world, "乙公司"))
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    url = reverse("document-create", args=[case.pk, RECEIPT])
    assert selected(client.get(url).content.decode(), "served_document") == str(second.pk)
    serve(world, second, clock.today())
    assert selected(client.get(url).content.decode(), "served_document") == str(first.pk)


def test_the_only_partys_name_and_address_are_prefilled(world: World) -> None:
    """#16 found on the way 13: 放弃陈述申辩记录's 当事人, the decision's 当事人地址."""
    case = _case_in_review(world)
    party = case.parties.get()
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    waiver = client.get(reverse("document-create", args=[case.pk, "statement_waiver"]))
    assert f'name="party_name" value="{party.name}"' in waiver.content.decode()
    decision = client.get(reverse("document-create", args=[case.pk, "decision"]))
    assert f'name="party_address" value="{party.address}"' in decision.content.decode()


def test_the_legal_reviewer_is_a_reviewer_who_does_not_handle_the_case(world: World) -> None:
    """#16 found on the way 2: the form offers only qualified reviewers (the agency's reviewer
    role) who did not investigate the case — a handler holding the role too is left out."""
    do_grant_role(acting_user=None, officer=world.zhang, agency=world.lc, role=Role.REVIEWER)
    case = _case_in_review(world)
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    body = client.get(reverse("document-create", args=[case.pk, "legal_review_opinion"]))
    offered = [pk for pk, _ in options(body.content.decode(), "reviewer") if pk]
    assert offered == [str(world.reviewer.pk)]


def test_the_notice_states_the_statement_period_the_system_counts(world: World) -> None:
    """#16 found on the way 12: the period comes from the profile (栾川: 3个工作日)."""
    case = _case_in_review(world)
    assert case.agency.profile.statement.label == "3个工作日"
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    body = client.get(reverse("document-create", args=[case.pk, "prior_notice"]))
    assert "收到本告知书之日起3个工作日内向本机关提出陈述、申辩" in body.content.decode()
