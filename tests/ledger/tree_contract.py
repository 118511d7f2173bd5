"""The contract every stored-hash store must meet, reusable for any backend.

A store appends leaf hashes, reports its size and reads stored hashes by index.  Run all
checks with ``check_store_contract(factory)``, or parametrise over ``CONTRACT_CHECKS`` to get
one test per check; ``factory`` must return a new, empty store on each call.
"""

import math
from collections.abc import Callable, Sequence
from typing import Protocol

import pytest

from casetrail.ledger.merkle import (
    HashFn,
    consistency_path_from_leaf_hashes,
    inclusion_path_from_leaf_hashes,
    leaf_hash,
    root_from_leaf_hashes,
    sha256,
    verify_consistency,
    verify_inclusion,
)
from casetrail.ledger.tree import (
    HashReader,
    prove_consistency,
    prove_inclusion,
    split_stored_hash_index,
    stored_hash_count,
    tree_hash,
)


class HashStore(HashReader, Protocol):
    def append_leaf_hashes(self, leaf_hashes: list[bytes]) -> None: ...

    def size(self) -> int: ...


StoreFactory = Callable[[], HashStore]
ContractCheck = Callable[[StoreFactory, HashFn], None]

# Uneven batches, an empty one among them, cross many subtree boundaries.
BATCHES = (1, 0, 2, 5, 1, 13, 31, 8)


class CountingReader:
    """Wraps a store to count its reads, whatever the backend."""

    def __init__(self, store: HashReader) -> None:
        self.store = store
        self.calls = 0
        self.hashes = 0

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        self.calls += 1
        self.hashes += len(indexes)
        return self.store.read_hashes(indexes)


def sample_leaf_hashes(count: int, h: HashFn) -> list[bytes]:
    return [leaf_hash(f"contract entry {i}".encode(), h) for i in range(count)]


def filled_store(make_store: StoreFactory, h: HashFn) -> tuple[HashStore, list[bytes]]:
    leaves = sample_leaf_hashes(sum(BATCHES), h)
    store, start = make_store(), 0
    for count in BATCHES:
        store.append_leaf_hashes(leaves[start : start + count])
        start += count
        assert store.size() == start, f"size() is {store.size()} after {start} leaves"
    return store, leaves


def expected_stored_hash(index: int, leaves: Sequence[bytes], h: HashFn) -> bytes:
    level, n = split_stored_hash_index(index)
    return root_from_leaf_hashes(leaves[n << level : (n + 1) << level], h)


def check_empty_store(make_store: StoreFactory, h: HashFn) -> None:
    store = make_store()
    assert store.size() == 0, "a new store is not empty"
    assert tree_hash(0, store, h) == h(b""), "the empty tree must hash to h(b'')"
    with pytest.raises(LookupError):
        store.read_hashes([0])


def check_layout_matches_the_reference(make_store: StoreFactory, h: HashFn) -> None:
    store, leaves = filled_store(make_store, h)
    count = stored_hash_count(len(leaves))
    stored = store.read_hashes(list(range(count)))
    expected = [expected_stored_hash(index, leaves, h) for index in range(count)]
    assert stored == expected, "stored hashes differ from the complete subtrees' hashes"
    for missing in (count, count + 1, -1):
        with pytest.raises(LookupError):
            store.read_hashes([missing])


def check_reads_follow_the_requested_order(make_store: StoreFactory, h: HashFn) -> None:
    store, leaves = filled_store(make_store, h)
    indexes = [7, 0, 30, 7, 2]
    expected = [expected_stored_hash(index, leaves, h) for index in indexes]
    assert store.read_hashes(indexes) == expected, "read_hashes must answer in request order"
    assert store.read_hashes([]) == [], "an empty read must return nothing"


def check_single_and_batched_appends_agree(make_store: StoreFactory, h: HashFn) -> None:
    batched, leaves = filled_store(make_store, h)
    single = make_store()
    for leaf in leaves:
        single.append_leaf_hashes([leaf])
    everything = list(range(stored_hash_count(len(leaves))))
    assert single.read_hashes(everything) == batched.read_hashes(everything)


def check_heads_and_proofs_match_the_reference(make_store: StoreFactory, h: HashFn) -> None:
    store, leaves = filled_store(make_store, h)
    for n in range(1, len(leaves) + 1):
        root = root_from_leaf_hashes(leaves[:n], h)
        assert tree_hash(n, store, h) == root, f"tree head of size {n} differs"
        for index in {0, n // 2, n - 1}:
            proof = prove_inclusion(index, n, store, h)
            assert proof == inclusion_path_from_leaf_hashes(index, leaves[:n], h)
            verify_inclusion(leaves[index], index, n, proof, root, h)
        for m in {0, 1, n // 2, n - 1, n}:
            proof = prove_consistency(m, n, store, h)
            assert proof == consistency_path_from_leaf_hashes(m, leaves[:n], h)
            verify_consistency(m, n, proof, root_from_leaf_hashes(leaves[:m], h), root, h)


def check_reads_are_batched_and_logarithmic(make_store: StoreFactory, h: HashFn) -> None:
    store, leaves = filled_store(make_store, h)
    n = len(leaves)
    bound = 2 * math.log2(n) + 4
    for action in (
        lambda r: tree_hash(n, r, h),
        lambda r: prove_inclusion(n // 3, n, r, h),
        lambda r: prove_consistency(n // 3, n, r, h),
    ):
        reader = CountingReader(store)
        action(reader)
        assert reader.calls == 1, f"{reader.calls} reads instead of one batch"
        assert reader.hashes <= bound, f"{reader.hashes} hashes read, more than {bound:.0f}"


CONTRACT_CHECKS: tuple[ContractCheck, ...] = (
    check_empty_store,
    check_layout_matches_the_reference,
    check_reads_follow_the_requested_order,
    check_single_and_batched_appends_agree,
    check_heads_and_proofs_match_the_reference,
    check_reads_are_batched_and_logarithmic,
)


def check_store_contract(make_store: StoreFactory, h: HashFn = sha256) -> None:
    """Run every contract check against stores made by ``make_store``."""
    for check in CONTRACT_CHECKS:
        check(make_store, h)
