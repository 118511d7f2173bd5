"""Acts that concern the whole deployment, not one agency: accounts and the calendar.

The ledger is one log per agency, so such an act appends one entry to *each* agency's log, each
committing to the same rows (as a backup run does). Rows written before any agency exists are
committed by the first `agency.create` entry, which records every account and calendar year
it starts from (`do_create_agency`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib.auth.models import User
from django.db import models

from casetrail.cases.models import Agency
from casetrail.ledger.append import append_entry
from casetrail.ledger.canonical import Json


def append_to_every_log(
    *,
    action: str,
    actor: User | None,
    records: Sequence[models.Model],
    facts: Mapping[str, Json],
    previous: Json = None,
) -> None:
    """Append the act to every agency's log; must run inside the act's transaction."""
    for agency in Agency.objects.order_by("pk"):
        append_entry(
            agency=agency,
            action=action,
            actor=actor,
            records=records,
            facts=facts,
            previous=previous,
        )
