"""Reading a confidential case's document is itself recorded (Seed B art. 29; paperless's
lesson: an audit log that misses reads misses what matters)."""

from __future__ import annotations

from django.contrib.auth.models import User

from casetrail.cases.documents import Document
from casetrail.cases.models import Case, Confidentiality
from casetrail.ledger.append import append_standalone_entry
from casetrail.ledger.canonical import Json


def read_is_recorded(case: Case) -> bool:
    return case.confidentiality != Confidentiality.NONE


def do_record_pdf_read(
    *, acting_user: User, case: Case, document: Document | None = None, kind: str = ""
) -> None:
    """Ledger that *acting_user* obtained a PDF of a confidential case: a document's (final or
    draft), or a blank form of *kind* (which carries the case number and parties)."""
    facts: dict[str, Json] = {"confidentiality": case.confidentiality}
    if document is not None:
        facts.update(document=document.pk, kind=document.kind)
    else:
        facts.update(blank_form=kind)
    append_standalone_entry(
        agency=case.agency,
        action="document.read_pdf",
        actor=acting_user,
        case=case,
        facts=facts,
    )


def do_record_file_read(*, acting_user: User, case: Case, what: str, sha256: str) -> None:
    """Ledger that *acting_user* obtained a stored file of a confidential case — a signature
    image or a service proof (Seed B art. 29–30; DESIGN invariant 4)."""
    append_standalone_entry(
        agency=case.agency,
        action="file.read",
        actor=acting_user,
        case=case,
        facts={"confidentiality": case.confidentiality, "what": what, "sha256": sha256},
    )
