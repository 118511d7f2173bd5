"""Sequencing: every action appends exactly one entry to its agency's log, in its transaction."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from casetrail import clock
from casetrail.ledger.canonical import Json, canonical_text
from casetrail.ledger.config import integrate_on_commit, ledger_hash
from casetrail.ledger.entry_tags import entry_key, entry_tag
from casetrail.ledger.integrate import integrate_after_commit
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry, LogHead
from casetrail.ledger.records import record_ref
from casetrail.ledger.subjects import CaseSubject, LogOwner

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from psycopg import Connection, Cursor


PAYLOAD_VERSION = 1

# Run after each act's entry on a case, in the act's transaction (`on_case_entry`); each gets
# back the domain's own case row, so its type is the domain's to know.
_case_listeners: list[Callable[[Any], None]] = []


class LedgerError(Exception):
    """The ledger was used outside an action's transaction."""


def actor_json(user: User | None) -> Json:
    if user is None:
        return None
    name = user.get_full_name() or user.get_username()
    return {"user_id": user.pk, "username": user.get_username(), "name": name}


def on_case_entry(listener: Callable[[Any], None]) -> None:
    """Call *listener* with the case after every act's entry on a case, inside the act's
    transaction: state derived from a case's facts (its deadline rows) then moves with the act
    that moves it, or not at all. The entry is an act's last write, so the listener reads the
    act's rows. The ledger knows no case: the domain app registers what follows (apps.py)."""
    if listener not in _case_listeners:
        _case_listeners.append(listener)


def append_entry(
    *,
    agency: LogOwner,
    action: str,
    actor: User | None,
    case: CaseSubject | None = None,
    records: Sequence[models.Model] = (),
    facts: Mapping[str, Json] | None = None,
    previous: Json = None,
) -> LedgerEntry:
    """Append the act to *agency*'s log and return the entry.

    Must run inside the action's `transaction.atomic()`: the entry commits or rolls back with
    the rows it describes, so no act escapes the ledger (DESIGN invariant 2). Writers do not
    wait for each other: the integrator (`ledger/integrate.py`) gives recorded entries their
    contiguous positions in the tree afterwards, in batches, as Tessera's sequencer does.
    The entry is the act's last write: on a case, the `on_case_entry` listeners then run.
    """
    entry = _append(agency, action, actor, case, records, facts, previous)
    if case is not None:
        for listener in _case_listeners:
            listener(case)
    return entry


def _append(
    agency: LogOwner,
    action: str,
    actor: User | None,
    case: CaseSubject | None,
    records: Sequence[models.Model],
    facts: Mapping[str, Json] | None,
    previous: Json,
) -> LedgerEntry:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise LedgerError(f"{action}: append_entry must run inside the action's transaction")
    row = _new_row(agency, action, actor, case, records, facts, previous)
    if connection.vendor == "postgresql":
        entry = _written_entry(connection.alias, _insert(connection, row), row)
    else:
        entry = LedgerEntry(id=None, **row._asdict())
        entry.save()
    if integrate_on_commit():
        transaction.on_commit(lambda: integrate_after_commit(agency.pk))
    return entry


def append_standalone_entry(
    *,
    agency: LogOwner,
    action: str,
    actor: User | None,
    case: CaseSubject | None = None,
    facts: Mapping[str, Json] | None = None,
) -> int:
    """Record an act whose only row is its ledger entry; return the entry's id.

    Such acts are reads of protected material (DESIGN invariant 4; 统计执法监督检查办法 第29–30条),
    by far the most frequent acts. Outside a transaction on PostgreSQL the entry is written by
    one autocommit statement: the act costs one round trip, like a plain INSERT, instead of
    BEGIN, the statement and COMMIT. Inside a transaction, and on SQLite, it is `append_entry`
    in an `atomic()` block, so the entry commits with whatever the caller writes.
    """
    connection = transaction.get_connection()
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not connection.get_autocommit()
    ):
        with transaction.atomic():  # a read: it moves no derived state, so no listener runs
            entry = _append(agency, action, actor, case, (), facts, None)
        return entry.pk
    row = _new_row(agency, action, actor, case, (), facts, None)
    entry_id = _insert(connection, row)  # committed when it returns
    if integrate_on_commit():
        integrate_after_commit(agency.pk)
    return entry_id


class _Row(NamedTuple):
    """The columns of a new `LedgerEntry`."""

    agency_id: int
    case_id: int | None
    action: str
    actor_id: int | None
    recorded_at: datetime
    payload: str
    leaf_hash: str
    tag: str


def _new_row(
    agency: LogOwner,
    action: str,
    actor: User | None,
    case: CaseSubject | None,
    records: Sequence[models.Model],
    facts: Mapping[str, Json] | None,
    previous: Json,
) -> _Row:
    """The entry of an act: its canonical JSON payload, RFC 9162 leaf hash and tag."""
    recorded_at = clock.now()
    agency_id = agency.pk
    case_id = case.pk if case is not None else None
    payload: Json = {
        "v": PAYLOAD_VERSION,
        "agency": agency_id,
        "action": action,
        "actor": actor_json(actor),
        "at": recorded_at.isoformat(),
        "case": case_id,
        "case_number": case.case_number if case is not None else None,
        "facts": facts if type(facts) is dict else dict(facts or {}),
        "records": [record_ref(row) for row in records],
        "previous": previous,
    }
    text = canonical_text(payload)
    h = ledger_hash()
    leaf = leaf_hash(text.encode("utf-8"), h)
    return _Row(
        agency_id,
        case_id,
        action,
        actor.pk if actor is not None else None,
        recorded_at,
        text,
        leaf.hex(),
        entry_tag(leaf, entry_key(), h),
    )


def _written_entry(alias: str, pk: int, row: _Row) -> LedgerEntry:
    """The `LedgerEntry` of *row*, written with id *pk*, made as Django makes the rows it reads.

    The keyword constructor resolves every name and sets each relation through its descriptor:
    it costs an act more client CPU than the INSERT itself (bench/README.md).
    """
    columns = {"id": pk, **row._asdict()}
    names = _entry_attnames()
    return LedgerEntry.from_db(alias, names, [columns[name] for name in names])


@functools.cache
def _entry_attnames() -> tuple[str, ...]:
    return tuple(field.attname for field in LedgerEntry._meta.concrete_fields)


_INSERT = (
    f'INSERT INTO "{LedgerEntry._meta.db_table}" '
    '("agency_id", "case_id", "action", "actor_id", "recorded_at", "payload", "leaf_hash", "tag") '
    'VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING "id"'
)


def _insert(connection: BaseDatabaseWrapper, row: _Row) -> int:
    """Write the entry *row* (PostgreSQL); return its id. The database adds its `txid`.

    The row is the one `entry.save()` writes (the SQLite path); the ledger table only ever gets
    an INSERT here. The ORM's save costs more client CPU than the database spends on it, and so
    does Django's cursor wrapper: the statement goes straight to the psycopg connection, in
    whatever transaction Django has open on it, with Django's error translation but without
    its query log and execute wrappers (bench/README.md, "Where the time goes") — unless
    something watches the queries, then through Django's cursor.
    """
    raw = connection.connection
    if raw is None or connection.queries_logged or connection.execute_wrappers:
        # Not connected yet, or someone watches the queries (DEBUG, assertNumQueries, an
        # execute wrapper): take Django's cursor, so the ledger's INSERT is seen as on SQLite.
        with connection.cursor() as cursor:
            cursor.execute(_INSERT, row)
            written = cursor.fetchone()
    else:
        try:
            written = _cursor(connection, raw).execute(_INSERT, row, prepare=True).fetchone()
        except Exception:
            with connection.wrap_database_errors:  # psycopg's errors become Django's
                raise
    if written is None:  # an INSERT … VALUES always returns its row
        raise LedgerError(f"{row.action}: the entry was not written")
    return int(written[0])


# One psycopg cursor per Django connection, kept between appends: making a cursor costs about
# as much client CPU as the INSERT's own parameters (bench/README.md, "Where the time goes").
_CURSORS: weakref.WeakKeyDictionary[BaseDatabaseWrapper, Cursor[tuple[Any, ...]]] = (
    weakref.WeakKeyDictionary()
)


def _cursor(connection: BaseDatabaseWrapper, raw: Connection[Any]) -> Cursor[tuple[Any, ...]]:
    """The kept psycopg cursor of *connection* (whose psycopg connection is *raw*), made anew
    when Django has reconnected."""
    cursor = _CURSORS.get(connection)
    if cursor is None or cursor.closed or cursor.connection is not raw:
        cursor = _CURSORS[connection] = raw.cursor()
    return cursor


def open_log(agency: LogOwner) -> LogHead:
    """Create the (empty) log of a new agency; called by the action that creates it."""
    return LogHead.objects.create(agency_id=agency.pk, size=0)
