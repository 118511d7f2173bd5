"""Reading a confidential case's material is itself recorded (Seed B art. 29–30; DESIGN
invariant 4; paperless's lesson: an audit log that misses reads misses what matters).

The one caller is the read middleware (`casetrail.web.reads`), which decides by URL name which
responses are reads; views do not ledger their own reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User

from casetrail.cases.models import Case, Confidentiality
from casetrail.ledger.append import append_standalone_entry
from casetrail.ledger.canonical import Json

# The ledger actions of a read: a page of the case, a PDF, a stored file, an export.
READ_ACTIONS = frozenset({"case.view_protected", "document.read_pdf", "file.read", "case.export"})


def read_is_recorded(case: Case) -> bool:
    return case.confidentiality != Confidentiality.NONE


def do_record_read(*, acting_user: User, case: Case, action: str, facts: Mapping[str, Json]) -> int:
    """Ledger that *acting_user* was shown or given material of the confidential *case*;
    returns the entry's id. *facts* say what: the page or file, and the SHA-256 of the bytes."""
    if action not in READ_ACTIONS:
        raise ValueError(f"not a read action: {action!r}")
    return append_standalone_entry(
        agency=case.agency,
        action=action,
        actor=acting_user,
        case=case,
        facts={"confidentiality": case.confidentiality, **facts},
    )
