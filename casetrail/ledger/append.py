"""Sequencing: every action appends exactly one entry to its agency's log, in its transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.db import models, transaction

from casetrail import clock
from casetrail.ledger.canonical import Json, canonical_json
from casetrail.ledger.models import LedgerEntry, LogHead
from casetrail.ledger.records import record_ref

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from casetrail.cases.models import Agency, Case

PAYLOAD_VERSION = 1


class LedgerError(Exception):
    """The ledger was used outside an action's transaction."""


def actor_json(user: User | None) -> Json:
    if user is None:
        return None
    name = user.get_full_name() or user.get_username()
    return {"user_id": user.pk, "username": user.get_username(), "name": name}


def append_entry(
    *,
    agency: Agency,
    action: str,
    actor: User | None,
    case: Case | None = None,
    records: Sequence[models.Model] = (),
    facts: Mapping[str, Json] | None = None,
    previous: Json = None,
) -> LedgerEntry:
    """Append the act to *agency*'s log and return the entry.

    Must run inside the action's `transaction.atomic()`: the entry commits or rolls back with
    the rows it describes, so no act escapes the ledger (DESIGN invariant 2). The log head row
    is locked, so indexes are contiguous and the log never forks under concurrent writers.
    """
    if not transaction.get_connection().in_atomic_block:
        raise LedgerError(f"{action}: append_entry must run inside the action's transaction")
    head = LogHead.objects.select_for_update().get(agency=agency)
    recorded_at = clock.now()
    payload: Json = {
        "v": PAYLOAD_VERSION,
        "agency": agency.pk,
        "index": head.size,
        "action": action,
        "actor": actor_json(actor),
        "at": recorded_at.isoformat(),
        "case": case.pk if case is not None else None,
        "case_number": case.case_number if case is not None else None,
        "facts": dict(facts or {}),
        "records": [record_ref(row) for row in records],
        "previous": previous,
    }
    data = canonical_json(payload)
    entry = LedgerEntry(
        agency=agency,
        index=head.size,
        case=case,
        action=action,
        actor=actor,
        recorded_at=recorded_at,
        payload=data.decode("utf-8"),
        leaf_hash=hashlib.sha256(b"\x00" + data).hexdigest(),
    )
    entry.save()
    head.size += 1
    head.save(update_fields=["size"])
    return entry


def open_log(agency: Agency) -> LogHead:
    """Create the (empty) log of a new agency; called by the action that creates it."""
    return LogHead.objects.create(agency=agency, size=0)
