"""What the public verification page may say about a code: selectors, no writes.

For a document of a confidential case (`Case.confidentiality` other than "none") only the
verdict is given (genuine or unknown) and whether an uploaded file is the issued one; for any
other document also what is printed on it anyway (kind, 文号, agency, date) and its proof: the
PDF's SHA-256, the ledger entry that recorded it (by position) and the inclusion proof against
the latest signed checkpoint. Never the entry's payload or a field of the document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from casetrail.cases.models import Confidentiality
from casetrail.documents.codes import normalise
from casetrail.documents.formatting import CHINA, chinese_date
from casetrail.documents.models import IssuedPdf
from casetrail.ledger import proofs
from casetrail.ledger.models import LedgerEntry, LedgerLeaf
from casetrail.ledger.selectors import agency_log

MAX_UPLOAD_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Public:
    """What is shown of a non-confidential document."""

    title: str
    number: str
    agency: str
    agency_code: str
    issued_on: str
    sha256: str
    size: int
    superseded_by: str  # the correcting document's 文号 or title, if corrected
    origin: str
    index: int | None  # position in the agency's log, once integrated
    proof: dict[str, Any] | None  # inclusion proof against the latest checkpoint, once covered


def find_issued(typed: str) -> IssuedPdf | None:
    code = normalise(typed)
    if code is None:
        return None
    return (
        IssuedPdf.objects.select_related("document__case__agency", "document__final")
        .filter(verification_code=code)
        .first()
    )


def is_confidential(issued: IssuedPdf) -> bool:
    return issued.document.case.confidentiality != Confidentiality.NONE


def issuance_leaf(issued: IssuedPdf) -> LedgerLeaf | None:
    """The leaf of the `document.finalise` entry that recorded this PDF, once integrated."""
    case = issued.document.case
    entry = (
        LedgerEntry.objects.filter(
            agency_id=case.agency_id,
            case_id=case.pk,
            action="document.finalise",
            payload__contains=f'"pdf_sha256":"{issued.sha256}"',
        )
        .order_by("pk")
        .first()
    )
    if entry is None:
        return None
    return LedgerLeaf.objects.filter(entry=entry).first()


def _correction(issued: IssuedPdf) -> str:
    newer = issued.document.superseded_by.select_related("final").order_by("pk").last()
    if newer is None:
        return ""
    final = getattr(newer, "final", None)
    return final.number if final is not None and final.number else newer.title


def public_view(issued: IssuedPdf) -> Public:
    document = issued.document
    agency = document.case.agency
    log = agency_log(agency)
    leaf = issuance_leaf(issued)
    proof = None
    if leaf is not None:
        try:
            proof = proofs.inclusion(log, leaf.index)
        except proofs.ProofRequestError:
            proof = None  # not yet covered by a signed checkpoint
    return Public(
        title=document.title,
        number=document.final.number,
        agency=agency.name,
        agency_code=agency.code,
        issued_on=chinese_date(issued.issued_at.astimezone(CHINA).date()),
        sha256=issued.sha256,
        size=issued.size,
        superseded_by=_correction(issued),
        origin=log.origin,
        index=leaf.index if leaf is not None else None,
        proof=proof,
    )


class UploadTooLarge(ValueError):
    pass


def sha256_of(stream: IO[bytes]) -> str:
    digest, total = hashlib.sha256(), 0
    while chunk := stream.read(1024 * 1024):
        total += len(chunk)
        if total > MAX_UPLOAD_BYTES:
            raise UploadTooLarge(f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        digest.update(chunk)
    return digest.hexdigest()
