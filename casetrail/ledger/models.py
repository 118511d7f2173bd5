"""The ledger: one append-only Merkle log per agency, and the base class of record tables.

Record tables (subclasses of `RecordModel`) and `LedgerEntry` are insert-only: the code refuses
to save an existing row or delete one, and database triggers (see `guards.py`) refuse UPDATE,
DELETE and TRUNCATE even from raw SQL (DESIGN invariant 1; Seed A art. 15; Seed B art. 30(4)).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from casetrail.ledger.coverage import Coverage, rows, structure


class InsertOnlyError(Exception):
    """Raised when code tries to change or remove a recorded row."""


class RecordModel(models.Model):
    """A row of history: written once by an action, never updated or deleted.

    A correction (补正) is a new row that points at the one it supersedes.
    """

    insert_only: ClassVar[bool] = True
    ledger_coverage: ClassVar[Coverage] = rows("插入即定稿的历史记录，由写入它的行为记账")

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
    """The integrated size of an agency's log; locked by the integrator while it appends.

    `floor` says where the integrator looks for recorded entries that have no leaf yet: every
    entry whose *sequence key* is below it is placed. The key is the entry's id on SQLite
    (writers take turns, so ids commit in order) and, on PostgreSQL, the id of the
    transaction that wrote it (`ledger_entry_txid`, a column the database fills in), which the
    integrator only passes once no transaction below it is still running
    (`ledger/integrate.py`).

    Derived state: `casetrail verify` recomputes the size from the leaves.
    """

    ledger_coverage: ClassVar[Coverage] = structure("账本规模与整合进度，由叶子重新计算")

    agency = models.OneToOneField("cases.Agency", on_delete=models.PROTECT, related_name="log")
    size = models.BigIntegerField(default=0)
    floor = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log of agency {self.agency_id}: {self.size} leaves"


def unchecked_agency() -> models.ForeignKey[Any]:
    """The agency of a ledger row: a Django relation (``PROTECT``) with no database constraint
    and no index of its own. Why, see `LedgerEntry` and `LedgerLeaf`; the indexes that lead
    with the agency are each model's own."""
    return models.ForeignKey(
        "cases.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )


class LedgerEntry(RecordModel):
    """One legally meaningful act: its canonical JSON and RFC 9162 leaf hash.

    Written by the act's own transaction (the act is *recorded*); the integrator later gives it
    its position in the agency's Merkle tree (`LedgerLeaf`), and a checkpoint *publishes* it.
    `payload` holds the exact bytes that were hashed (as UTF-8 text), so anyone can recompute
    `leaf_hash` = SHA-256(0x00 || payload). `tag` is HMAC(entry key, leaf hash), made with a key
    only the application holds (`ledger/entry_tags.py`): the integrator places no entry whose
    tag is wrong, and verify names it (`entry_forged`).

    Every act of an agency references the same agency row, so the database's foreign-key
    check on it (a ``FOR KEY SHARE`` lock of that row, taken by every writer at once) would
    turn each append into a shared multixact lock on one hot row: the reference is checked by
    Django (``PROTECT``) and by `casetrail verify` (the column must equal the payload's
    ``agency``), not by a constraint. Case and actor keep theirs. `actor` has no index: nothing
    looks entries up by actor. Indexes: (agency, id), which verify and SQLite's integrator read
    in, and on PostgreSQL (agency, txid, id), which its integrator reads in (migration 0002).
    """

    ledger_coverage: ClassVar[Coverage] = structure("账本条目：叶子哈希、内容与列逐一核对")

    agency = unchecked_agency()
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger"
    )
    action = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField()
    payload = models.TextField()
    leaf_hash = models.CharField(max_length=64)
    tag = models.CharField(max_length=64, default="", db_default="")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["agency", "id"], name="ledger_entry_agency")]

    def __str__(self) -> str:
        return f"entry {self.pk} {self.action}"


class LedgerLeaf(RecordModel):
    """The position of an entry in its agency's tree (contiguous from 0, never reused).

    Leaves and stored hashes are derived state, written by the integrator in batches of
    thousands: their references carry no database constraint (a constraint would check, and
    lock, every entry a batch places, rewriting each entry's page), and `casetrail verify`
    checks them all — a leaf whose entry is gone is `entry_deleted`, one of another agency's
    entry `leaf_mismatch`. The unique (agency, index) and entry keep the tree from forking.
    """

    ledger_coverage: ClassVar[Coverage] = structure("叶子位置：连续、唯一、与条目一致")

    agency = unchecked_agency()
    index = models.BigIntegerField()
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="leaf", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "index"], name="leaf_index_per_agency"),
        ]

    def __str__(self) -> str:
        return f"leaf {self.index} of agency {self.agency_id}"


class LedgerHash(RecordModel):
    """A stored hash of a complete subtree, at its fixed position (see `ledger/tree.py`).

    Derived state, like `LedgerLeaf`: no database constraint on the agency; verify rebuilds
    every stored hash from the entries.
    """

    ledger_coverage: ClassVar[Coverage] = structure("子树哈希：由叶子重新计算")

    agency = unchecked_agency()
    position = models.BigIntegerField()
    value = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "position"], name="hash_position_per_agency"),
        ]

    def __str__(self) -> str:
        return f"hash {self.position} of agency {self.agency_id}"


class Checkpoint(RecordModel):
    """A signed tree head (C2SP tlog-checkpoint note), optionally with an RFC 3161 token."""

    ledger_coverage: ClassVar[Coverage] = structure("签名检查点：签名、异地副本与重算的树根")

    agency = models.ForeignKey("cases.Agency", on_delete=models.PROTECT, related_name="+")
    size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    note = models.TextField()
    published_at = models.DateTimeField()
    timestamp_token = models.BinaryField(null=True, blank=True)
    # The nonce sent with the time-stamp request; `verify` checks the token echoes it.
    timestamp_nonce = models.BigIntegerField(null=True, blank=True)
    timestamp_url = models.CharField(max_length=300, blank=True)
    offsite_copy = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["agency", "size"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "size"], name="one_checkpoint_per_size"),
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.size} of agency {self.agency_id}"
