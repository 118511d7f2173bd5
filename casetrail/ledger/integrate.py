"""Integration: recorded entries get contiguous positions in their agency's Merkle tree.

One integrator at a time per agency (it locks the log head); writers never wait for it. The
stored hashes of complete subtrees are written with the leaves, so any tree head or proof
costs O(log n) reads (`ledger/tree.py`).

On PostgreSQL a batch is written with one statement per table (`INSERT … SELECT FROM unnest`)
and its outbox rows removed with one `DELETE … = ANY`: building and sending thousands of model
instances and parameters cost far more than the database's work (bench/README.md).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import DatabaseError, connection, transaction

from casetrail.ledger import tree
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.models import LedgerHash, LedgerLeaf, LogHead, PendingEntry

log = logging.getLogger(__name__)

BATCH = 5000

_LEAF, _HASH, _PENDING = LedgerLeaf._meta, LedgerHash._meta, PendingEntry._meta
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
_DELETE_PENDING = f'DELETE FROM "{_PENDING.db_table}" WHERE "entry_id" = ANY(%s::bigint[])'


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


def integrate(agency_id: int, *, batch: int = BATCH) -> int:
    """Integrate up to *batch* recorded entries of the agency; returns how many were placed."""
    with transaction.atomic():
        head = LogHead.objects.select_for_update().get(agency_id=agency_id)
        pending = list(
            PendingEntry.objects.filter(agency_id=agency_id)
            .order_by("entry_id")
            .values_list("entry_id", "entry__leaf_hash")[:batch]
        )
        if not pending:
            return 0
        entry_ids = [entry_id for entry_id, _ in pending]
        hashes = [bytes.fromhex(leaf_hash) for _, leaf_hash in pending]
        stored = tree.append_leaves(head.size, hashes, DbHashStore(agency_id), ledger_hash())
        first_position = tree.stored_hash_count(head.size)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_INSERT_LEAVES, [agency_id, head.size, entry_ids])
                cursor.execute(_INSERT_HASHES, [agency_id, first_position, stored])
                # The outbox is a queue, not history: its rows go once their entries are placed.
                cursor.execute(_DELETE_PENDING, [entry_ids])
        else:
            LedgerLeaf.objects.bulk_create(
                LedgerLeaf(agency_id=agency_id, index=head.size + offset, entry_id=entry_id)
                for offset, entry_id in enumerate(entry_ids)
            )
            LedgerHash.objects.bulk_create(
                LedgerHash(agency_id=agency_id, position=first_position + offset, value=value)
                for offset, value in enumerate(stored)
            )
            PendingEntry.objects.filter(entry_id__in=entry_ids).delete()
        head.size += len(pending)
        head.save(update_fields=["size"])
    return len(pending)


def integrate_all(agency_id: int) -> int:
    """Integrate the entries pending when called, batch by batch; returns how many were placed.

    It stops after the first batch that is not full, which took every entry committed by then.
    Entries committed meanwhile wait for the next call (the worker's next round, the next
    act's `integrate_after_commit`): chasing a steady stream of writers one or two entries at
    a time would never return and cost more than the writers themselves.
    """
    total = 0
    while True:
        placed = integrate(agency_id, batch=BATCH)
        total += placed
        if placed < BATCH:
            return total


def integrate_after_commit(agency_id: int) -> None:
    """Run right after an act commits, so a person's act shows its position at once.

    A failure here loses nothing: the entry stays in the outbox for the worker.
    """
    try:
        integrate_all(agency_id)
    except DatabaseError:
        log.warning("integration of agency %s deferred to the worker", agency_id, exc_info=True)
