"""The document pages through Django's test client: the form generated from the catalogue,
signing by login, on paper and on screen, refusals, finalising, corrections, service, and who
may do what (Seed A art. 9; Seed B art. 5–7, 19; 行政处罚法 第42条、第55条)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.documents import Document, DocumentFinal, Service, Signature
from casetrail.cases.models import Case
from tests.personas import PASSWORD, World
from tests.procedure_world import SHANGHAI, SIGNATURE_PNG, create, filed_case, inquiry_fields, issue

INQUIRY = "inquiry_transcript"


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


@pytest.fixture
def case(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    """Filed three hours ago: the inquiries below (two hours ago) come after the filing."""
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now - timedelta(hours=3))
    filed = filed_case(world)
    monkeypatch.setattr(clock, "now", lambda: now)
    return filed


def local(hours_ago: float) -> str:
    """A moment as `datetime-local` shows it: Beijing wall-clock time, to the minute."""
    return (
        (clock.now() - timedelta(hours=hours_ago)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    )


def inquiry_post(world: World, **changes: Any) -> dict[str, Any]:
    """The inquiry form as a browser posts it: local Beijing times, officer ids as strings."""
    data: dict[str, Any] = {
        "started_at": local(2),
        "ended_at": local(1),
        "place": "栾川县统计局询问室",
        "officers": [str(world.zhang.pk), str(world.li.pk)],
        "recorder": str(world.li.pk),
        "interviewee_name": "刘某",
        "interviewee_sex": "male",
        "interviewee_id_number": "410324198503121235",
        "certificates_shown": "on",
        "identity_acknowledged": "on",
        "rights_notified": "on",
        "questions_answers": "问：报表由谁填报？答：由我本人填报。",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def detail_url(document: Document, name: str = "document-detail", *extra: object) -> str:
    return reverse(name, args=[document.case_id, document.pk, *extra])


def test_new_document_lists_the_kinds_of_the_current_stage(world: World, case: Case) -> None:
    body = client_for("zhang").get(reverse("document-new", args=[case.pk])).content.decode()
    assert "询问（调查）笔录" in body
    assert "音像记录登记表" in body  # a kind of any stage
    assert "行政处罚决定书" not in body  # review stage only
    assert "查封" not in body  # not in the agency's catalogue (rule 15)


def test_the_form_is_generated_from_the_catalogue(world: World, case: Case) -> None:
    body = client_for("zhang").get(reverse("document-create", args=[case.pk, INQUIRY])).content
    html = body.decode()
    assert "被询问人姓名" in html
    assert 'type="datetime-local"' in html
    assert 'type="checkbox" name="officers"' in html
    assert "张伟（证号 LC-001）" in html
    assert '<select name="recorder"' in html
    assert '<option value="male">男</option>' in html
    assert '<select name="recording"' in html


def test_creating_an_inquiry_reads_times_as_beijing_time(world: World, case: Case) -> None:
    response = client_for("zhang").post(
        reverse("document-create", args=[case.pk, INQUIRY]), inquiry_post(world)
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(document)
    started = inquiry_post(world)["started_at"]
    assert document.fields["started_at"] == f"{started}:00+08:00"
    assert document.fields["officers"] == sorted([world.zhang.pk, world.li.pk])
    assert document.fields["certificates_shown"] is True


def test_one_officer_is_refused_next_to_the_officers_field(world: World, case: Case) -> None:
    """Rule 1 (行政处罚法 第42条): the message with its article sits next to the field."""
    response = client_for("zhang").post(
        reverse("document-create", args=[case.pk, INQUIRY]),
        inquiry_post(world, officers=[str(world.zhang.pk)]),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="officers"' in body
    assert "执法人员不得少于2人" in body
    assert "第四十二条" in body
    assert not Document.objects.exists()


def test_every_missing_field_is_named_at_once(world: World, case: Case) -> None:
    response = client_for("zhang").post(
        reverse("document-create", args=[case.pk, INQUIRY]),
        inquiry_post(world, place="", interviewee_name="", started_at=""),
    )
    body = response.content.decode()
    for field in ("place", "interviewee_name", "started_at"):
        assert f'data-field="{field}"' in body
    assert "询问地点：必须填写" in body
    assert not Document.objects.exists()


def test_an_expired_certificate_names_the_officer(world: World, case: Case) -> None:
    response = client_for("zhang").post(
        reverse("document-create", args=[case.pk, INQUIRY]),
        inquiry_post(world, officers=[str(world.zhang.pk), str(world.expired.pk)]),
    )
    body = response.content.decode()
    assert "过期证" in body
    assert "没有有效的执法证件" in body
    assert not Document.objects.exists()


def test_the_document_page_lists_each_signer(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    body = client_for("zhang").get(detail_url(document)).content.decode()
    assert f'data-signer="officers:{world.zhang.pk}"' in body
    assert f'data-signer="recorder:{world.li.pk}"' in body
    assert 'data-signer="interviewee"' in body
    assert "草稿" in body
    assert body.count("本人签名") == 1  # zhang signs his own block only
    assert "data-signature-pad" in body
    assert "缺少询问人、记录人、被询问人的签名或拒签记录" in body


def test_an_officer_signs_by_login(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    client = client_for("li")
    for signer in ("officers", "recorder"):
        client.post(detail_url(document, "document-sign"), {"signer": signer})
    assert set(Signature.objects.values_list("signer", "officer_id")) == {
        ("officers", world.li.pk),
        ("recorder", world.li.pk),
    }
    body = client.get(detail_url(document)).content.decode()
    assert "已签名" in body


def test_signing_another_officers_block_is_refused(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    response = client_for("zhang").post(
        detail_url(document, "document-sign"), {"signer": "recorder"}, follow=True
    )
    assert "不能代签" in response.content.decode()
    assert not Signature.objects.exists()


def screen_data(**changes: str) -> dict[str, str]:
    data = {
        "signer": "interviewee",
        "interviewee-screen-name": "刘某",
        "interviewee-screen-relationship": "",
        "interviewee-screen-image_data": "data:image/png;base64,"
        + base64.b64encode(SIGNATURE_PNG).decode(),
    }
    data.update(changes)
    return data


def test_a_signature_drawn_on_screen_is_stored_as_png(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    client = client_for("zhang")
    response = client.post(detail_url(document, "document-signature", "screen"), screen_data())
    assert response.status_code == 302
    signature = Signature.objects.get(signer="interviewee")
    assert (signature.method, signature.name) == ("screen", "刘某")
    assert signature.image is not None
    assert signature.image.media_type == "image/png"
    image = client.get(reverse("signature-image", args=[case.pk, document.pk, signature.pk]))
    assert b"".join(image.streaming_content) == SIGNATURE_PNG  # type: ignore[attr-defined]
    assert (
        client_for("colleague")
        .get(reverse("signature-image", args=[case.pk, document.pk, signature.pk]))
        .status_code
        == 404
    )


def test_an_empty_signature_pad_is_refused(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    response = client_for("zhang").post(
        detail_url(document, "document-signature", "screen"),
        screen_data(**{"interviewee-screen-image_data": ""}),
    )
    body = response.content.decode()
    assert 'data-field="image_data"' in body
    assert "请先在签名框内签名" in body
    assert not Signature.objects.exists()


def test_a_scanned_paper_signature(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    scan = SimpleUploadedFile("签字页.png", SIGNATURE_PNG, content_type="image/png")
    client_for("zhang").post(
        detail_url(document, "document-signature", "paper"),
        {
            "signer": "interviewee",
            "interviewee-paper-name": "刘某",
            "interviewee-paper-scan": scan,
        },
    )
    assert Signature.objects.get().method == "paper"


def test_a_scan_that_is_not_an_image_is_refused_on_its_field(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    scan = SimpleUploadedFile("签字页.png", b"not an image at all", content_type="image/png")
    response = client_for("zhang").post(
        detail_url(document, "document-signature", "paper"),
        {
            "signer": "interviewee",
            "interviewee-paper-name": "刘某",
            "interviewee-paper-scan": scan,
        },
    )
    body = response.content.decode()
    assert 'data-field="scan"' in body
    assert "栾川县制度第九条" in body
    assert not Signature.objects.exists()


def refusal_data(world: World, **changes: str) -> dict[str, str]:
    data = {
        "signer": "interviewee",
        "interviewee-refusal-person_name": "刘某",
        "interviewee-refusal-reason": "拒绝在笔录上签字",
        "interviewee-refusal-refused_at": local(0.5),
        "interviewee-refusal-witness_name": "",
        "interviewee-refusal-witness_officer": str(world.li.pk),
    }
    data.update(changes)
    return data


def test_a_refusal_needs_a_witness(world: World, case: Case) -> None:
    """Rule 8 (栾川县制度第九条 第二款): the message sits next to the witness field."""
    document = create(world, case, INQUIRY, inquiry_fields(world))
    response = client_for("zhang").post(
        detail_url(document, "document-refusal"),
        refusal_data(world, **{"interviewee-refusal-witness_officer": ""}),
    )
    body = response.content.decode()
    assert 'data-field="witness_name"' in body
    assert "拒签须由见证人或另一名执法人员见证" in body
    assert not document.refusals.exists()


def test_a_witnessed_refusal_is_recorded(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    client_for("zhang").post(detail_url(document, "document-refusal"), refusal_data(world))
    refusal = document.refusals.get()
    assert refusal.witness_officer == world.li
    typed = datetime.fromisoformat(local(0.5)).replace(tzinfo=SHANGHAI)
    assert abs(refusal.refused_at - typed) < timedelta(minutes=2)
    body = client_for("zhang").get(detail_url(document)).content.decode()
    assert "拒签" in body
    assert "拒绝在笔录上签字" in body


def test_finalising_without_signatures_shows_what_is_missing(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    response = client_for("zhang").post(detail_url(document, "document-finalise"))
    body = response.content.decode()
    assert 'data-testid="finalise-refusal"' in body
    assert "被询问人" in body
    assert "栾川县制度第九条" in body
    assert not DocumentFinal.objects.exists()


def test_finalise_then_correct_with_the_form_prefilled(world: World, case: Case) -> None:
    document = issue(world, case, INQUIRY, inquiry_fields(world))
    client = client_for("zhang")
    body = client.get(detail_url(document)).content.decode()
    assert "已定稿" in body
    assert document.final.content_sha256 in body
    assert "本人签名" not in body
    correct = reverse("document-create", args=[case.pk, INQUIRY]) + f"?supersedes={document.pk}"
    form = client.get(correct).content.decode()
    assert "更正：" in form
    assert 'value="栾川县统计局询问室"' in form
    client.post(correct, inquiry_post(world, place="当事人办公室"))
    correction = Document.objects.get(supersedes=document)
    assert correction.fields["place"] == "当事人办公室"
    assert "已被更正" in client.get(detail_url(document)).content.decode()


def notice(world: World, case: Case) -> Document:
    return issue(
        world,
        case,
        "inspection_notice",
        {
            "unit": "某某矿业有限公司",
            "legal_basis": "《统计法》第三十八条",
            "period_content": "2025年度统计报表",
            "materials": "统计台账",
            "officers": [world.zhang.pk, world.li.pk],
            "inspection_on": "2026-12-01",
            "contact": "张伟",
        },
    )


def service_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "recipient": "某某矿业有限公司",
        "signed_by": "刘某",
        "relationship": "法定代表人",
        "served_on": clock.today().isoformat(),
        "receipt": SimpleUploadedFile("回证.png", SIGNATURE_PNG, content_type="image/png"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_direct_service_of_a_final_notice(world: World, case: Case) -> None:
    document = notice(world, case)
    client = client_for("zhang")
    body = client.get(detail_url(document)).content.decode()
    assert document.final.number in body
    assert "直接送达" in body
    client.post(detail_url(document, "document-service"), service_data())
    service = Service.objects.get()
    assert (service.method, service.recipient) == ("direct", "某某矿业有限公司")
    assert "签收人 刘某" in client.get(detail_url(document)).content.decode()


def test_service_without_the_receipt_is_refused_on_its_field(world: World, case: Case) -> None:
    document = notice(world, case)
    response = client_for("zhang").post(
        detail_url(document, "document-service"), service_data(receipt=None)
    )
    body = response.content.decode()
    assert 'data-field="receipt"' in body
    assert "缺少签收的送达回证" in body
    assert not Service.objects.exists()


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["colleague", "bystander"])
def test_others_get_404_on_every_document_page(world: World, case: Case, username: str) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    client = client_for(username)
    assert client.get(reverse("document-new", args=[case.pk])).status_code == 404
    assert client.get(reverse("document-create", args=[case.pk, INQUIRY])).status_code == 404
    assert client.get(detail_url(document)).status_code == 404
    for name, data in (
        ("document-sign", {"signer": "officers"}),
        ("document-refusal", refusal_data(world)),
        ("document-finalise", {}),
        ("document-propose", {"opinion": "提请"}),
    ):
        assert client.post(detail_url(document, name), data).status_code == 404
    screen = client.post(detail_url(document, "document-signature", "screen"), screen_data())
    assert screen.status_code == 404
    created = client.post(reverse("document-create", args=[case.pk, INQUIRY]), inquiry_post(world))
    assert created.status_code == 404
    assert Document.objects.count() == 1
    assert not Signature.objects.exists()


def test_the_supervisor_reads_but_cannot_write(world: World, case: Case) -> None:
    document = create(world, case, INQUIRY, inquiry_fields(world))
    client = client_for("supervisor")
    assert client.get(detail_url(document)).status_code == 200
    assert client.post(detail_url(document, "document-sign"), {"signer": "x"}).status_code == 403
    assert client.post(detail_url(document, "document-finalise")).status_code == 403
    assert (
        client.post(detail_url(document, "document-signature", "screen"), screen_data()).status_code
        == 403
    )
    assert client.get(reverse("document-create", args=[case.pk, INQUIRY])).status_code == 403
    assert not Signature.objects.exists()


def test_reviewers_write_review_documents_only(world: World, case: Case) -> None:
    client = client_for("reviewer")
    assert client.get(reverse("document-create", args=[case.pk, INQUIRY])).status_code == 403
    review = reverse("document-create", args=[case.pk, "legal_review_opinion"])
    assert client.get(review).status_code == 200
    listing = client.get(reverse("document-new", args=[case.pk])).content.decode()
    assert "询问（调查）笔录" not in listing


def test_reading_a_signature_of_a_confidential_case_is_ledgered(world: World) -> None:
    """Seed B 第29–30条; DESIGN invariant 4: reads of protected material are acts too."""
    from casetrail.ledger.models import LedgerEntry

    for confidentiality, recorded in (("none", 0), ("trade_secret", 1)):
        case = filed_case(world, confidentiality=confidentiality)
        document = create(world, case, INQUIRY, inquiry_fields(world))
        client = client_for("zhang")
        client.post(detail_url(document, "document-signature", "screen"), screen_data())
        signature = Signature.objects.get(document=document, signer="interviewee")
        url = reverse("signature-image", args=[case.pk, document.pk, signature.pk])
        assert client.get(url).status_code == 200
        reads = LedgerEntry.objects.filter(case=case, action="file.read")
        assert reads.count() == recorded
        if recorded:
            assert signature.image is not None
            assert signature.image.sha256 in reads.get().payload
