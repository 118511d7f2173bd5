"""Issuance: finalising a document renders its PDF, stores it and records its hash in the same
ledger entry; re-rendering the record later gives the same bytes.

GIVEN a filed case of 栾统, WHEN an inquiry transcript is signed and finalised through the real
actions, THEN its PDF is stored as a blob, its SHA-256 and verification code are facts of the
`document.finalise` entry, the ledger verifies, and `casetrail render` reproduces the bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casetrail.cases.document_sheets import document_sheet
from casetrail.cases.documents import Document
from casetrail.documents.codes import verification_code
from casetrail.documents.models import IssuedPdf
from casetrail.documents.render import render_pdf
from casetrail.evidence.storage import primary_store
from casetrail.ledger.models import InsertOnlyError, LedgerEntry
from casetrail.ledger.verify import verify
from tests.documents import pdftools
from tests.documents.world import issued_inquiry, issued_inspection
from tests.personas import World


def stored(issued: IssuedPdf) -> bytes:
    with primary_store().open(issued.sha256) as handle:
        return handle.read()


def test_finalising_issues_the_pdf_in_the_same_ledger_entry(world: World) -> None:
    _, document = issued_inquiry(world)
    final = document.final
    issued = IssuedPdf.objects.get(document=document)
    pdf = stored(issued)

    assert hashlib.sha256(pdf).hexdigest() == issued.sha256 == issued.blob.sha256
    assert issued.size == len(pdf)
    assert issued.blob.media_type == "application/pdf"
    assert issued.verification_code == verification_code(document.pk, final.content_sha256)
    assert issued.issued_at == final.finalised_at
    assert issued.renderer.startswith("WeasyPrint 70")
    entry = LedgerEntry.objects.filter(case=document.case, action="document.finalise").get()
    payload = json.loads(entry.payload)
    assert payload["facts"]["pdf_sha256"] == issued.sha256
    assert payload["facts"]["verification_code"] == issued.verification_code
    tables = [record["table"] for record in payload["records"]]
    assert tables[:1] == ["cases_documentfinal"]
    assert {"evidence_blob", "documents_issuedpdf"} <= set(tables)
    assert verify(agency_codes=[world.lc.code]).findings == []


def test_the_issued_pdf_is_insert_only(world: World) -> None:
    _, document = issued_inquiry(world)
    issued = IssuedPdf.objects.get(document=document)
    issued.sha256 = "0" * 64
    with pytest.raises(InsertOnlyError):
        issued.save()


def test_the_pdf_shows_the_record_signatures_refusal_and_verification(
    world: World, pdf_tools: None
) -> None:
    case, inquiry = issued_inquiry(world)
    inspection = issued_inspection(world, case)
    inquiry_pdf = stored(IssuedPdf.objects.get(document=inquiry))
    text = pdftools.squeezed(pdftools.text(inquiry_pdf))
    for expected in (
        "栾川县统计局",
        "询问（调查）笔录",
        "栾川县统计局询问室",
        "刘某",
        "410324198503121235",
    ):
        assert pdftools.squeezed(expected) in text
    assert "张伟（执法证号：LC-001）" in text
    assert "系统登录签名" in text
    assert "屏幕手写签名" in text
    assert pdftools.image_count(inquiry_pdf) == 1  # the handwritten signature
    assert pdftools.qr_codes(inquiry_pdf) == [document_sheet(inquiry).verify_url]

    inspection_issued = IssuedPdf.objects.get(document=inspection)
    text = pdftools.squeezed(pdftools.text(stored(inspection_issued)))
    assert "刘某拒绝签名" in text
    assert "见证人：李娜" in text
    assert inspection_issued.verification_code in text


def test_the_same_record_renders_to_the_same_bytes(world: World) -> None:
    _, document = issued_inquiry(world)
    issued = IssuedPdf.objects.get(document=document)
    again = render_pdf(document_sheet(Document.objects.get(pk=document.pk)))
    assert again == stored(issued)
    assert render_pdf(document_sheet(document)) == again


def quietly(*args: str) -> str:
    """Run `casetrail render` and return what it printed."""
    out = io.StringIO()
    call_command("render", *args, stdout=out)
    return out.getvalue()


def test_render_command_writes_every_final_document_named_by_number(
    world: World, tmp_path: Path
) -> None:
    case, inquiry = issued_inquiry(world)
    from tests.procedure_world import issue

    notice = issue(
        world,
        case,
        "inspection_notice",
        {
            "unit": case.parties.get().name,
            "legal_basis": "《中华人民共和国统计法》第三十八条",
            "period_content": "2025年度统计报表及原始记录",
            "materials": "统计台账、原始记录",
            "officers": [world.zhang.pk, world.li.pk],
            "inspection_on": "2026-11-25",
            "contact": "张伟 0379-6682xxxx",
        },
    )
    log = quietly("--all", str(tmp_path / "out"))
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert f"{notice.final.number}.pdf" in written
    assert f"{case.case_number}-询问（调查）笔录-{inquiry.pk}.pdf" in written
    for document in (notice, inquiry):
        issued = IssuedPdf.objects.get(document=document)
        name = f"{document.final.number}.pdf" if document.final.number else None
        path = tmp_path / "out" / (name or f"{case.case_number}-{document.title}-{document.pk}.pdf")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == issued.sha256
    assert "与签发件逐字节相同" in log

    one = tmp_path / "one.pdf"
    quietly(str(notice.pk), str(one))
    assert one.read_bytes() == stored(IssuedPdf.objects.get(document=notice))


def test_render_command_reports_a_pdf_that_no_longer_matches(
    world: World, tmp_path: Path, settings: object
) -> None:
    """A changed public address changes the QR code: the re-render differs, exit status 1."""
    _, document = issued_inquiry(world)
    settings.CASETRAIL_PUBLIC_URL = "https://zf.example.gov.cn"  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as refused:
        quietly(str(document.pk), str(tmp_path / "x.pdf"))
    assert refused.value.returncode == 1


def test_render_command_usage_errors(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("render", "abc", str(tmp_path / "x.pdf"))
    assert refused.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("render", "999999", str(tmp_path / "x.pdf"))
