"""Downloading a document's PDF and printing a blank form: logged in, through `access`.

GIVEN the personas of 栾统 and an outsider of 兴统, WHEN they ask for a PDF, THEN those who may
see the case get it (the issued bytes for a final document, a marked draft otherwise), the
outsider and anonymous people get nothing, and a read of a confidential case is ledgered.
"""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from casetrail.cases.models import Officer
from casetrail.documents.models import IssuedPdf
from casetrail.ledger.models import LedgerEntry
from tests.documents import pdftools
from tests.documents.world import issued_inquiry
from tests.personas import World
from tests.procedure_world import create, filed_case, inquiry_fields


def as_user(officer: Officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def test_a_final_document_downloads_as_issued(world: World) -> None:
    _, document = issued_inquiry(world)
    issued = IssuedPdf.objects.get(document=document)
    url = reverse("document-pdf", args=[document.pk])
    for officer in (world.zhang, world.reviewer, world.supervisor):
        response = as_user(officer).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert hashlib.sha256(response.content).hexdigest() == issued.sha256
    assert not LedgerEntry.objects.filter(action="document.read_pdf").exists()


@pytest.mark.parametrize("who", ["colleague", "bystander"])
def test_who_may_not_see_the_case_gets_nothing(world: World, who: str) -> None:
    _, document = issued_inquiry(world)
    client = as_user(getattr(world, who))
    assert client.get(reverse("document-pdf", args=[document.pk])).status_code == 404
    blank = reverse("document-blank-pdf", args=[document.case_id, "decision"])
    assert client.get(blank).status_code == 404


def test_anonymous_people_are_sent_to_log_in(world: World, client: Client) -> None:
    _, document = issued_inquiry(world)
    for url in (
        reverse("document-pdf", args=[document.pk]),
        reverse("document-blank-pdf", args=[document.case_id, "decision"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_a_draft_prints_as_a_draft_without_a_code(world: World, pdf_tools: None) -> None:
    case = filed_case(world)
    draft = create(world, case, "inquiry_transcript", inquiry_fields(world))
    response = as_user(world.li).get(reverse("document-pdf", args=[draft.pk]))
    assert response.status_code == 200
    text = pdftools.squeezed(pdftools.text(response.content))
    assert "草稿" in text
    assert "验证码" not in text
    assert pdftools.qr_codes(response.content) == []


def test_reading_a_confidential_case_is_ledgered(world: World) -> None:
    case, document = issued_inquiry(world, confidentiality="personal_privacy")
    client = as_user(world.reviewer)
    response = client.get(reverse("document-pdf", args=[document.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    client.get(reverse("document-blank-pdf", args=[case.pk, "prior_notice"]))
    reads = LedgerEntry.objects.filter(case=case, action="document.read_pdf").order_by("pk")
    assert [entry.actor_id for entry in reads] == [world.reviewer.user_id] * 2
    assert f'"document_id":{document.pk}' in reads[0].payload
    assert '"kind":"prior_notice"' in reads[1].payload


def test_a_blank_form_carries_the_case_number_and_parties(world: World, pdf_tools: None) -> None:
    case = filed_case(world)
    party = case.parties.get()
    response = as_user(world.zhang).get(reverse("document-blank-pdf", args=[case.pk, "decision"]))
    assert response.status_code == 200
    text = pdftools.squeezed(pdftools.text(response.content))
    for expected in ("行政处罚决定书", "空白表格", case.case_number, party.name, party.address):
        assert pdftools.squeezed(expected) in text
    assert party.uscc in text
    assert "验证码" not in text


def test_a_kind_the_agency_does_not_use_has_no_blank_form(world: World) -> None:
    case = filed_case(world)
    client = as_user(world.zhang)
    assert (
        client.get(reverse("document-blank-pdf", args=[case.pk, "no_such_kind"])).status_code == 404
    )
