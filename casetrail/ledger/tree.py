"""An append-only storage layout for a Merkle tree with O(log n) tree heads and proofs.

This is the "stored hashes" layout of Go's ``golang.org/x/mod/sumdb/tlog`` (after section 3.3
of Crosby and Wallach, "Efficient Data Structures for Tamper-Evident Logging"), with the RFC 9162
hashing of ``merkle.py`` and a pluggable hash function.  When leaf ``n`` is appended, its leaf
hash is stored followed by the hash of every complete subtree that the leaf completes, so the
sequence only ever grows and each complete subtree ``(level, k)``, which covers leaves
``[k * 2**level, (k + 1) * 2**level)``, sits at the fixed position ``stored_hash_index(level, k)``.

Any subtree of the RFC 9162 recursion is the concatenation of at most log2(n) complete subtrees,
so a tree head or a proof needs one batched read of O(log n) stored hashes.
"""

from collections.abc import Iterable, Sequence
from functools import reduce
from typing import Protocol

from casetrail.ledger.merkle import HashFn, node_hash, sha256, split_point

Range = tuple[int, int]


class HashReader(Protocol):
    """Reads stored hashes by their position in the stored sequence."""

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """Return one hash per index, in the order asked; an index not stored raises."""
        ...


def _trailing_zeros(x: int) -> int:
    return (x & -x).bit_length() - 1


def stored_hash_index(level: int, n: int) -> int:
    """Position in the stored sequence of the hash of complete subtree ``n`` at ``level``.

    The subtree is stored right after the leaf that completes it, its last leaf
    ``last = (n + 1) * 2**level - 1``; leaves ``0..last-1`` stored ``sum(last >> i)`` hashes,
    which is ``2 * last - popcount(last)``, and the ``level`` smaller subtrees that ``last``
    also completes come before it.
    """
    if level < 0 or n < 0:
        raise ValueError(f"no stored hash at level {level}, position {n}")
    last = ((n + 1) << level) - 1
    return 2 * last - last.bit_count() + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """The ``(level, n)`` whose hash is stored at ``index``; inverse of ``stored_hash_index``."""
    if index < 0:
        raise ValueError(f"negative stored hash index {index}")
    # stored_hash_index(0, n) < 2n, so the leaf that stored ``index`` is at most log2 steps away.
    n = index // 2
    start = stored_hash_index(0, n)
    while (following := start + 1 + _trailing_zeros(n + 1)) <= index:
        n, start = n + 1, following
    level = index - start
    return level, n >> level


def stored_hash_count(n: int) -> int:
    """How many hashes ``n`` leaves store: one per complete subtree, ``2n - popcount(n)``."""
    if n < 0:
        raise ValueError(f"negative tree size {n}")
    return 2 * n - n.bit_count()


def _merge_indexes(n: int) -> list[int]:
    """Stored indexes of the left siblings that leaf ``n`` merges with, lowest level first."""
    return [stored_hash_index(level, (n >> level) - 1) for level in range(_trailing_zeros(n + 1))]


def _read(reader: HashReader, indexes: Iterable[int]) -> dict[int, bytes]:
    """Read the given stored hashes in one sorted, duplicate-free batch."""
    wanted = sorted(set(indexes))
    if not wanted:
        return {}
    hashes = reader.read_hashes(wanted)
    if len(hashes) != len(wanted):
        raise ValueError(f"reader returned {len(hashes)} hashes for {len(wanted)} indexes")
    return dict(zip(wanted, hashes, strict=True))


def stored_hashes_for_leaf(
    n: int, leaf_hash: bytes, reader: HashReader, h: HashFn = sha256
) -> list[bytes]:
    """The hashes to store, from ``stored_hash_index(0, n)`` on, when leaf ``n`` is appended."""
    indexes = _merge_indexes(n)
    earlier = _read(reader, indexes)
    hashes = [leaf_hash]
    for index in indexes:
        hashes.append(node_hash(earlier[index], hashes[-1], h))
    return hashes


def append_leaves(
    n: int, leaf_hashes: Sequence[bytes], reader: HashReader, h: HashFn = sha256
) -> list[bytes]:
    """The hashes to store when leaves ``n .. n + len(leaf_hashes) - 1`` are appended.

    Hashes stored before the batch are read in one call; those of the batch come from itself.
    """
    base = stored_hash_count(n)
    merges = [_merge_indexes(n + offset) for offset in range(len(leaf_hashes))]
    earlier = _read(reader, (i for indexes in merges for i in indexes if i < base))
    new: list[bytes] = []
    for node, indexes in zip(leaf_hashes, merges, strict=True):
        new.append(node)
        for index in indexes:
            node = node_hash(earlier[index] if index < base else new[index - base], node, h)
            new.append(node)
    return new


def _range_indexes(lo: int, hi: int) -> list[int]:
    """Stored indexes of the complete subtrees that make up the RFC 9162 subtree ``[lo, hi)``."""
    indexes = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        indexes.append(stored_hash_index(level, lo >> level))
        lo += 1 << level
    return indexes


def _range_hash(lo: int, hi: int, stored: dict[int, bytes], h: HashFn) -> bytes:
    """MTH of the subtree ``[lo, hi)``: its complete subtrees folded from the right."""
    *lefts, last = (stored[index] for index in _range_indexes(lo, hi))
    return reduce(lambda right, left: node_hash(left, right, h), reversed(lefts), last)


def _hash_ranges(ranges: Sequence[Range], reader: HashReader, h: HashFn) -> list[bytes]:
    stored = _read(reader, (i for lo, hi in ranges for i in _range_indexes(lo, hi)))
    return [_range_hash(lo, hi, stored, h) for lo, hi in ranges]


def tree_hash(n: int, reader: HashReader, h: HashFn = sha256) -> bytes:
    """The root hash (RFC 9162 section 2.1.1) of the first ``n`` leaves."""
    if n < 0:
        raise ValueError(f"negative tree size {n}")
    return _hash_ranges([(0, n)], reader, h)[0] if n else h(b"")


def _inclusion_ranges(index: int, n: int) -> list[Range]:
    """The subtrees whose hashes form ``PATH(index, D[n])`` (RFC 9162 section 2.1.3.1)."""
    lo, hi, siblings = 0, n, []
    while hi - lo > 1:
        mid = lo + split_point(hi - lo)
        if index < mid:
            siblings.append((mid, hi))
            hi = mid
        else:
            siblings.append((lo, mid))
            lo = mid
    return siblings[::-1]


def _consistency_ranges(m: int, n: int) -> list[Range]:
    """The subtrees whose hashes form ``PROOF(m, D[n])`` for ``0 < m`` (RFC 9162 2.1.4.1)."""
    lo, hi, siblings = 0, n, []
    while m != hi:
        mid = lo + split_point(hi - lo)
        if m <= mid:
            siblings.append((mid, hi))
            hi = mid
        else:
            siblings.append((lo, mid))
            lo = mid
    if lo:
        siblings.append((lo, hi))
    return siblings[::-1]


def prove_inclusion(index: int, n: int, reader: HashReader, h: HashFn = sha256) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf ``index`` in the tree of the first ``n`` leaves."""
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} is outside a tree of size {n}")
    return _hash_ranges(_inclusion_ranges(index, n), reader, h)


def prove_consistency(m: int, n: int, reader: HashReader, h: HashFn = sha256) -> list[bytes]:
    """The RFC 9162 consistency proof from the tree of ``m`` leaves to that of ``n`` leaves."""
    if not 0 <= m <= n:
        raise ValueError(f"old size {m} is outside 0..{n}")
    return _hash_ranges(_consistency_ranges(m, n), reader, h) if m else []


def prove_consistency_with_roots(
    m: int, n: int, reader: HashReader, h: HashFn = sha256
) -> tuple[list[bytes], bytes, bytes]:
    """``prove_consistency(m, n)`` with ``tree_hash(m)`` and ``tree_hash(n)``, in one read."""
    if not 0 <= m <= n:
        raise ValueError(f"old size {m} is outside 0..{n}")
    proof_ranges = _consistency_ranges(m, n) if m else []
    root_ranges = [(0, size) for size in (m, n) if size]
    hashes = _hash_ranges(proof_ranges + root_ranges, reader, h)
    roots = iter(hashes[len(proof_ranges) :])
    first = next(roots) if m else h(b"")
    second = next(roots) if n else h(b"")
    return hashes[: len(proof_ranges)], first, second


class MemoryStore:
    """An in-memory stored-hash sequence; it counts reads so tests can check O(log n) access."""

    def __init__(self, h: HashFn = sha256) -> None:
        self.hash_fn = h
        self.reads = 0
        self.read_calls = 0
        self._hashes: list[bytes] = []
        self._size = 0

    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        """The stored hashes at ``indexes``; IndexError for one not stored yet."""
        self.read_calls += 1
        self.reads += len(indexes)
        for index in indexes:
            if not 0 <= index < len(self._hashes):
                raise IndexError(f"no stored hash at index {index}")
        return [self._hashes[index] for index in indexes]

    def append(self, leaf_hash: bytes) -> int:
        """Append one leaf hash and return its leaf index."""
        self._hashes.extend(stored_hashes_for_leaf(self._size, leaf_hash, self, self.hash_fn))
        self._size += 1
        return self._size - 1

    def append_leaf_hashes(self, leaf_hashes: Sequence[bytes]) -> None:
        """Append a batch of leaf hashes with a single read of earlier hashes."""
        self._hashes.extend(append_leaves(self._size, leaf_hashes, self, self.hash_fn))
        self._size += len(leaf_hashes)
