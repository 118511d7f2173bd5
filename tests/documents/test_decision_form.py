"""The decision form asks for what the template prints (issue #16 item 4): 违法事实, 证据,
违反的规定 and 处罚依据 as separate fields, each with a hint; 预览PDF shows the composed text
before saving; a basis that is not a citation (the penalty written into it) is refused next to
its field, so the PDF never reads "…元整。的规定"."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.documents import Document
from casetrail.cases.models import Case
from tests.cases.test_decision import _case_in_review
from tests.documents import pdftools
from tests.personas import PASSWORD, World
from tests.procedure_world import issue

REMEDY = "如不服本决定，可在收到本决定书之日起六十日内申请行政复议，或者在六个月内提起行政诉讼。"


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def zhang() -> Client:
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    return client


def ready(world: World) -> tuple[Case, Document]:
    case = _case_in_review(world)
    approval = issue(
        world,
        case,
        "decision_approval",
        {
            "proposed_decision": "penalty",
            "penalty": "警告并处罚款",
            "fine": "30000",
            "basis": "事实清楚，证据确凿，依据《统计法》第四十一条第二款",
            "handler": world.zhang.pk,
        },
    )
    return case, approval


def post(case: Case, approval: Document, **changes: str) -> dict[str, str]:
    party = case.parties.get()
    data = {
        "approval": str(approval.pk),
        "party": str(party.pk),
        "party_address": party.address,
        "facts": "经查，你单位2025年统计年报从业人员期末人数报送不实。",
        "evidence": "询问笔录、现场检查笔录",
        "violated_provisions": "《中华人民共和国统计法》第七条",
        "legal_basis": "《中华人民共和国统计法》第四十一条第二款",
        "penalty_type": "warning_and_fine",
        "fine": "30000",
        "performance": "自收到本决定书之日起十五日内到指定银行缴纳罚款",
        "remedy": REMEDY,
        "decided_on": clock.today().isoformat(),
    }
    data.update(changes)
    return data


def test_the_form_asks_for_each_part_with_a_hint_and_offers_a_preview(world: World) -> None:
    case, _ = ready(world)
    body = zhang().get(reverse("document-create", args=[case.pk, "decision"])).content.decode()
    for label in ("违法事实", "证据", "违反的规定", "处罚依据"):
        assert f">{label}<" in body
    assert "只写条文" in body
    assert "不写处罚内容" in body
    assert 'name="preview"' in body
    assert 'formtarget="_blank"' in body
    assert "违法事实和证据" not in body


def test_the_preview_is_the_pdf_of_the_unsaved_values(world: World, pdf_tools: None) -> None:
    case, approval = ready(world)
    url = reverse("document-create", args=[case.pk, "decision"])
    response = zhang().post(url, {**post(case, approval), "preview": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdftools.squeezed(pdftools.text(response.content))
    assert (
        "违反了《中华人民共和国统计法》第七条的规定。依据《中华人民共和国统计法》第四十一条" in text
    )
    assert "警告，并处罚款30,000.00元（人民币叁万元整）" in text
    assert "草稿" in text
    assert not Document.objects.filter(kind="decision").exists()


def test_a_penalty_written_into_the_basis_is_refused_next_to_it(world: World) -> None:
    case, approval = ready(world)
    url = reverse("document-create", args=[case.pk, "decision"])
    basis = "《中华人民共和国统计法》第四十一条第二款，决定给予警告，并处罚款人民币叁万元整。"
    response = zhang().post(url, post(case, approval, legal_basis=basis))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="legal_basis"' in body
    assert "处罚依据：只写条文" in body
    assert not Document.objects.filter(kind="decision").exists()
