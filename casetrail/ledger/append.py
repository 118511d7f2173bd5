"""Sequencing: every action appends exactly one entry to its agency's log, in its transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction

from casetrail import clock
from casetrail.ledger.canonical import Json, canonical_json
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.integrate import integrate_after_commit
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry, LogHead, PendingEntry
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
    the rows it describes, so no act escapes the ledger (DESIGN invariant 2). Writers do not
    wait for each other: the integrator (`ledger/integrate.py`) gives recorded entries their
    contiguous positions in the tree afterwards, in batches, as Tessera's sequencer does.
    """
    if not transaction.get_connection().in_atomic_block:
        raise LedgerError(f"{action}: append_entry must run inside the action's transaction")
    recorded_at = clock.now()
    payload: Json = {
        "v": PAYLOAD_VERSION,
        "agency": agency.pk,
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
        case=case,
        action=action,
        actor=actor,
        recorded_at=recorded_at,
        payload=data.decode("utf-8"),
        leaf_hash=leaf_hash(data, ledger_hash()).hex(),
    )
    entry.save()
    PendingEntry.objects.create(entry=entry, agency=agency)
    if getattr(settings, "CASETRAIL_INTEGRATE_ON_COMMIT", True):
        transaction.on_commit(lambda: integrate_after_commit(agency.pk))
    return entry


def open_log(agency: Agency) -> LogHead:
    """Create the (empty) log of a new agency; called by the action that creates it."""
    return LogHead.objects.create(agency=agency, size=0)
