"""The O(log n) stored-hash layout of casetrail.ledger.tree against the RFC 9162 reference."""

import math
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.ledger.merkle import (
    HashFn,
    ProofError,
    consistency_path_from_leaf_hashes,
    inclusion_path_from_leaf_hashes,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    sha256,
    sm3,
    verify_consistency,
    verify_inclusion,
)
from casetrail.ledger.tree import (
    MemoryStore,
    append_leaves,
    prove_consistency,
    prove_consistency_with_roots,
    prove_inclusion,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    stored_hashes_for_leaf,
    tree_hash,
)
from tests.ledger.tree_contract import CONTRACT_CHECKS, ContractCheck, check_store_contract

LEAVES = [leaf_hash(f"entry {i}".encode()) for i in range(301)]
ROOTS = [root_from_leaf_hashes(LEAVES[:n]) for n in range(302)]
STORE = MemoryStore()
STORE.append_leaf_hashes(LEAVES[:300])


def flip_byte(data: bytes, position: int) -> bytes:
    position %= len(data)
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def test_layout_of_the_first_leaves() -> None:
    # leaf 0, leaf 1, (1, 0), leaf 2, leaf 3, (1, 1), (2, 0), leaf 4
    layout = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4)]
    assert [stored_hash_index(level, n) for level, n in layout] == list(range(8))
    assert [split_stored_hash_index(index) for index in range(8)] == layout


def test_split_inverts_stored_hash_index() -> None:
    for level in range(10):
        for n in range(100):
            assert split_stored_hash_index(stored_hash_index(level, n)) == (level, n)


def test_stored_hash_count_agrees_with_the_stored_hash_indexes() -> None:
    # Go's StoredHashCount: everything up to the last leaf's hash, plus what that leaf completes.
    for n in range(1, 1_000):
        completed = ((n - 1) ^ n).bit_length() - 1
        assert stored_hash_count(n) == stored_hash_index(0, n - 1) + 1 + completed
    assert stored_hash_count(0) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: stored_hash_index(-1, 0),
        lambda: stored_hash_index(0, -1),
        lambda: split_stored_hash_index(-1),
        lambda: stored_hash_count(-1),
        lambda: tree_hash(-1, STORE),
        lambda: prove_inclusion(5, 5, STORE),
        lambda: prove_inclusion(-1, 5, STORE),
        lambda: prove_consistency(6, 5, STORE),
        lambda: prove_consistency(-1, 5, STORE),
    ],
)
def test_impossible_positions_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        call()


class ShortReader:
    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        return []


def test_a_reader_that_loses_hashes_is_detected() -> None:
    with pytest.raises(ValueError, match="returned 0 hashes for 1 indexes"):
        tree_hash(1, ShortReader())


@pytest.mark.parametrize("h", [sha256, sm3], ids=["sha256", "sm3"])
@pytest.mark.parametrize("check", CONTRACT_CHECKS, ids=lambda check: check.__name__)
def test_memory_store_meets_the_store_contract(check: ContractCheck, h: HashFn) -> None:
    check(lambda: MemoryStore(h), h)


def test_check_store_contract_runs_every_check() -> None:
    check_store_contract(MemoryStore)


def test_stored_hashes_for_leaf_start_with_the_leaf_and_climb() -> None:
    store = MemoryStore()
    for leaf in LEAVES[:3]:
        store.append(leaf)
    hashes = stored_hashes_for_leaf(3, LEAVES[3], store)
    level1 = node_hash(LEAVES[2], LEAVES[3])
    assert hashes == [LEAVES[3], level1, node_hash(node_hash(LEAVES[0], LEAVES[1]), level1)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=8))
def test_any_batching_stores_the_same_hashes(batches: list[int]) -> None:
    batched, single, start = MemoryStore(), MemoryStore(), 0
    for count in batches:
        batch = LEAVES[start : start + count]
        before = batched.read_calls
        batched.append_leaf_hashes(batch)
        assert batched.read_calls - before <= 1
        start += len(batch)
    assert [single.append(leaf) for leaf in LEAVES[:start]] == list(range(start))
    everything = list(range(stored_hash_count(start)))
    assert batched.size() == single.size() == start
    assert batched.read_hashes(everything) == single.read_hashes(everything)


def test_append_leaves_reads_only_earlier_hashes() -> None:
    store = MemoryStore()
    store.append_leaf_hashes(LEAVES[:5])
    before = store.reads
    new = append_leaves(5, LEAVES[5:8], store)
    # Only the complete subtrees [0, 4) and [4, 5) of the old tree take part in the merges.
    assert store.reads - before == 2
    assert len(new) == stored_hash_count(8) - stored_hash_count(5)


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, 300))
    return size, draw(st.integers(0, size - 1))


@settings(max_examples=150, deadline=None)
@given(size_and_index(), st.integers(0, 299), st.integers(0, 10_000))
def test_inclusion_proofs_equal_the_reference_and_verify(
    position: tuple[int, int], other_index: int, byte: int
) -> None:
    size, index = position
    proof = prove_inclusion(index, size, STORE)
    assert proof == inclusion_path_from_leaf_hashes(index, LEAVES[:size])
    assert tree_hash(size, STORE) == ROOTS[size]
    verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[300], index, size, proof, ROOTS[size])
    if other_index != index:
        with pytest.raises(ProofError):
            verify_inclusion(LEAVES[index], other_index, size, proof, ROOTS[size])
    if proof:
        with pytest.raises(ProofError):
            verify_inclusion(
                LEAVES[index], index, size, [flip_byte(proof[0], byte), *proof[1:]], ROOTS[size]
            )


@st.composite
def old_and_new_size(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(1, 300))
    return draw(st.integers(0, size2)), size2


@settings(max_examples=150, deadline=None)
@given(old_and_new_size(), st.integers(1, 300), st.integers(0, 10_000))
def test_consistency_proofs_equal_the_reference_and_verify(
    sizes: tuple[int, int], other_size: int, byte: int
) -> None:
    size1, size2 = sizes
    proof = prove_consistency(size1, size2, STORE)
    assert proof == consistency_path_from_leaf_hashes(size1, LEAVES[:size2])
    verify_consistency(size1, size2, proof, ROOTS[size1], ROOTS[size2])
    if proof and other_size != size1 and other_size <= size2:
        with pytest.raises(ProofError):
            verify_consistency(other_size, size2, proof, ROOTS[other_size], ROOTS[size2])
    if proof:
        tampered = [*proof[:-1], flip_byte(proof[-1], byte)]
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, tampered, ROOTS[size1], ROOTS[size2])


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_consistency_with_roots_is_the_proof_and_both_heads_in_one_read(
    sizes: tuple[int, int],
) -> None:
    size1, size2 = sizes
    calls = STORE.read_calls
    proof, root1, root2 = prove_consistency_with_roots(size1, size2, STORE)
    assert STORE.read_calls - calls <= 1
    assert proof == prove_consistency(size1, size2, STORE)
    assert (root1, root2) == (ROOTS[size1], ROOTS[size2])
    with pytest.raises(ValueError, match="outside"):
        prove_consistency_with_roots(size2 + 1, size2, STORE)


BIG = 100_000


@pytest.fixture(scope="module")
def big_store() -> MemoryStore:
    store = MemoryStore()
    for start in range(0, BIG, 10_000):
        store.append_leaf_hashes(
            [leaf_hash(i.to_bytes(4, "big")) for i in range(start, start + 10_000)]
        )
    return store


def log_bound(n: int) -> float:
    return 2 * math.log2(n) + 4


def test_big_store_has_the_reference_root(big_store: MemoryStore) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(BIG)]
    assert big_store.size() == BIG
    assert tree_hash(BIG, big_store) == root_from_leaf_hashes(leaves)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, BIG).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_heads_and_proofs_read_a_logarithmic_number_of_hashes(
    big_store: MemoryStore, position: tuple[int, int]
) -> None:
    n, index = position
    for read in (
        lambda: tree_hash(n, big_store),
        lambda: prove_inclusion(index, n, big_store),
        lambda: prove_consistency(index, n, big_store),
        lambda: prove_consistency_with_roots(index, n, big_store),
    ):
        calls, reads = big_store.read_calls, big_store.reads
        read()
        assert big_store.read_calls - calls <= 1
        assert big_store.reads - reads <= log_bound(n)


def test_proofs_in_the_big_store_verify(big_store: MemoryStore) -> None:
    n, m, index = BIG, 65_537, 54_321
    root, old_root = tree_hash(n, big_store), tree_hash(m, big_store)
    leaf = leaf_hash(index.to_bytes(4, "big"))
    verify_inclusion(leaf, index, n, prove_inclusion(index, n, big_store), root)
    verify_consistency(m, n, prove_consistency(m, n, big_store), old_root, root)
