"""Tampering as the database owner could do it: turn the insert-only triggers off, run raw SQL.

The triggers (`casetrail/ledger/guards.py`) stop every client but one with the owner's rights;
these helpers play that person through the harness's owner path (`tests/dbowner.py`), so the
tests can show that `casetrail verify` finds what the triggers cannot stop. The triggers come
back when a block ends, and the test's transaction rolls everything back in any case (DDL is
transactional on PostgreSQL and on SQLite).

Two attackers are played. `rewrite_entry` re-tags what it rewrites with the application's entry
key: someone holding the app's keys as well as the database, whom only the signed checkpoints
and their off-site copies expose. `forge_entry` inserts an entry without the key: someone with
the database alone, whom the entry tags expose.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection

from casetrail.ledger import tree
from casetrail.ledger.canonical import canonical_json
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.entry_tags import entry_key, entry_tag
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.models import LedgerEntry, LedgerHash, LedgerLeaf
from tests.dbowner import OwnerCursor, guards_off


@contextmanager
def tampering(*tables: str) -> Iterator[OwnerCursor]:
    """A cursor with the owner's rights, free to change *tables*; their triggers come back when
    the block ends (`tests/dbowner.py`).

    If the block fails, its transaction is broken and rolls back, the triggers' state with it.
    """
    with guards_off(*tables) as cursor:
        yield cursor


def raw(sql: str, params: Sequence[Any] = (), *, tables: Sequence[str] = ()) -> int:
    """Run one statement as the owner, the triggers of *tables* off; return the rows it touched."""
    with tampering(*tables) as cursor:
        cursor.execute(sql, params)
        touched: int = cursor.rowcount
    return touched


def rewrite_entry(entry_id: int, document: dict[str, Any]) -> None:
    """Replace an entry's payload *and* recompute its leaf hash and its tag, as a careful forger
    who holds the application's entry key would."""
    data = canonical_json(document)
    h = ledger_hash()
    leaf = leaf_hash(data, h)
    raw(
        'UPDATE "ledger_ledgerentry" SET payload = %s, leaf_hash = %s, tag = %s WHERE id = %s',
        [data.decode("utf-8"), leaf.hex(), entry_tag(leaf, entry_key(), h), entry_id],
        tables=["ledger_ledgerentry"],
    )


def forge_entry(document: dict[str, Any], *, tag: str = "") -> int:
    """Insert an entry for *document* as a database-only attacker can: payload, columns and leaf
    hash all consistent, but without the entry key, so its *tag* is whatever the attacker puts
    there. A plain INSERT: the triggers allow it. Returns the new entry's id."""
    data = canonical_json(document)
    actor = document.get("actor")
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "ledger_ledgerentry" ("agency_id", "case_id", "action", "actor_id", '
            '"recorded_at", "payload", "leaf_hash", "tag") VALUES (%s, %s, %s, %s, %s, %s, %s, %s)',
            [
                document["agency"],
                document["case"],
                document["action"],
                actor["user_id"] if isinstance(actor, dict) else None,
                datetime.fromisoformat(document["at"]),
                data.decode("utf-8"),
                leaf_hash(data, ledger_hash()).hex(),
                tag,
            ],
        )
    entry_id = (
        LedgerEntry.objects.filter(payload=data.decode("utf-8")).values_list("pk", flat=True).get()
    )
    return entry_id


def recompute_stored_hashes(agency_id: int) -> int:
    """Rewrite the agency's stored subtree hashes from its entries as they now are.

    Returns how many stored hashes changed.
    """
    hashes = [
        bytes.fromhex(value)
        for value in LedgerLeaf.objects.filter(agency_id=agency_id)
        .order_by("index")
        .values_list("entry__leaf_hash", flat=True)
    ]
    fresh = tree.MemoryStore(ledger_hash())
    fresh.append_leaf_hashes(hashes)
    wanted = fresh.read_hashes(range(tree.stored_hash_count(len(hashes))))
    stored = dict(LedgerHash.objects.filter(agency_id=agency_id).values_list("position", "value"))
    changed = 0
    with tampering("ledger_ledgerhash") as cursor:
        for position, value in enumerate(wanted):
            if bytes(stored[position]) != value:
                cursor.execute(
                    'UPDATE "ledger_ledgerhash" SET value = %s WHERE agency_id = %s '
                    "AND position = %s",
                    [value, agency_id, position],
                )
                changed += 1
    return changed


def entry_payload(entry_id: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(LedgerEntry.objects.get(pk=entry_id).payload)
    return document
