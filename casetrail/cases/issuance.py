"""The archive copy a document gets when it is finalised: the PDF app registers who makes it.

Finalising (`do_finalise_document`) is a domain act; rendering and storing the PDF is the
documents app's craft, which builds on the case's documents. So the domain does not import
it: `casetrail.documents` registers its issuer here when the app is ready, and finalising
calls it inside its transaction, before its ledger entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from casetrail.cases.documents import Document, DocumentFinal


class Issued(NamedTuple):
    """What the finalisation's ledger entry records of the archive copy."""

    sha256: str
    verification_code: str
    records: list[Any]
    """The rows the copy added (the PDF's blob when new, its issuance row)."""


Issuer = Callable[["Document", "DocumentFinal"], Issued]
_issuers: list[Issuer] = []


def register_issuer(issuer: Issuer) -> None:
    """Make *issuer* the maker of archive copies (the documents app calls this once)."""
    _issuers[:] = [issuer]


def issue_archive_copy(document: Document, final: DocumentFinal) -> Issued:
    """The archive copy of *document*, made by the registered issuer."""
    if not _issuers:
        raise LookupError("no archive-copy issuer registered: is casetrail.documents installed?")
    return _issuers[0](document, final)
