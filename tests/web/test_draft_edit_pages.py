"""Editing a draft through the pages (issue #16 item 11): the draft page offers 编辑草稿, not
更正; saving gives the next version; the case file lists the newest version only, never
`草稿 已被更正`; the document page lists every saved version; a final document is corrected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.documents import Document
from casetrail.cases.models import Case
from tests.personas import World
from tests.procedure_world import create, inquiry_fields, issue
from tests.web.test_document_pages import INQUIRY, client_for, detail_url, inquiry_post
from tests.web.test_document_pages import case as case


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def documents_card(body: str) -> str:
    found = re.search(r'data-testid="documents">(.*?)</section>', body, re.S)
    assert found is not None
    return found.group(1)


def test_a_draft_is_edited_into_versions_not_corrected(world: World, case: Case) -> None:
    draft = create(world, case, INQUIRY, inquiry_fields(world))
    client = client_for("zhang")
    page = client.get(detail_url(draft)).content.decode()
    assert 'data-testid="edit-draft"' in page
    assert ">更正</a>" not in page
    form = client.get(detail_url(draft, "document-edit")).content.decode()
    assert "编辑草稿：" in form
    assert 'value="栾川县统计局询问室"' in form
    response = client.post(
        detail_url(draft, "document-edit"), inquiry_post(world, place="当事人办公室")
    )
    second = Document.objects.get(supersedes=draft)
    assert response["Location"] == detail_url(second)
    assert second.fields["place"] == "当事人办公室"

    file = documents_card(client.get(reverse("case-detail", args=[case.pk])).content.decode())
    assert "已被更正" not in file
    assert file.count("询问（调查）笔录") == 1
    assert detail_url(second) in file
    assert detail_url(draft) not in file
    assert "第2版" in file

    newest = client.get(detail_url(second)).content.decode()
    assert 'data-testid="draft-versions"' in newest
    assert detail_url(draft) in newest
    old = client.get(detail_url(draft)).content.decode()
    assert 'data-testid="old-version"' in old
    assert "已被更正" not in old
    assert 'data-testid="edit-draft"' not in old


def test_a_final_document_offers_correction_not_edit(world: World, case: Case) -> None:
    final = issue(world, case, INQUIRY, inquiry_fields(world))
    client = client_for("zhang")
    page = client.get(detail_url(final)).content.decode()
    assert ">更正</a>" in page
    assert 'data-testid="edit-draft"' not in page
    # the form is shown; saving is refused by the action
    assert client.get(detail_url(final, "document-edit")).status_code == 200
    response = client.post(detail_url(final, "document-edit"), inquiry_post(world))
    assert response.status_code == 200
    assert "已定稿" in response.content.decode()
    assert not Document.objects.filter(supersedes=final).exists()


def test_an_outsider_cannot_edit(world: World, case: Case) -> None:
    draft = create(world, case, INQUIRY, inquiry_fields(world))
    response = client_for("colleague").post(detail_url(draft, "document-edit"), inquiry_post(world))
    assert response.status_code in (403, 404)
    assert not Document.objects.filter(supersedes=draft).exists()
