"""Reads of evidence: a case's labels and recordings, late ones, ingest tokens.

The deadline list (`deadlines()`, re-exported here) reads the `Obligation` rows
(`casetrail.cases.deadline_list`); a late recording is one of its rows.
"""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from casetrail.cases.deadline_list import MISSED, STATUS_LABELS, Deadline, Status, deadlines
from casetrail.cases.models import Agency, Case
from casetrail.evidence.models import IngestToken, Recording

__all__ = ["MISSED", "STATUS_LABELS", "Deadline", "Status", "deadlines"]
LABEL_PARTY_LENGTH = 300  # Recording.label_party
LABEL_HANDLER_LENGTH = 200  # Recording.label_handler


def agency_by_key(key: str) -> Agency | None:
    """The agency with this code (``luanchuan-tjj``) or short name (``栾统``)."""
    return Agency.objects.filter(code=key).first() or Agency.objects.filter(short_name=key).first()


def _join_names(names: list[str], limit: int) -> str:
    """Names joined with 、; cut to ``limit`` characters as "甲、乙等5名" if need be."""
    joined = "、".join(names)
    if len(joined) <= limit:
        return joined
    kept: list[str] = []
    for name in names:
        candidate = "、".join([*kept, name]) + f"等{len(names)}名"
        if len(candidate) > limit:
            break
        kept.append(name)
    return "、".join(kept) + f"等{len(names)}名"


def case_labels(case: Case) -> dict[str, str]:
    """The labels of Seed A art. 14, from the case as it stands (corrected parties count)."""
    parties = list(case.parties.order_by("pk"))
    superseded = {p.supersedes_id for p in parties if p.supersedes_id is not None}
    current = [p.name for p in parties if p.pk not in superseded]
    handlers = [h.officer_name for h in case.handlers.order_by("pk")]
    return {
        "case_number": case.case_number,
        "party_name": _join_names(current, LABEL_PARTY_LENGTH),
        "handler_name": _join_names(handlers, LABEL_HANDLER_LENGTH),
    }


def case_recordings(case: Case) -> QuerySet[Recording]:
    """The recordings of *case* in the order they were made, with their files."""
    return case.recordings.select_related("blob").order_by("recorded_start_at", "pk")


def late_recordings(agency: Agency | None = None) -> QuerySet[Recording]:
    """Recordings stored after their deadline (each carries its reason)."""
    late = Recording.objects.filter(late=True).select_related("blob", "case__agency")
    if agency is not None:
        late = late.filter(case__agency=agency)
    return late.order_by("storage_due_on", "pk")


def token_digest(token: str) -> str:
    """What is kept of a token: its SHA-256 (a 256-bit random secret needs no slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_ingest_token(presented: str) -> IngestToken | None:
    """The un-revoked token whose SHA-256 matches *presented*, with its station and agency."""
    if not presented:
        return None
    return (
        IngestToken.objects.filter(token_sha256=token_digest(presented), revoked_at__isnull=True)
        .select_related("officer__user", "agency")
        .first()
    )
