"""Sequencing: every action appends exactly one entry to its agency's log, in its transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

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
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
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
    if connection.vendor == "postgresql":
        _insert_with_outbox(connection, entry)
    else:
        entry.save()
        PendingEntry.objects.create(entry=entry, agency=agency)
    if getattr(settings, "CASETRAIL_INTEGRATE_ON_COMMIT", True):
        transaction.on_commit(lambda: integrate_after_commit(agency.pk))
    return entry


# The entry and its outbox row in one statement: a data-modifying CTE (PostgreSQL only).
_INSERT_WITH_OUTBOX = (
    f'WITH e AS (INSERT INTO "{LedgerEntry._meta.db_table}" '
    '("agency_id", "case_id", "action", "actor_id", "recorded_at", "payload", "leaf_hash") '
    'VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING "id") '
    f'INSERT INTO "{PendingEntry._meta.db_table}" ("entry_id", "agency_id") '
    'SELECT "id", %s FROM e RETURNING "entry_id"'
)


def _insert_with_outbox(connection: BaseDatabaseWrapper, entry: LedgerEntry) -> None:
    """Write *entry* and its `PendingEntry` in one statement and one round trip.

    The rows are those that `entry.save()` and `PendingEntry.objects.create()` write (the
    SQLite path); the ledger table only ever gets an INSERT here. The ORM's two saves cost
    more client CPU than the database spends on them (bench/README.md, "Where the time goes").
    """
    params = [
        entry.agency_id,
        entry.case_id,
        entry.action,
        entry.actor_id,
        connection.ops.adapt_datetimefield_value(entry.recorded_at),
        entry.payload,
        entry.leaf_hash,
        entry.agency_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_WITH_OUTBOX, params)
        row = cursor.fetchone()
    if row is None:  # an INSERT … VALUES always returns its row
        raise LedgerError(f"{entry.action}: the entry was not written")
    entry.pk = row[0]
    entry._state.adding = False
    entry._state.db = connection.alias


def open_log(agency: Agency) -> LogHead:
    """Create the (empty) log of a new agency; called by the action that creates it."""
    return LogHead.objects.create(agency=agency, size=0)
