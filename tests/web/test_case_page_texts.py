"""What the case, document and verification pages say (#16 found on the way 15): no server path
for officers, the timeline names the document of each act, a refusal reads as sentences, a
mismatching upload turns the verification page's top banner red."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.backup_run import run_backup
from casetrail.cases.models import Case
from casetrail.documents.models import IssuedPdf
from casetrail.evidence.storage import primary_store
from tests.documents.world import issued_inquiry
from tests.evidence.backup_world import case_with_recording, the_replica, use_stores
from tests.personas import PASSWORD, World, make_officer
from tests.procedure_world import create, filed_case, inquiry_fields
from tests.web.test_document_pages import refusal_data


def logged_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_officers_see_no_server_path_of_the_backup(
    world: World, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_stores(settings, tmp_path)
    case: Case = case_with_recording(world, monkeypatch)
    replica = the_replica()
    assert run_backup(replica).ok
    make_officer(world.lc, "archivist", "陈杰", ("archivist",))
    officer = logged_in("zhang").get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "最近一次成功的异地备份于" in officer
    assert replica.name not in officer
    assert "file://" not in officer
    archivist = logged_in("archivist").get(reverse("case-detail", args=[case.pk]))
    assert replica.name in archivist.content.decode()  # who keeps the backups sees where


def test_the_timeline_names_the_document_of_a_signature(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    case, _ = issued_inquiry(world)
    body = logged_in("zhang").get(reverse("case-detail", args=[case.pk])).content.decode()
    assert '<strong>签名</strong> · <span data-testid="act-subject">询问（调查）笔录</span>' in body


def test_a_refusal_reads_as_sentences(world: World, settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    case = filed_case(world)
    document = create(world, case, "inquiry_transcript", inquiry_fields(world))
    url = reverse("document-refusal", args=[case.pk, document.pk])
    data = refusal_data(world, **{"interviewee-refusal-reason": "当事人拒绝签字。"})
    logged_in("zhang").post(url, data)
    assert document.refusals.exists()
    detail = reverse("document-detail", args=[case.pk, document.pk])
    body = logged_in("zhang").get(detail).content.decode()
    assert "理由：当事人拒绝签字。见证人：李娜。" in body
    assert "。；" not in body


def _upload(client: Client, code: str, data: bytes) -> str:
    response = client.post(
        reverse("verify-document", args=[code]),
        {"pdf": SimpleUploadedFile("文书.pdf", data, content_type="application/pdf")},
    )
    return response.content.decode("utf-8")


def test_a_mismatching_upload_turns_the_top_banner_red(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    _, document = issued_inquiry(world)
    issued = IssuedPdf.objects.get(document=document)
    with primary_store().open(issued.sha256) as handle:
        pdf = handle.read()
    changed = _upload(Client(), issued.verification_code, pdf + b"\n")
    assert 'data-verdict="genuine"' not in changed
    assert changed.index('data-verdict="upload-mismatch"') < changed.index("<h2>")
    same = _upload(Client(), issued.verification_code, pdf)
    assert 'data-verdict="genuine"' in same
    assert 'data-verdict="upload-mismatch"' not in same
