"""Integration: recorded entries get contiguous positions in their agency's Merkle tree.

One integrator at a time per agency (it locks the log head); writers never wait for it. The
stored hashes of complete subtrees are written with the leaves, so any tree head or proof
costs O(log n) reads (`ledger/tree.py`).

Which entries wait: those with no leaf whose sequence key is at or above the log head's
`floor`. Writers write nothing but the entry, so the integrator must never move the floor
past an entry that is still to commit:

- On PostgreSQL the key is `txid`, the id of the transaction that wrote the entry (the column's
  default). Before it reads, the integrator takes the `xmin` of a fresh snapshot: every
  transaction below it has ended, so every entry below it that will ever exist is visible to
  the read that follows, and is placed by it. The floor moves up to that `xmin`, never past
  it, and never past the last entry taken when a batch was cut short. A transaction that runs
  long holds the floor back (its entries are read again and skipped, as placed); it never
  loses an entry. This is the sequencing of Tessera and of transactional outboxes ordered by
  transaction id, without an outbox table: an act writes one row, not two.
- On SQLite writers take turns (one write transaction at a time), so ids commit in order; the
  key is the id and the floor follows the last entry placed.

Only entries the application wrote are placed: each must carry the tag its key makes
(`ledger/entry_tags.py`). An entry with a wrong or missing tag was written behind the
application's back (by someone with access to the tables, not to the key); it is refused —
logged as an error naming it, never placed, and passed like a placed one, so it is not read
again — and `casetrail verify` reports it (`entry_forged`).

On PostgreSQL one integration is four statements (`_integrate_postgresql`), the batch's leaves,
hashes and new head written by one (`INSERT … SELECT FROM unnest` in data-modifying WITH
clauses): building and sending thousands of model instances and parameters cost far more than
the database's work, and an act pays each statement after its commit (bench/README.md).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import DatabaseError, connection, transaction

from casetrail.ledger import tree
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.entry_tags import entry_key, tag_is_valid
from casetrail.ledger.merkle import HashFn
from casetrail.ledger.models import LedgerEntry, LedgerHash, LedgerLeaf, LogHead

log = logging.getLogger(__name__)

BATCH = 5000
LEAF_HASH_SIZE = 32  # SHA-256 and SM3 alike

_ENTRY, _LEAF, _HASH = LedgerEntry._meta, LedgerLeaf._meta, LedgerHash._meta
_READ_HASHES = (
    f'SELECT "position", "value" FROM "{_HASH.db_table}" '
    'WHERE "agency_id" = %s AND "position" = ANY(%s::bigint[])'
)
_INSERT_LEAVES = (
    f'INSERT INTO "{_LEAF.db_table}" ("agency_id", "index", "entry_id") '
    "SELECT %s, %s::bigint + t.n - 1, t.entry_id "
    "FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(entry_id, n)"
)
_INSERT_HASHES = (
    f'INSERT INTO "{_HASH.db_table}" ("agency_id", "position", "value") '
    "SELECT %s, %s::bigint + t.n - 1, t.value "
    "FROM unnest(%s::bytea[]) WITH ORDINALITY AS t(value, n)"
)
_HEAD = LogHead._meta
# The xmin of this statement's snapshot, taken before the row lock is (maybe waited for and)
# granted: every transaction below it had ended by then, so every entry they wrote is visible
# to the next statement's snapshot. An xmin from before a wait is only lower: safe.
_LOCK_HEAD = (
    f'SELECT "size", "floor", pg_snapshot_xmin(pg_current_snapshot())::text::bigint '
    f'FROM "{_HEAD.db_table}" WHERE "agency_id" = %s FOR UPDATE'
)
_LOCK_HEAD_SKIP = _LOCK_HEAD + " SKIP LOCKED"
_MOVE_FLOOR = f'UPDATE "{_HEAD.db_table}" SET "floor" = %s WHERE "agency_id" = %s'
# Data-modifying WITH clauses run exactly once, whether or not the UPDATE reads them.
_WRITE_BATCH = (
    f"WITH leaves AS ({_INSERT_LEAVES}), hashes AS ({_INSERT_HASHES}) "
    f'UPDATE "{_HEAD.db_table}" SET "size" = %s, "floor" = %s WHERE "agency_id" = %s'
)
_WAITING = (
    f'SELECT e."id", e."leaf_hash", e."txid", e."tag" FROM "{_ENTRY.db_table}" e '
    'WHERE e."agency_id" = %s AND e."txid" >= %s '
    f'AND NOT EXISTS (SELECT 1 FROM "{_LEAF.db_table}" l WHERE l."entry_id" = e."id") '
    'ORDER BY e."txid", e."id" LIMIT %s'
)


class DbHashStore:
    """The stored hashes of one agency's tree, read from `LedgerHash` (a `tree.HashReader`)."""

    def __init__(self, agency_id: int) -> None:
        self.agency_id = agency_id

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        wanted = list(indexes)
        if not wanted:
            return []
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_READ_HASHES, [self.agency_id, wanted])
                rows = dict(cursor.fetchall())
        else:
            rows = dict(
                LedgerHash.objects.filter(
                    agency_id=self.agency_id, position__in=wanted
                ).values_list("position", "value")
            )
        missing = [i for i in wanted if i not in rows]
        if missing:
            raise LookupError(f"agency {self.agency_id}: no stored hash at {missing[:5]}")
        return [bytes(rows[i]) for i in wanted]

    def size(self) -> int:
        return LogHead.objects.get(agency_id=self.agency_id).size


def integrate(agency_id: int, *, batch: int = BATCH, wait: bool = True) -> int:
    """Integrate up to *batch* recorded entries of the agency; returns how many were placed.

    With *wait* false it places nothing when another integrator holds the log head (or the
    agency has none) instead of waiting for it, and writes nothing when it finds nothing to
    place (`integrate_after_commit`).
    """
    if connection.vendor == "postgresql":
        return _integrate_postgresql(agency_id, batch, wait)
    return _integrate_sqlite(agency_id, batch, wait)


def _integrate_postgresql(agency_id: int, batch: int, wait: bool) -> int:
    """One transaction of four statements: lock the log head (and take the snapshot's xmin),
    read the waiting entries, read the stored hashes the new ones hang from, then write the
    leaves, the hashes and the new head in one statement. An act runs this after its commit,
    so every statement the ORM would add shows in each act's cost (bench/README.md)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK_HEAD if wait else _LOCK_HEAD_SKIP, [agency_id])
        locked = cursor.fetchone()
        if locked is None:
            if wait:
                raise LogHead.DoesNotExist(f"agency {agency_id} has no log head")
            return 0
        size, old_floor, xmin = (int(value) for value in locked)
        cursor.execute(_WAITING, [agency_id, old_floor, batch])
        rows = cursor.fetchall()
        floor = xmin
        if len(rows) == batch:  # cut short: entries of the last transaction taken may remain
            floor = min(floor, int(rows[-1][2]))
        floor = max(old_floor, floor)
        entry_ids, hashes = _tagged(agency_id, [(e, value, tag) for e, value, _, tag in rows])
        if not entry_ids:
            # Moving the floor alone only narrows the next read; an act's integration that
            # found nothing leaves that to the worker rather than pay a commit for it. Past
            # refused entries it moves in any case, so they are not read again.
            if (wait or rows) and floor != old_floor:
                cursor.execute(_MOVE_FLOOR, [floor, agency_id])
            return 0
        stored = tree.append_leaves(size, hashes, DbHashStore(agency_id), ledger_hash())
        cursor.execute(
            _WRITE_BATCH,
            [
                agency_id,
                size,
                entry_ids,
                agency_id,
                tree.stored_hash_count(size),
                stored,
                size + len(entry_ids),
                floor,
                agency_id,
            ],
        )
    return len(entry_ids)


def _integrate_sqlite(agency_id: int, batch: int, wait: bool) -> int:
    """The same through the ORM. SQLite transactions take the write lock at BEGIN (IMMEDIATE,
    settings.py), so integrators and writers take turns and there is no row lock to skip:
    *wait* changes only whether the floor moves alone."""
    with transaction.atomic():
        head = LogHead.objects.get(agency_id=agency_id)
        rows, floor = _waiting_sqlite(head, batch)
        entry_ids, hashes = _tagged(agency_id, rows)
        if not entry_ids:
            if (wait or rows) and floor != head.floor:
                head.floor = floor
                head.save(update_fields=["floor"])
            return 0
        stored = tree.append_leaves(head.size, hashes, DbHashStore(agency_id), ledger_hash())
        first_position = tree.stored_hash_count(head.size)
        LedgerLeaf.objects.bulk_create(
            LedgerLeaf(agency_id=agency_id, index=head.size + offset, entry_id=entry_id)
            for offset, entry_id in enumerate(entry_ids)
        )
        LedgerHash.objects.bulk_create(
            LedgerHash(agency_id=agency_id, position=first_position + offset, value=value)
            for offset, value in enumerate(stored)
        )
        head.size += len(entry_ids)
        head.floor = floor
        head.save(update_fields=["size", "floor"])
    return len(entry_ids)


def _waiting_sqlite(head: LogHead, batch: int) -> tuple[list[tuple[int, str, str]], int]:
    """Entries at no leaf from the floor up, by id (ids commit in order on SQLite), as
    (id, leaf hash, tag); and the floor past them."""
    rows = list(
        LedgerEntry.objects.filter(agency_id=head.agency_id, pk__gte=head.floor, leaf__isnull=True)
        .order_by("pk")
        .values_list("pk", "leaf_hash", "tag")[:batch]
    )
    floor = rows[-1][0] + 1 if rows else head.floor
    return rows, floor


def _tagged(agency_id: int, rows: Sequence[tuple[int, str, str]]) -> tuple[list[int], list[bytes]]:
    """The ids and leaf hashes of those (id, leaf hash, tag) *rows* whose tag the entry key
    made; the others are refused, each logged as an error."""
    if not rows:
        return [], []
    key, h = entry_key(), ledger_hash()
    entry_ids: list[int] = []
    hashes: list[bytes] = []
    for entry_id, value, tag in rows:
        leaf = _leaf_if_tagged(value, tag, key, h)
        if leaf is None:
            log.error(
                "agency %s: entry %s refused: its tag is not the entry key's (written without "
                "the application's key: forged); it is not integrated",
                agency_id,
                entry_id,
            )
            continue
        entry_ids.append(int(entry_id))
        hashes.append(leaf)
    return entry_ids, hashes


def _leaf_if_tagged(value: str, tag: str, key: bytes, h: HashFn) -> bytes | None:
    try:
        leaf = bytes.fromhex(value)
    except ValueError:
        return None
    return leaf if len(leaf) == LEAF_HASH_SIZE and tag_is_valid(tag, leaf, key, h) else None


def forged_leaf_entries(agency_id: int, start: int, stop: int) -> list[int]:
    """The entries at leaves start..stop-1 of the agency whose tag the entry key did not make:
    placed past the integrator, by someone who wrote the leaves by hand. The publisher signs
    no tree that holds one (`checkpoints.publish`)."""
    key, h = entry_key(), ledger_hash()
    rows = (
        LedgerLeaf.objects.filter(agency_id=agency_id, index__gte=start, index__lt=stop)
        .order_by("index")
        .values_list("entry_id", "entry__leaf_hash", "entry__tag")
    )
    return [
        entry_id for entry_id, value, tag in rows if _leaf_if_tagged(value, tag, key, h) is None
    ]


def waiting_entry_ids(agency_id: int, entry_ids: Sequence[int]) -> set[int]:
    """Those of *entry_ids* (entries of the agency at no leaf) that are at or above the floor:
    waiting to be integrated. One below it was passed by the integrator, so its leaf was cut.
    """
    wanted = list(entry_ids)
    if not wanted:
        return set()
    # No log head is reported by itself (`log_head_missing`); then nothing was passed.
    floor = LogHead.objects.filter(agency_id=agency_id).values_list("floor", flat=True).first() or 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "id" FROM "{_ENTRY.db_table}" '
                'WHERE "id" = ANY(%s::bigint[]) AND "txid" >= %s',
                [wanted, floor],
            )
            return {int(entry_id) for (entry_id,) in cursor.fetchall()}
    return {entry_id for entry_id in wanted if entry_id >= floor}


def integrate_all(agency_id: int, *, wait: bool = True) -> int:
    """Integrate the entries pending when called, batch by batch; returns how many were placed.

    It stops after the first batch that is not full, which took every entry committed by then
    (a batch with refused entries places fewer: the rest waits for the next call).
    Entries committed meanwhile wait for the next call (the worker's next round, the next
    act's `integrate_after_commit`): chasing a steady stream of writers one or two entries at
    a time would never return and cost more than the writers themselves.
    """
    total = 0
    while True:
        placed = integrate(agency_id, batch=BATCH, wait=wait)
        total += placed
        if placed < BATCH:
            return total


def integrate_after_commit(agency_id: int) -> None:
    """Run right after an act commits, so a person's act shows its position at once.

    It never waits for another integrator: when one holds the log head (concurrent acts, the
    worker), the entry is placed by the next integration instead — the next act's, or the
    worker's next round. Waiting would line up every writer of an agency behind one lock after
    its own commit. A failure here loses nothing either: the entry stays at no leaf, above the
    floor, for the worker.
    """
    try:
        integrate_all(agency_id, wait=False)
    except DatabaseError:
        log.warning("integration of agency %s deferred to the worker", agency_id, exc_info=True)
