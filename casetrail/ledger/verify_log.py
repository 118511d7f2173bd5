"""`casetrail verify`, part 3: one agency's log — its entries, its leaves, its stored hashes.

The entries are streamed once in id order (`verify_entries.py`), then the leaves once in index
order, as (index, entry id) pairs; each leaf takes its entry's recomputed hash, and the tree is
rebuilt and compared with the stored hashes (`verify_tree.py`). Leaves must be exactly
0..size-1, each holding one entry of the agency, each entry at most once; an entry at no leaf
must be waiting for the integrator (at or above the log head's floor).
Seed A art. 15; Seed B art. 30(4)(5).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from itertools import islice

from django.db.models import Q

from casetrail.ledger import tree
from casetrail.ledger.integrate import waiting_entry_ids
from casetrail.ledger.merkle import LEAF_PREFIX, HashFn
from casetrail.ledger.models import LedgerEntry, LedgerHash, LedgerLeaf
from casetrail.ledger.verify_entries import (
    PROGRESS_EVERY,
    EntryChecker,
    EntryIndex,
    RecordRef,
    entry_rows,
    read_ahead,
)
from casetrail.ledger.verify_findings import (
    ENTRY_ALTERED,
    ENTRY_DELETED,
    ENTRY_FORGED,
    ENTRY_INTEGRATED_TWICE,
    ENTRY_TABLE,
    ENTRY_UNINTEGRATED,
    HASH_TABLE,
    LEAF_EXTRA,
    LEAF_MISMATCH,
    LEAF_MISSING,
    LEAF_TABLE,
    STORED_HASH_EXTRA,
    Finding,
)
from casetrail.ledger.verify_tree import TREE_CHUNK, Leaf, TreeCheck

Say = Callable[[str], None]
LeafRow = tuple[int, int, int]


@dataclass
class LogResult:
    """What the pass learnt about one agency's log."""

    size: int
    computable: int
    roots: dict[int, bytes]
    entries: int
    leaves: int
    pending: int
    refs: list[RecordRef]
    tags_checked: int


def _span(start: int, stop: int) -> str:
    return f"{start}" if stop - start == 1 else f"{start}..{stop - 1}"


class LogPass:
    """The pass over one agency's log; `run` appends its findings and returns what it learnt."""

    def __init__(
        self,
        agency_id: int,
        size: int,
        cuts: Iterable[int],
        h: HashFn,
        findings: list[Finding],
        say: Say,
        *,
        key: bytes | None = None,
    ) -> None:
        self.agency_id = agency_id
        self.size = size
        self.checker = EntryChecker(h, agency_id, key)
        self.findings = findings
        self.say = say
        self.tree = TreeCheck(agency_id, h, list(cuts), findings, self.checker.altered_hashes, size)
        self.broken = False
        self.twice: dict[int, list[int]] = {}

    def run(self, label: str) -> LogResult:
        entries = EntryIndex()
        rows = entry_rows(LedgerEntry.objects.filter(agency_id=self.agency_id))
        entries.fill(rows, self.checker, lambda line: self.say(f"{label}: {line}"))
        leaves = self._leaves(entries, label)
        self._outside()
        self._entry_problems(entries)
        self._resolve_refs(entries)
        pending = self._unplaced(entries)
        computable = self.tree.n if self.broken else self.size
        return LogResult(
            self.size,
            computable,
            self.tree.roots,
            len(entries),
            leaves,
            pending,
            self.checker.refs,
            self.checker.tags_checked,
        )

    def _leaves(self, entries: EntryIndex, label: str) -> int:
        rows = (
            LedgerLeaf.objects.filter(agency_id=self.agency_id, index__gte=0, index__lt=self.size)
            .order_by("index")
            .values_list("index", "entry_id", "id")
            .iterator(chunk_size=TREE_CHUNK)
        )
        with closing(read_ahead(rows, TREE_CHUNK)) as ahead:
            try:
                leaves = self._place(entries, ahead, label)
            finally:
                self.tree.close()
        self.tree.classify_leaves()
        return leaves

    def _place(self, entries: EntryIndex, rows: Iterator[LeafRow], label: str) -> int:
        """Place every leaf (chunk by chunk) and rebuild the tree over them."""
        expected = leaves = 0
        while chunk := list(islice(rows, TREE_CHUNK)):
            leaves += len(chunk)
            if not self._run(entries, chunk, expected):
                for index, entry_id, leaf_id in chunk:
                    expected = self._leaf(entries, index, (leaf_id, entry_id), expected)
            expected = max(expected, chunk[-1][0] + 1)
            if leaves % PROGRESS_EVERY < len(chunk):
                self.say(f"{label}: {expected}/{self.size} 叶子已核验 (leaves checked)")
        if expected < self.size:
            self._gap(expected, self.size)
        self.tree.flush()
        return leaves

    def _run(self, entries: EntryIndex, chunk: list[LeafRow], expected: int) -> bool:
        """The common case at once: leaves expected.. holding consecutive entries."""
        indexes, ids, leaf_ids = zip(*chunk, strict=True)
        if self.broken or indexes != tuple(range(expected, expected + len(chunk))):
            return False
        slot = entries.slot(ids[0])
        if slot is None:
            return False
        hashes = entries.place_run(slot, array("q", ids), expected)
        if hashes is None:
            return False
        self.tree.extend(hashes, zip(leaf_ids, ids, strict=True))
        return True

    def _leaf(self, entries: EntryIndex, index: int, leaf: Leaf, expected: int) -> int:
        """Check one leaf, (leaf id, entry id) at *index*; return the index expected next."""
        entry_id = leaf[1]
        if index < expected:
            self._extra(index, leaf, "a second leaf at the same index")
            return expected
        if index > expected:
            self._gap(expected, index)
        slot = entries.slot(entry_id)
        if slot is None:
            self._foreign(index, leaf)
            return index + 1
        if not entries.place(slot, index):
            self.twice.setdefault(entry_id, [entries.index_of[slot]]).append(index)
        if not self.broken:
            self.tree.extend([entries.leaf_hash(slot)], [leaf])
        return index + 1

    def _foreign(self, index: int, leaf: Leaf) -> None:
        """A leaf whose entry is not one of the agency's: another agency's, or gone."""
        leaf_id, entry_id = leaf
        row = LedgerEntry.objects.filter(pk=entry_id).values_list("agency_id", "payload").first()
        if row is None:
            detail = f"leaf {index} of agency {self.agency_id} points at entry {entry_id}, which "
            self.findings.append(
                Finding(
                    ENTRY_DELETED,
                    ENTRY_TABLE,
                    entry_id,
                    index,
                    detail + "no longer exists" + self._stand_in(index, index + 1),
                )
            )
            return
        agency_id, payload = row
        self.findings.append(
            Finding(
                LEAF_MISMATCH,
                LEAF_TABLE,
                leaf_id,
                index,
                f"leaf {index} of agency {self.agency_id} points at entry {entry_id} of agency "
                f"{agency_id}",
            )
        )
        if not self.broken:
            self.tree.extend([self.checker.h(LEAF_PREFIX + payload.encode("utf-8"))], [leaf])

    def _gap(self, start: int, stop: int) -> None:
        self.findings.append(
            Finding(
                LEAF_MISSING,
                LEAF_TABLE,
                None,
                start,
                f"agency {self.agency_id}: the log has {self.size} leaves but leaf "
                f"{_span(start, stop)} is missing ({stop - start} in all)"
                + self._stand_in(start, stop),
            )
        )

    def _stand_in(self, start: int, stop: int) -> str:
        """Continue the tree over leaves start..stop-1 with their stored leaf hashes, if any."""
        if self.broken:
            return ""
        wanted = [tree.stored_hash_index(0, index) for index in range(start, stop)]
        rows = LedgerHash.objects.filter(
            agency_id=self.agency_id, position__gte=wanted[0], position__lte=wanted[-1]
        ).values_list("position", "value")
        keep = set(wanted)
        stored = {position: bytes(value) for position, value in rows if position in keep}
        if len(stored) == len(wanted):
            self.tree.extend([stored[position] for position in wanted], [None] * len(wanted))
            return "; the tree is rebuilt over it from the stored leaf hashes"
        self.tree.flush()
        self.broken = True
        return f"; tree heads above size {start} cannot be recomputed"

    def _extra(self, index: int, leaf: Leaf, why: str) -> None:
        leaf_id, entry_id = leaf
        self.findings.append(
            Finding(
                LEAF_EXTRA,
                LEAF_TABLE,
                leaf_id,
                index,
                f"agency {self.agency_id}: leaf {index} (entry {entry_id}): {why}",
            )
        )

    def _outside(self) -> None:
        outside = (
            LedgerLeaf.objects.filter(agency_id=self.agency_id)
            .filter(Q(index__lt=0) | Q(index__gte=self.size))
            .order_by("index")
            .values_list("index", "id", "entry_id")
        )
        for index, leaf_id, entry_id in outside:
            self._extra(index, (leaf_id, entry_id), f"outside the log's {self.size} leaves")
        end = tree.stored_hash_count(self.size)
        extra = LedgerHash.objects.filter(agency_id=self.agency_id).filter(
            Q(position__lt=0) | Q(position__gte=end)
        )
        first = extra.order_by("position").values_list("position", flat=True).first()
        if first is not None:
            self.findings.append(
                Finding(
                    STORED_HASH_EXTRA,
                    HASH_TABLE,
                    first,
                    None,
                    f"agency {self.agency_id}: {extra.count()} stored hash(es) outside the "
                    f"{end} positions of a {self.size}-leaf tree, from position {first}",
                )
            )

    def _entry_problems(self, entries: EntryIndex) -> None:
        for entry_id, why in self.checker.problems:
            index = entries.ledger_index(entry_id)
            where = f"leaf {index}" if index is not None else "at no leaf"
            self.findings.append(
                Finding(
                    ENTRY_ALTERED,
                    ENTRY_TABLE,
                    entry_id,
                    index,
                    f"entry {entry_id} ({where}): {why}",
                )
            )
        for entry_id in self.checker.forged:
            index = entries.ledger_index(entry_id)
            where = (
                f"leaf {index}"
                if index is not None
                else "at no leaf: the integrator refuses to place it"
            )
            self.findings.append(
                Finding(
                    ENTRY_FORGED,
                    ENTRY_TABLE,
                    entry_id,
                    index,
                    f"entry {entry_id} of agency {self.agency_id} ({where}): its tag is not "
                    "HMAC(entry key, its leaf hash): the entry, or its leaf hash, was written "
                    "without the application's entry key (forged)",
                )
            )
        for entry_id, indexes in self.twice.items():
            self.findings.append(
                Finding(
                    ENTRY_INTEGRATED_TWICE,
                    ENTRY_TABLE,
                    entry_id,
                    indexes[-1],
                    f"entry {entry_id} is in the tree of agency {self.agency_id} more than once "
                    f"(leaves {indexes})",
                )
            )

    def _resolve_refs(self, entries: EntryIndex) -> None:
        # A forged entry vouches for no row: a row only it records is `row_unledgered`.
        forged = set(self.checker.forged)
        if forged:
            self.checker.refs[:] = [r for r in self.checker.refs if r.entry_id not in forged]
        refs = self.checker.refs
        for position in range(len(refs)):
            refs[position] = replace(
                refs[position], ledger_index=entries.ledger_index(refs[position].entry_id)
            )

    def _unplaced(self, entries: EntryIndex) -> int:
        """Entries at no leaf: waiting above the log head's floor (counted), or below it, where
        the integrator has passed, so cut from the log (reported)."""
        forged = set(self.checker.forged)  # reported as forged, never to be integrated
        unplaced = [entry_id for entry_id in entries.unplaced() if entry_id not in forged]
        pending = waiting_entry_ids(self.agency_id, unplaced)
        waiting = 0
        for entry_id in unplaced:
            if entry_id in pending:
                waiting += 1
                continue
            self.findings.append(
                Finding(
                    ENTRY_UNINTEGRATED,
                    ENTRY_TABLE,
                    entry_id,
                    None,
                    f"entry {entry_id} of agency {self.agency_id} is at no leaf and is not "
                    "waiting to be integrated: it was cut from the log",
                )
            )
        return waiting
