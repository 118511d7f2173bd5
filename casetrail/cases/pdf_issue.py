"""Issuance: the archive PDF of a document, rendered when it is finalised, stored and recorded.

Called by `do_finalise_document` inside its transaction, after the `DocumentFinal` row is
written (the 文号 and the final hash are known) and before its ledger entry, which then lists
the PDF's rows among its records and its SHA-256 and verification code among its facts.
The domain does the issuing; the documents app below it renders (`casetrail.documents.render`).
"""

from __future__ import annotations

import io

from django.db import models

from casetrail.cases.actions.files import blob_for
from casetrail.cases.document_sheets import document_sheet
from casetrail.cases.documents import Document, DocumentFinal
from casetrail.documents.models import IssuedPdf
from casetrail.documents.render import render_pdf, renderer_version
from casetrail.evidence.ingest import ingest_stream
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import primary_store

MAX_PDF_BYTES = 64 * 1024 * 1024


def store_pdf(pdf: bytes, filename: str) -> tuple[Blob, bool]:
    """The blob holding *pdf* (stored once by content), and whether its row is new.

    The file is written before the transaction commits; if it then rolls back, the file stays
    in the store unregistered, which is harmless (content-addressed, never served).
    """
    ingested = ingest_stream(io.BytesIO(pdf), filename, primary_store(), max_size=MAX_PDF_BYTES)
    return blob_for(ingested)


def issue_pdf(*, document: Document, final: DocumentFinal) -> tuple[IssuedPdf, list[models.Model]]:
    """Render, store and register the archive PDF of a document being finalised; returns the
    row and the rows the finalisation's ledger entry must record."""
    sheet = document_sheet(document, final=final)
    pdf = render_pdf(sheet)
    blob, created = store_pdf(pdf, f"document-{document.pk}.pdf")
    issued = IssuedPdf(
        document=document,
        blob=blob,
        sha256=blob.sha256,
        size=len(pdf),
        verification_code=sheet.code,
        issued_at=final.finalised_at,
        renderer=renderer_version(),
    )
    issued.save()
    return issued, [blob, issued] if created else [issued]
