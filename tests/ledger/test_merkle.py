"""RFC 9162 hashing, reference proofs and verification in casetrail.ledger.merkle."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.ledger.merkle import (
    HASH_FUNCTIONS,
    ProofError,
    consistency_path_from_leaf_hashes,
    hash_function,
    inclusion_path_from_leaf_hashes,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    sha256,
    sm3,
    verify_consistency,
    verify_inclusion,
)

# The RFC 6962 test tree, from transparency-dev/merkle testonly/constants.go (LeafInputs,
# NodeHashes, RootHashes), the same data as google/certificate-transparency merkle_tree_test.
LEAVES = [
    bytes.fromhex(x)
    for x in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
LEAF_HASHES_HEX = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]
EMPTY_ROOT_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ROOTS_HEX = [  # sizes 1..8
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, path): transparency-dev/merkle proof/verify_test.go inclusionProofs
# (whose leaf numbers are 1-based, converted here) and testonly/reference_test.go.
INCLUSION_VECTORS = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
]
# (old size, new size, path): transparency-dev/merkle proof/verify_test.go consistencyProofs.
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SM3_ABC_HEX = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"

VECTOR_LEAF_HASHES = [leaf_hash(data) for data in LEAVES]


def root(size: int) -> bytes:
    return bytes.fromhex(ROOTS_HEX[size - 1])


def unhex(path: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in path]


def flip_byte(data: bytes, position: int) -> bytes:
    position %= len(data)
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def test_leaf_hashes_match_the_published_vectors() -> None:
    assert [x.hex() for x in VECTOR_LEAF_HASHES] == LEAF_HASHES_HEX


def test_empty_tree_hashes_to_the_hash_of_nothing() -> None:
    assert root_from_leaf_hashes([]).hex() == EMPTY_ROOT_HEX
    assert root_from_leaf_hashes([], sm3) == sm3(b"")


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_published_vectors(size: int) -> None:
    assert root_from_leaf_hashes(VECTOR_LEAF_HASHES[:size]) == root(size)


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION_VECTORS)
def test_inclusion_paths_match_the_published_vectors(
    index: int, size: int, path: list[str]
) -> None:
    proof = inclusion_path_from_leaf_hashes(index, VECTOR_LEAF_HASHES[:size])
    assert proof == unhex(path)
    verify_inclusion(VECTOR_LEAF_HASHES[index], index, size, proof, root(size))


@pytest.mark.parametrize(("size1", "size2", "path"), CONSISTENCY_VECTORS)
def test_consistency_paths_match_the_published_vectors(
    size1: int, size2: int, path: list[str]
) -> None:
    proof = consistency_path_from_leaf_hashes(size1, VECTOR_LEAF_HASHES[:size2])
    assert proof == unhex(path)
    verify_consistency(size1, size2, proof, root(size1), root(size2))


def test_node_hash_prefixes_the_children_with_one() -> None:
    left, right = VECTOR_LEAF_HASHES[0], VECTOR_LEAF_HASHES[1]
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert node_hash(left, right) == root(2)


def test_sm3_matches_its_standard_vector_and_changes_every_root() -> None:
    assert sm3(b"abc").hex() == SM3_ABC_HEX
    sm3_leaves = [leaf_hash(data, sm3) for data in LEAVES]
    for size in range(1, 9):
        sm3_root = root_from_leaf_hashes(sm3_leaves[:size], sm3)
        assert sm3_root != root(size)
        for index in range(size):
            proof = inclusion_path_from_leaf_hashes(index, sm3_leaves[:size], sm3)
            verify_inclusion(sm3_leaves[index], index, size, proof, sm3_root, sm3)
            if proof:
                with pytest.raises(ProofError):
                    verify_inclusion(sm3_leaves[index], index, size, proof, sm3_root)


def test_hash_functions_are_found_by_name() -> None:
    assert dict(HASH_FUNCTIONS) == {"sha256": sha256, "sm3": sm3}
    assert hash_function("sm3") is sm3
    with pytest.raises(ValueError, match="'md5'"):
        hash_function("md5")


def test_reference_paths_refuse_impossible_positions() -> None:
    with pytest.raises(ValueError, match="outside"):
        inclusion_path_from_leaf_hashes(3, VECTOR_LEAF_HASHES[:3])
    with pytest.raises(ValueError, match="outside"):
        consistency_path_from_leaf_hashes(4, VECTOR_LEAF_HASHES[:3])
    assert consistency_path_from_leaf_hashes(0, VECTOR_LEAF_HASHES) == []


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 1), (-1, 3), (3, 3)])
def test_inclusion_outside_the_tree_is_refused(index: int, size: int) -> None:
    with pytest.raises(ProofError, match="outside"):
        verify_inclusion(VECTOR_LEAF_HASHES[0], index, size, [], root(1))


def test_inclusion_proof_of_wrong_length_is_refused() -> None:
    proof = inclusion_path_from_leaf_hashes(5, VECTOR_LEAF_HASHES)
    with pytest.raises(ProofError, match="longer"):
        verify_inclusion(VECTOR_LEAF_HASHES[5], 5, 8, [*proof, root(8)], root(8))
    with pytest.raises(ProofError, match="shorter"):
        verify_inclusion(VECTOR_LEAF_HASHES[5], 5, 8, proof[:-1], root(8))


def test_trivial_consistency_needs_an_empty_proof_and_matching_roots() -> None:
    empty = root_from_leaf_hashes([])
    verify_consistency(0, 0, [], empty, empty)
    verify_consistency(0, 5, [], empty, root(5))
    verify_consistency(5, 5, [], root(5), root(5))
    with pytest.raises(ProofError, match="same size"):
        verify_consistency(5, 5, [], root(5), root(6))
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(5, 5, [root(5)], root(5), root(5))
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 5, [], root(1), root(5))


def test_consistency_that_shrinks_or_lacks_a_proof_is_refused() -> None:
    with pytest.raises(ProofError, match="do not grow"):
        verify_consistency(6, 5, [], root(6), root(5))
    with pytest.raises(ProofError, match="is empty"):
        verify_consistency(2, 5, [], root(2), root(5))
    proof = consistency_path_from_leaf_hashes(6, VECTOR_LEAF_HASHES)
    with pytest.raises(ProofError, match="longer"):
        verify_consistency(6, 8, [*proof, root(8)], root(6), root(8))
    with pytest.raises(ProofError, match="shorter"):
        verify_consistency(6, 8, proof[:-1], root(6), root(8))


def test_a_path_alone_does_not_pin_the_size_so_roots_come_from_signed_tree_heads() -> None:
    # Size 3 and size 4 share the shape of leaf 0's path, so only the root tells them apart.
    proof = inclusion_path_from_leaf_hashes(0, VECTOR_LEAF_HASHES[:3])
    verify_inclusion(VECTOR_LEAF_HASHES[0], 0, 4, proof, root(3))
    with pytest.raises(ProofError, match="root"):
        verify_inclusion(VECTOR_LEAF_HASHES[0], 0, 4, proof, root(4))


def test_prefixes_defeat_the_second_preimage_forgery() -> None:
    data = [f"case record {i}".encode() for i in range(4)]
    leaf_hashes = [leaf_hash(x) for x in data]
    honest_root = root_from_leaf_hashes(leaf_hashes)
    # Present the children of the left interior node as one leaf of a two-leaf tree.
    forged = leaf_hashes[0] + leaf_hashes[1]
    right_node = node_hash(leaf_hashes[2], leaf_hashes[3])
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(forged), 0, 2, [right_node], honest_root)


def test_without_prefixes_the_same_forgery_verifies() -> None:
    def unprefixed(prefixed: bytes) -> bytes:
        # Dropping the 0x00/0x01 byte turns merkle.py into a plain, prefix-less Merkle tree.
        return hashlib.sha256(prefixed[1:]).digest()

    data = [f"case record {i}".encode() for i in range(4)]
    leaf_hashes = [leaf_hash(x, unprefixed) for x in data]
    honest_root = root_from_leaf_hashes(leaf_hashes, unprefixed)
    forged = leaf_hashes[0] + leaf_hashes[1]
    right_node = node_hash(leaf_hashes[2], leaf_hashes[3], unprefixed)
    verify_inclusion(leaf_hash(forged, unprefixed), 0, 2, [right_node], honest_root, unprefixed)
    assert forged not in data


LEAF_POOL = [leaf_hash(f"entry {i}".encode()) for i in range(301)]
ROOTS = [root_from_leaf_hashes(LEAF_POOL[:n]) for n in range(302)]


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, 300))
    return size, draw(st.integers(0, size - 1))


@settings(max_examples=150, deadline=None)
@given(size_and_index(), st.integers(1, 300), st.integers(0, 300), st.integers(0, 10_000))
def test_inclusion_verifies_and_tampering_is_refused(
    position: tuple[int, int], other_size: int, other_index: int, byte: int
) -> None:
    size, index = position
    leaf = LEAF_POOL[index]
    proof = inclusion_path_from_leaf_hashes(index, LEAF_POOL[:size])
    verify_inclusion(leaf, index, size, proof, ROOTS[size])
    with pytest.raises(ProofError):
        verify_inclusion(LEAF_POOL[300], index, size, proof, ROOTS[size])
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, flip_byte(ROOTS[size], byte))
    if other_index != index:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, other_index, size, proof, ROOTS[size])
    if other_size != size:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, other_size, proof, ROOTS[other_size])
    for i in range(len(proof)):
        tampered = [*proof[:i], flip_byte(proof[i], byte), *proof[i + 1 :]]
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, tampered, ROOTS[size])


@st.composite
def old_and_new_size(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(2, 300))
    return draw(st.integers(1, size2 - 1)), size2


@settings(max_examples=150, deadline=None)
@given(old_and_new_size(), st.integers(1, 300), st.integers(1, 300), st.integers(0, 10_000))
def test_consistency_verifies_and_tampering_is_refused(
    sizes: tuple[int, int], other1: int, other2: int, byte: int
) -> None:
    size1, size2 = sizes
    proof = consistency_path_from_leaf_hashes(size1, LEAF_POOL[:size2])
    verify_consistency(size1, size2, proof, ROOTS[size1], ROOTS[size2])
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, flip_byte(ROOTS[size1], byte), ROOTS[size2])
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, ROOTS[size1], flip_byte(ROOTS[size2], byte))
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, ROOTS[size2], ROOTS[size1])
    if (other1, other2) != (size1, size2):
        with pytest.raises(ProofError):
            verify_consistency(other1, other2, proof, ROOTS[other1], ROOTS[other2])
    for i in range(len(proof)):
        tampered = [*proof[:i], flip_byte(proof[i], byte), *proof[i + 1 :]]
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, tampered, ROOTS[size1], ROOTS[size2])
