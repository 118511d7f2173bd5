"""`casetrail verify`, part 2: one agency's stored subtree hashes and tree heads, rebuilt.

The stored hashes are recomputed from the recomputed leaf hashes with the binary counter of
`grow` (the same sequence `tree.append_leaves` writes, at a third of its cost: the benchmark
needs it), holding only the frontier of complete subtrees in memory. The stored hashes are read
as one stream in position order and compared chunk by chunk as a whole; only a chunk that
differs is examined hash by hash, and a stored hash is reported only where it is the lowest one
that differs (its children agree), so one edit yields one finding, not one per ancestor; a run
of missing hashes is one finding too.
Seed A art. 15; Seed B art. 30(4)(5).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from casetrail.ledger import tree
from casetrail.ledger.merkle import NODE_PREFIX, HashFn
from casetrail.ledger.models import LedgerHash
from casetrail.ledger.verify_entries import Hasher, hasher, read_ahead
from casetrail.ledger.verify_findings import (
    HASH_TABLE,
    LEAF_MISMATCH,
    LEAF_REORDERED,
    LEAF_TABLE,
    STORED_HASH_MISMATCH,
    STORED_HASH_MISSING,
    Finding,
    short,
)

TREE_CHUNK = 16384

StoredRow = tuple[int, bytes | memoryview]
Leaf = tuple[int, int]


def fold(frontier: Sequence[bytes], new: Hasher) -> bytes:
    """The RFC 9162 root of a tree given its complete subtrees, largest first."""
    if not frontier:
        return new(b"").digest()
    node = frontier[-1]
    for left in reversed(frontier[:-1]):
        node = new(NODE_PREFIX + left + node).digest()
    return node


def grow(
    frontier: list[bytes],
    n: int,
    leaf_hashes: Iterable[bytes],
    new: Hasher,
    cuts: Sequence[int] = (),
) -> tuple[list[bytes], dict[int, bytes]]:
    """Append leaves n.. to *frontier* (the complete subtrees of the first n leaves, largest
    first; updated in place).

    Returns the hashes the leaves store, in `tree.py`'s order (each leaf hash, then every
    subtree it completes, lowest first), and the tree heads at the sizes in *cuts* reached.
    """
    stored: list[bytes] = []
    roots: dict[int, bytes] = {}
    pending = iter(sorted(cut for cut in cuts if cut > n))
    cut = next(pending, -1)
    for leaf in leaf_hashes:
        node = leaf
        stored.append(node)
        completed = n
        while completed & 1:
            node = new(NODE_PREFIX + frontier.pop() + node).digest()
            stored.append(node)
            completed >>= 1
        frontier.append(node)
        n += 1
        if n == cut:
            roots[n] = fold(frontier, new)
            cut = next(pending, -1)
    return stored, roots


class StoredHashes:
    """One agency's stored hashes, streamed once in position order, taken range by range.

    The stream is read ahead by a helper thread, so the database sends the next hashes while
    this thread rebuilds the tree; `close` ends it.
    """

    def __init__(self, agency_id: int, end: int) -> None:
        rows = (
            LedgerHash.objects.filter(agency_id=agency_id, position__gte=0, position__lt=end)
            .order_by("position")
            .values_list("position", "value")
            .iterator(chunk_size=2 * TREE_CHUNK)
        )
        self.rows = read_ahead(rows, 2 * TREE_CHUNK)
        self.ahead: list[StoredRow] = []

    def take(self, start: int, stop: int) -> list[StoredRow]:
        """The stored rows before position *stop* (from *start* on, unless some are amiss)."""
        rows, self.ahead = self.ahead, []
        rows += islice(self.rows, max(stop - start - len(rows), 0))
        while rows and rows[-1][0] < stop - 1 and (more := list(islice(self.rows, 1024))):
            rows += more
        split = bisect_left([position for position, _ in rows], stop)
        self.ahead = rows[split:]
        return rows[:split]

    def close(self) -> None:
        self.rows.close()


@dataclass(frozen=True)
class _LeafMismatch:
    index: int
    leaf_id: int
    entry_id: int
    computed: bytes
    stored: bytes


@dataclass
class TreeCheck:
    """Rebuilds one agency's stored hashes from its leaf hashes and compares them, in chunks.

    The tree head at each size in *cuts* (the sizes checkpoints sign) is kept in `roots`.
    """

    agency_id: int
    h: HashFn
    cuts: list[int]
    findings: list[Finding]
    edited: dict[int, bytes]
    size: int
    n: int = 0
    roots: dict[int, bytes] = field(default_factory=dict)
    frontier: list[bytes] = field(default_factory=list)
    buffer: list[bytes] = field(default_factory=list)
    leaves: list[Leaf | None] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)
    mismatches: list[_LeafMismatch] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stored = StoredHashes(self.agency_id, tree.stored_hash_count(self.size))
        self.new = hasher(self.h)
        self.cuts = sorted(set(self.cuts))
        if self.cuts and self.cuts[0] == 0:
            self.roots[0] = self.h(b"")

    def extend(self, hashes: Sequence[bytes], leaves: Iterable[Leaf | None]) -> None:
        """Append the next leaves: their hashes, and (leaf id, entry id), None for a stand-in."""
        self.buffer.extend(hashes)
        self.leaves.extend(leaves)
        if len(self.buffer) >= TREE_CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        base = tree.stored_hash_count(self.n)
        end = self.n + len(self.buffer)
        cuts = self.cuts[bisect_right(self.cuts, self.n) : bisect_right(self.cuts, end)]
        new, roots = grow(self.frontier, self.n, self.buffer, self.new, cuts)
        self.roots.update(roots)
        self._compare(base, new)
        self.n = end
        self.buffer, self.leaves = [], []

    def _compare(self, base: int, new: list[bytes]) -> None:
        rows = self.stored.take(base, base + len(new))
        positions, values = zip(*rows, strict=True) if rows else ((), ())
        if positions == tuple(range(base, base + len(new))) and list(values) == new:
            return
        stored = {position: bytes(value) for position, value in rows}
        missing: list[int] = []
        for offset, value in enumerate(new):
            position = base + offset
            have = stored.get(position)
            if have is None:
                self.bad.add(position)
                missing.append(position)
            elif have != value:
                self._differs(position, have, value)
        self._missing(missing)

    def _missing(self, positions: list[int]) -> None:
        """One finding per run of consecutive stored hashes that are gone."""
        runs: list[list[int]] = []
        for position in positions:
            if runs and runs[-1][-1] == position - 1:
                runs[-1].append(position)
            else:
                runs.append([position])
        for run in runs:
            level, k = tree.split_stored_hash_index(run[0])
            where = f"position {run[0]}" if len(run) == 1 else f"positions {run[0]}..{run[-1]}"
            self.findings.append(
                Finding(
                    STORED_HASH_MISSING,
                    HASH_TABLE,
                    run[0],
                    k << level,
                    f"agency {self.agency_id}: no stored hash at {where} (from leaf {k << level})",
                )
            )

    def _differs(self, position: int, have: bytes, value: bytes) -> None:
        self.bad.add(position)
        level, k = tree.split_stored_hash_index(position)
        if level == 0:
            leaf = self.leaves[k - self.n]
            # An entry whose payload was edited under its old leaf_hash is reported as such.
            if leaf is not None and self.edited.get(leaf[1]) != have:
                self.mismatches.append(_LeafMismatch(k, *leaf, value, have))
            return
        left, right = (tree.stored_hash_index(level - 1, 2 * k + side) for side in (0, 1))
        if left in self.bad or right in self.bad:
            return
        first, last = k << level, ((k + 1) << level) - 1
        self.findings.append(
            Finding(
                STORED_HASH_MISMATCH,
                HASH_TABLE,
                position,
                first,
                f"agency {self.agency_id}: the stored hash at position {position} (leaves "
                f"{first}..{last}) is {short(have)}, but its children hash to {short(value)}",
            )
        )

    def close(self) -> None:
        """Stop reading stored hashes (those beyond the rebuilt tree are checked elsewhere)."""
        self.stored.close()

    def classify_leaves(self) -> None:
        """Name swapped leaves as reordered, the other differing leaves as mismatched."""
        by_hash = {m.computed: m for m in self.mismatches}
        for m in self.mismatches:
            other = by_hash.get(m.stored)
            if other is not None and other.index != m.index:
                detail = (
                    f"agency {self.agency_id}: leaf {m.index} now holds entry {m.entry_id}, but "
                    f"the tree recorded entry {other.entry_id} there (now at leaf "
                    f"{other.index}): the log was reordered"
                )
                kind = LEAF_REORDERED
            else:
                detail = (
                    f"agency {self.agency_id}: the tree recorded {short(m.stored)} at leaf "
                    f"{m.index}, but entry {m.entry_id} there hashes to {short(m.computed)}: the "
                    "leaf was pointed at another entry, or the entry rewritten with its hash"
                )
                kind = LEAF_MISMATCH
            self.findings.append(Finding(kind, LEAF_TABLE, m.leaf_id, m.index, detail))
