"""Integration: recorded entries get contiguous positions in their agency's Merkle tree.

One integrator at a time per agency (it locks the log head); writers never wait for it. The
stored hashes of complete subtrees are written with the leaves, so any tree head or proof
costs O(log n) reads (`ledger/tree.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import DatabaseError, transaction

from casetrail.ledger import tree
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.models import LedgerEntry, LedgerHash, LedgerLeaf, LogHead, PendingEntry

log = logging.getLogger(__name__)

BATCH = 5000


class DbHashStore:
    """The stored hashes of one agency's tree, read from `LedgerHash` (a `tree.HashReader`)."""

    def __init__(self, agency_id: int) -> None:
        self.agency_id = agency_id

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        rows = dict(
            LedgerHash.objects.filter(agency_id=self.agency_id, position__in=indexes).values_list(
                "position", "value"
            )
        )
        missing = [i for i in indexes if i not in rows]
        if missing:
            raise LookupError(f"agency {self.agency_id}: no stored hash at {missing[:5]}")
        return [bytes(rows[i]) for i in indexes]

    def size(self) -> int:
        return LogHead.objects.get(agency_id=self.agency_id).size


def integrate(agency_id: int, *, batch: int = BATCH) -> int:
    """Integrate up to *batch* recorded entries of the agency; returns how many were placed."""
    with transaction.atomic():
        head = LogHead.objects.select_for_update().get(agency_id=agency_id)
        pending = list(
            PendingEntry.objects.filter(agency_id=agency_id)
            .order_by("entry_id")
            .values_list("entry_id", flat=True)[:batch]
        )
        if not pending:
            return 0
        leaf_hashes = dict(
            LedgerEntry.objects.filter(pk__in=pending).values_list("pk", "leaf_hash")
        )
        hashes = [bytes.fromhex(leaf_hashes[entry_id]) for entry_id in pending]
        stored = tree.append_leaves(head.size, hashes, DbHashStore(agency_id), ledger_hash())
        first_position = tree.stored_hash_count(head.size)
        LedgerLeaf.objects.bulk_create(
            LedgerLeaf(agency_id=agency_id, index=head.size + offset, entry_id=entry_id)
            for offset, entry_id in enumerate(pending)
        )
        LedgerHash.objects.bulk_create(
            LedgerHash(agency_id=agency_id, position=first_position + offset, value=value)
            for offset, value in enumerate(stored)
        )
        # The outbox is a queue, not history: its rows go once their entries are in the tree.
        PendingEntry.objects.filter(entry_id__in=pending).delete()
        head.size += len(pending)
        head.save(update_fields=["size"])
    return len(pending)


def integrate_all(agency_id: int) -> int:
    """Integrate every pending entry of the agency, batch by batch."""
    total = 0
    while placed := integrate(agency_id):
        total += placed
    return total


def integrate_after_commit(agency_id: int) -> None:
    """Run right after an act commits, so a person's act shows its position at once.

    A failure here loses nothing: the entry stays in the outbox for the worker.
    """
    try:
        integrate_all(agency_id)
    except DatabaseError:
        log.warning("integration of agency %s deferred to the worker", agency_id, exc_info=True)
