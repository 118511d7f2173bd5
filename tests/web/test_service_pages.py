"""The service form on the document page, through Django's test client: each of the seven
methods accepted with its proof and refused without it (the rule's message next to the field,
nothing written), the pure check of what is still missing, the list of services with their
proof hashes, and who may do what (Seed A art. 11; Seed B art. 18–24; rules 28–31).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.documents import Document, Service
from casetrail.cases.management.commands.demo import demo_png
from casetrail.cases.models import Case
from casetrail.evidence.models import Recording
from tests.evidence.av import register, store_bytes
from tests.personas import PASSWORD, World
from tests.procedure_world import SIGNATURE_PNG, filed_case, issue

PROOF_SHA256 = hashlib.sha256(SIGNATURE_PNG).hexdigest()


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


@pytest.fixture
def case(world: World) -> Case:
    return filed_case(world)


@pytest.fixture
def notice(world: World, case: Case) -> Document:
    """A final 统计执法检查通知书 of 栾统, numbered, waiting to be served."""
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


def scan(name: str = "回证.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SIGNATURE_PNG, content_type="image/png")


def url(document: Document, name: str = "document-service") -> str:
    return reverse(name, args=[document.case_id, document.pk])


def post(document: Document, method: str, user: str = "zhang", **fields: Any) -> tuple[int, str]:
    """Post the service form as a browser does; `None` leaves a field out."""
    data: dict[str, Any] = {
        "method": method,
        "outcome": "served",
        "recipient": "某某矿业有限公司",
        "served_on": clock.today().isoformat(),
        "action": "record",
    }
    data.update(fields)
    response = client_for(user).post(
        url(document), {k: v for k, v in data.items() if v is not None}
    )
    return response.status_code, response.content.decode()


def refused_on(body: str, field: str, message: str) -> None:
    """The rule's message sits next to its field, and nothing was written."""
    assert f'data-field="{field}"' in body
    assert message in body
    assert not Service.objects.filter(details_json__contains='"outcome":"served"').exists()


def recording_of(world: World, case: Case) -> Recording:
    now = clock.now()
    return register(
        world,
        case,
        store_bytes(demo_png(40, 30), "留置过程.png"),
        kind="photo",
        method="执法记录仪拍照",
        recorded_start_at=now - timedelta(minutes=5),
        recorded_end_at=now - timedelta(minutes=4),
        proves="留置送达过程",
    )


# --- the form -------------------------------------------------------------------------------


def test_the_form_offers_seven_methods_and_the_cases_recordings(
    world: World, case: Case, notice: Document
) -> None:
    recording = recording_of(world, case)
    body = client_for("zhang").get(url(notice, "document-detail")).content.decode()
    for method in ("直接", "留置", "委托", "邮寄", "转交", "电子", "公告"):
        assert f">{method}送达</option>" in body
    assert f'<option value="{recording.pk}">留置过程.png' in body
    assert f"统计执法检查通知书 {notice.final.number}</textarea>" in body  # the postal list
    assert 'data-methods="left_at_address public_notice"' in body  # the recording select
    assert "制作委托送达函" in body


# --- each method: accepted with its proof, refused without ----------------------------------


def test_direct_service_needs_the_relationship(world: World, notice: Document) -> None:
    status, body = post(notice, "direct", signed_by="刘某", receipt=scan())
    assert status == 200
    refused_on(body, "relationship", "直接送达：缺少签收人与受送达人的关系")
    status, _ = post(notice, "direct", signed_by="刘某", relationship="法定代表人", receipt=scan())
    service = Service.objects.get()
    assert status == 302
    assert (service.method, service.served_on) == ("direct", clock.today())
    assert service.details["receipt"] == PROOF_SHA256


def test_left_at_address_needs_a_witness_or_a_recording(
    world: World, case: Case, notice: Document
) -> None:
    """栾川: 见证人或音像记录其一 (民事诉讼法 第89条); the witness field gets the message."""
    left: dict[str, Any] = {"refusal_reason": "当事人拒绝签收", "left_receipt": scan()}
    _, body = post(notice, "left_at_address", **left)
    refused_on(body, "witness_name", "留置送达：须有见证人签名，或者以音像记录留置过程")
    recording = recording_of(world, case)
    left["left_receipt"] = scan()
    status, _ = post(notice, "left_at_address", recording=str(recording.pk), **left)
    assert status == 302
    assert Service.objects.get().details["recording"] == recording.pk


def test_each_method_names_its_own_receipt(notice: Document) -> None:
    """The rules call every receipt "receipt"; the page shows the message on the chosen
    method's input (注明情况的送达回证 for 留置, 民事诉讼法 第89条)."""
    _, body = post(notice, "left_at_address", refusal_reason="拒收", witness_name="陈某")
    refused_on(body, "left_receipt", "留置送达：缺少注明情况的送达回证")
    _, body = post(notice, "left_at_address", receipt=scan(), refusal_reason="拒收")
    refused_on(body, "left_receipt", "缺少注明情况的送达回证")  # direct's input does not count


def test_the_failed_outcome_does_not_exist_for_left_at_address(notice: Document) -> None:
    _, body = post(
        notice,
        "left_at_address",
        outcome="failed",
        refusal_reason="拒收",
        witness_name="陈某",
        left_receipt=scan(),
    )
    refused_on(body, "outcome", "留置送达：不存在未能送达的结果")


def test_entrusted_service_needs_the_final_letter(world: World, notice: Document) -> None:
    entrusted: dict[str, Any] = {"entrusted_body": "洛阳市统计局", "entrusted_receipt": scan()}
    _, body = post(notice, "entrusted", **entrusted)
    refused_on(body, "letter", "委托送达：缺少已定稿的委托送达函")
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
    page = client_for("zhang").get(url(notice, "document-detail")).content.decode()
    assert f'<option value="{letter.pk}">委托送达函 {letter.final.number}</option>' in page
    entrusted["entrusted_receipt"] = scan()
    status, _ = post(notice, "entrusted", letter=str(letter.pk), **entrusted)
    assert status == 302
    assert Service.objects.get().details["letter"] == letter.pk


def postal_fields(notice: Document, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "mail_type": "ems",
        "tracking_number": "EA123456789CN",
        "document_list": f"统计执法检查通知书 {notice.final.number}",
        "posting_proof": scan("付邮凭证.png"),
        "return_receipt": scan("回执.png"),
    }
    fields.update(changes)
    return fields


def test_postal_service_needs_the_return_receipt(notice: Document) -> None:
    _, body = post(notice, "postal", **postal_fields(notice, return_receipt=None))
    refused_on(body, "return_receipt", "邮寄送达：缺少签收回执")
    status, _ = post(notice, "postal", **postal_fields(notice))
    assert status == 302
    assert set(Service.objects.get().details) >= {"posting_proof", "return_receipt"}


def test_a_returned_letter_is_listed_as_a_failed_attempt(notice: Document) -> None:
    fields = postal_fields(notice, return_receipt=None, return_reason="查无此人")
    status, _ = post(notice, "postal", outcome="failed", **fields)
    service = Service.objects.get()
    assert status == 302
    assert service.served_on is None
    assert service.details["attempted_on"] == clock.today().isoformat()
    page = client_for("zhang").get(url(notice, "document-detail")).content.decode()
    assert 'data-outcome="failed"' in page
    assert "未能送达" in page
    assert "退回原因 查无此人" in page


def test_forwarded_service_needs_the_addressees_signature(notice: Document) -> None:
    forwarded: dict[str, Any] = {
        "forwarding_body": "某监狱",
        "server_signature": "狱警 钱某",
        "forwarded_receipt": scan(),
    }
    _, body = post(notice, "forwarded", **forwarded)
    refused_on(body, "addressee_signature", "转交送达：缺少受送达人签名")
    forwarded["forwarded_receipt"] = scan()
    status, _ = post(notice, "forwarded", addressee_signature="刘某", **forwarded)
    assert status == 302


def test_electronic_service_needs_the_written_consent(world: World, notice: Document) -> None:
    electronic: dict[str, Any] = {
        "channel": "email",
        "address": "legal@example.cn",
        "delivery_proof": scan("截图.png"),
    }
    _, body = post(notice, "electronic", **electronic)
    refused_on(body, "__all__", "电子送达：缺少当事人签署的送达地址（电子送达）确认书")
    party = notice.case.parties.get()
    issue(
        world,
        notice.case,
        "service_address_confirmation",
        {
            "party": party.pk,
            "address": party.address,
            "phone": "0379-66821234",
            "email": "legal@example.cn",
            "electronic_consent": True,
            "decision_by_electronic": False,
            "consequences_notified": True,
            "signer_name": "刘某",
            "confirmed_on": clock.today().isoformat(),
        },
    )
    electronic["delivery_proof"] = scan("截图.png")
    status, _ = post(notice, "electronic", **electronic)
    assert status == 302
    assert Service.objects.get().details["channel"] == "email"


def test_public_notice_after_a_failed_attempt_is_served_on_day_30(
    world: World, notice: Document
) -> None:
    posted = issue(
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
    published: dict[str, Any] = {
        "notice": str(posted.pk),
        "reason": "下落不明",
        "medium": "公告栏",
        "published_on": clock.today().isoformat(),
        "posting_photo": scan("张贴.png"),
    }
    _, body = post(notice, "public_notice", **published)
    refused_on(body, "method", "公告送达：须先记录以其他方式送达未果的情况")
    fields = postal_fields(notice, return_receipt=None, return_reason="查无此人")
    post(notice, "postal", outcome="failed", **fields)
    published["posting_photo"] = None
    _, body = post(notice, "public_notice", **published)
    refused_on(body, "posting_photo", "公告送达：缺少张贴公告的照片或录像")
    published["posting_photo"] = scan("张贴.png")
    status, _ = post(notice, "public_notice", **published)
    assert status == 302
    served = Service.objects.get(method="public_notice")
    assert served.served_on == clock.today() + timedelta(days=30)


# --- the check writes nothing; other methods' inputs are not recorded -------------------------


def test_the_check_names_what_is_missing_and_writes_nothing(notice: Document) -> None:
    _, body = post(notice, "direct", action="check", signed_by="刘某", relationship="本人")
    refused_on(body, "receipt", "直接送达：缺少签收的送达回证")
    _, body = post(
        notice, "direct", action="check", signed_by="刘某", relationship="本人", receipt=scan()
    )
    assert 'data-testid="service-check-ok"' in body
    assert not Service.objects.exists()


def test_only_the_chosen_methods_inputs_are_recorded(notice: Document) -> None:
    post(
        notice,
        "direct",
        signed_by="刘某",
        relationship="本人",
        witness_name="不相干的见证人",
        tracking_number="EA000",
        receipt=scan(),
        posting_proof=scan(),
    )
    details = Service.objects.get().details
    assert "witness_name" not in details
    assert "tracking_number" not in details
    assert "posting_proof" not in details


def test_the_list_shows_the_proof_hash_and_serves_the_file(notice: Document) -> None:
    post(notice, "direct", signed_by="刘某", relationship="法定代表人", receipt=scan())
    service = Service.objects.get()
    client = client_for("supervisor")
    page = client.get(url(notice, "document-detail")).content.decode()
    assert f'data-sha256="{PROOF_SHA256}"' in page
    assert "签收人 刘某" in page
    assert 'data-testid="service-form"' not in page  # read-only for the supervisor
    proof = reverse("service-proof", args=[notice.case_id, notice.pk, service.pk, "receipt"])
    response = client.get(proof)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SIGNATURE_PNG  # type: ignore[attr-defined]
    missing = reverse("service-proof", args=[notice.case_id, notice.pk, service.pk, "signed_by"])
    assert client.get(missing).status_code == 404


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["colleague", "bystander"])
def test_others_get_404(world: World, notice: Document, username: str) -> None:
    post(notice, "direct", signed_by="刘某", relationship="本人", receipt=scan())
    service = Service.objects.get()
    for action in ("check", "record"):
        status, _ = post(
            notice,
            "direct",
            user=username,
            action=action,
            signed_by="刘某",
            relationship="本人",
            receipt=scan(),
        )
        assert status == 404
    proof = reverse("service-proof", args=[notice.case_id, notice.pk, service.pk, "receipt"])
    assert client_for(username).get(proof).status_code == 404
    assert Service.objects.count() == 1


@pytest.mark.parametrize("username", ["supervisor", "reviewer"])
def test_who_sees_the_case_but_does_not_handle_it_gets_403(notice: Document, username: str) -> None:
    status, _ = post(
        notice, "direct", user=username, signed_by="刘某", relationship="本人", receipt=scan()
    )
    assert status == 403
    assert not Service.objects.exists()
