"""Rows as the ledger recorded them: for code that decides from rows an outsider could forge.

`casetrail verify` reports a forged row after the fact; code that acts on such a row (the
backup skipping a file it believes copied) asks here first, and trusts only rows whose digest
an entry of the given action recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TypeVar

from django.db import models

from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.records import row_digest

M = TypeVar("M", bound=models.Model)


def recorded_digests(table: str, action: str) -> set[tuple[object, str]]:
    """Every (row id, sha256) that an entry of *action* recorded for a row of *table*."""
    found: set[tuple[object, str]] = set()
    payloads = LedgerEntry.objects.filter(action=action).values_list("payload", flat=True)
    for payload in payloads.iterator(chunk_size=500):
        try:
            records = json.loads(payload).get("records", [])
        except (ValueError, AttributeError):
            continue
        for ref in records:
            if isinstance(ref, dict) and ref.get("table") == table:
                found.add((ref.get("id"), str(ref.get("sha256"))))
    return found


def rows_as_recorded(rows: Iterable[M], action: str) -> list[M]:
    """The rows among *rows* that still match a digest an entry of *action* recorded."""
    rows = list(rows)
    if not rows:
        return []
    recorded = recorded_digests(rows[0]._meta.db_table, action)
    return [row for row in rows if (row.pk, row_digest(row)) in recorded]
