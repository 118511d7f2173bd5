"""The ledger: one append-only Merkle log per agency, and the base class of record tables.

Record tables (subclasses of `RecordModel`) and `LedgerEntry` are insert-only: the code refuses
to save an existing row or delete one, and database triggers (see `guards.py`) refuse UPDATE,
DELETE and TRUNCATE even from raw SQL (DESIGN invariant 1; Seed A art. 15; Seed B art. 30(4)).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class InsertOnlyError(Exception):
    """Raised when code tries to change or remove a recorded row."""


class RecordModel(models.Model):
    """A row of history: written once by an action, never updated or deleted.

    A correction (补正) is a new row that points at the one it supersedes.
    """

    insert_only: ClassVar[bool] = True

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise InsertOnlyError(f"{self._meta.db_table} is insert-only: row {self.pk} is final")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise InsertOnlyError(f"{self._meta.db_table} is insert-only: row {self.pk} stays")


class LogHead(models.Model):
    """The current size of an agency's log; locked while an entry is sequenced.

    Derived state: `casetrail verify` recomputes it from the entries.
    """

    agency = models.OneToOneField("cases.Agency", on_delete=models.PROTECT, related_name="log")
    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log of agency {self.agency_id}: {self.size} entries"


class LedgerEntry(RecordModel):
    """One legally meaningful act: its canonical JSON and RFC 9162 leaf hash.

    `payload` holds the exact bytes that were hashed (as UTF-8 text), so the leaf can be
    recomputed by anyone; `leaf_hash` = SHA-256(0x00 || payload).
    """

    agency = models.ForeignKey("cases.Agency", on_delete=models.PROTECT, related_name="+")
    index = models.BigIntegerField()
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger"
    )
    action = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    payload = models.TextField()
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "index"], name="ledger_index_per_agency"),
        ]
        ordering = ["agency", "index"]

    def __str__(self) -> str:
        return f"#{self.index} {self.action}"
