"""Merkle tree hashing and proofs of RFC 9162 (Certificate Transparency v2), section 2.1.

Leaves are hashed as ``h(0x00 || data)`` and interior nodes as ``h(0x01 || left || right)``
(RFC 9162 section 2.1.1); the prefixes keep a leaf from ever being mistaken for an interior
node.  The hash function is a parameter so that a ledger may use SHA-256 or SM3.

The ``*_from_leaf_hashes`` functions are direct, O(n) transcriptions of the RFC definitions and
serve as the reference against which the O(log n) storage layout in ``tree.py`` is checked.
"""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

HashFn = Callable[[bytes], bytes]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def sha256(data: bytes) -> bytes:
    """SHA-256, the hash of RFC 9162's default ``sha256`` algorithm."""
    return hashlib.sha256(data).digest()


def sm3(data: bytes) -> bytes:
    """SM3 (GB/T 32905-2016) from OpenSSL; a hand-written SM3 would be unaudited."""
    return hashlib.new("sm3", data).digest()


HASH_FUNCTIONS: Mapping[str, HashFn] = MappingProxyType({"sha256": sha256, "sm3": sm3})


def hash_function(name: str) -> HashFn:
    """Look up a hash function by its name in ``HASH_FUNCTIONS``."""
    try:
        return HASH_FUNCTIONS[name]
    except KeyError:
        known = ", ".join(sorted(HASH_FUNCTIONS))
        raise ValueError(f"unknown hash function {name!r} (known: {known})") from None


def leaf_hash(data: bytes, h: HashFn = sha256) -> bytes:
    """``MTH({d(0)}) = HASH(0x00 || d(0))`` (RFC 9162 section 2.1.1)."""
    return h(LEAF_PREFIX + data)


def node_hash(left: bytes, right: bytes, h: HashFn = sha256) -> bytes:
    """``HASH(0x01 || left || right)``, an interior node (RFC 9162 section 2.1.1)."""
    return h(NODE_PREFIX + left + right)


def split_point(n: int) -> int:
    """The ``k`` of RFC 9162 section 2.1.1: the largest power of two smaller than ``n >= 2``."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes], h: HashFn = sha256) -> bytes:
    """The Merkle Tree Hash MTH of RFC 9162 section 2.1.1; the empty tree hashes to ``h(b"")``."""
    n = len(leaf_hashes)
    if n == 0:
        return h(b"")
    if n == 1:
        return leaf_hashes[0]
    k = split_point(n)
    return node_hash(
        root_from_leaf_hashes(leaf_hashes[:k], h), root_from_leaf_hashes(leaf_hashes[k:], h), h
    )


def inclusion_path_from_leaf_hashes(
    index: int, leaf_hashes: Sequence[bytes], h: HashFn = sha256
) -> list[bytes]:
    """``PATH(m, D[n])`` of RFC 9162 section 2.1.3.1, ordered from the leaf up to the root."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} is outside a tree of size {n}")
    if n == 1:
        return []
    k = split_point(n)
    if index < k:
        return [
            *inclusion_path_from_leaf_hashes(index, leaf_hashes[:k], h),
            root_from_leaf_hashes(leaf_hashes[k:], h),
        ]
    return [
        *inclusion_path_from_leaf_hashes(index - k, leaf_hashes[k:], h),
        root_from_leaf_hashes(leaf_hashes[:k], h),
    ]


def consistency_path_from_leaf_hashes(
    m: int, leaf_hashes: Sequence[bytes], h: HashFn = sha256
) -> list[bytes]:
    """``PROOF(m, D[n])`` of RFC 9162 section 2.1.4.1; empty when ``m`` is 0 or ``n``."""
    if not 0 <= m <= len(leaf_hashes):
        raise ValueError(f"old size {m} is outside 0..{len(leaf_hashes)}")
    return _subproof(m, leaf_hashes, True, h) if m else []


def _subproof(m: int, d: Sequence[bytes], b: bool, h: HashFn) -> list[bytes]:
    """``SUBPROOF(m, D[n], b)`` of RFC 9162 section 2.1.4.1."""
    n = len(d)
    if m == n:
        return [] if b else [root_from_leaf_hashes(d, h)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, d[:k], b, h), root_from_leaf_hashes(d[k:], h)]
    return [*_subproof(m - k, d[k:], False, h), root_from_leaf_hashes(d[:k], h)]


class ProofError(ValueError):
    """An inclusion or consistency proof does not verify; the message says which check failed."""


def _shift_to_odd(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift ``fn`` and ``sn`` until ``fn`` is odd or zero (RFC 9162 2.1.3.2 step 4.b.ii)."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(
    leaf_hash: bytes,
    index: int,
    size: int,
    proof: Sequence[bytes],
    root: bytes,
    h: HashFn = sha256,
) -> None:
    """Check an inclusion proof with the algorithm of RFC 9162 section 2.1.3.2.

    The proof binds the leaf to ``root``; the verifier must take ``size`` and ``root`` together
    from one signed tree head, since a path alone cannot tell some sizes apart.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r, h)
            fn, sn = _shift_to_odd(fn, sn)
        else:
            r = node_hash(r, p, h)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    if r != root:
        raise ProofError("inclusion proof does not lead to the expected root hash")


def verify_consistency(
    size1: int,
    size2: int,
    proof: Sequence[bytes],
    root1: bytes,
    root2: bytes,
    h: HashFn = sha256,
) -> None:
    """Check a consistency proof with the algorithm of RFC 9162 section 2.1.4.2.

    The RFC requires ``0 < size1 < size2``; the two trivial cases outside it (a tree is
    consistent with itself, the empty tree with every tree) need an empty proof.
    """
    if not 0 <= size1 <= size2:
        raise ProofError(f"sizes {size1} -> {size2} do not grow from a non-negative size")
    if size1 == size2 or size1 == 0:
        _verify_trivial_consistency(size1, size2, proof, root1, root2, h)
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the new root")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr, h), node_hash(c, sr, h)
            fn, sn = _shift_to_odd(fn, sn)
        else:
            sr = node_hash(sr, c, h)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the new root")
    if fr != root1:
        raise ProofError("consistency proof does not reproduce the old root hash")
    if sr != root2:
        raise ProofError("consistency proof does not reproduce the new root hash")


def _verify_trivial_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes, h: HashFn
) -> None:
    if proof:
        raise ProofError(f"consistency proof {size1} -> {size2} must be empty")
    if size1 == size2 and root1 != root2:
        raise ProofError(f"two different root hashes for the same size {size1}")
    if size1 == 0 and root1 != h(b""):
        raise ProofError("old root hash is not the empty tree's hash")
