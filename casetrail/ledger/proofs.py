"""Proofs for people: inclusion of an act and consistency between two tree sizes, as JSON.

Everything in a proof is a hash: it can be published without revealing any record. The
payload (whose hash is the leaf) is shown only to those who may see the case.

Each proof costs two queries: the checkpoint (with the leaf's hash) or the log head, then
every stored hash it needs (proof and roots) in one batch (`tree.py`, `DbHashStore`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Subquery

from casetrail.ledger import tree
from casetrail.ledger.checkpoints import AgencyLog
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.integrate import DbHashStore
from casetrail.ledger.models import Checkpoint, LedgerLeaf, LogHead


class ProofRequestError(ValueError):
    """The proof asked for does not exist (yet); the message says why."""


def _checkpoint_and_leaf(
    agency: AgencyLog, size: int | None, index: int
) -> tuple[int, str, str, str | None]:
    """(size, root hash, note) of the checkpoint of *size* (default: latest), and the leaf
    hash of the entry at *index*, if it has one, read together."""
    leaf = LedgerLeaf.objects.filter(agency_id=agency.agency_id, index=index).values(
        "entry__leaf_hash"
    )[:1]
    checkpoints = Checkpoint.objects.filter(agency_id=agency.agency_id)
    checkpoints = checkpoints.order_by("-size") if size is None else checkpoints.filter(size=size)
    row = (
        checkpoints.annotate(leaf_hash=Subquery(leaf))
        .values_list("size", "root_hash", "note", "leaf_hash")
        .first()
    )
    if row is None:
        raise ProofRequestError(f"{agency.origin}: no checkpoint at size {size or 'latest'}")
    return row


def inclusion(agency: AgencyLog, index: int, size: int | None = None) -> dict[str, Any]:
    """The inclusion proof of leaf *index* against the checkpoint of *size* (default: latest)."""
    tree_size, root_hash, note, leaf_hash = _checkpoint_and_leaf(agency, size, index)
    if not 0 <= index < tree_size:
        raise ProofRequestError(
            f"{agency.origin}: leaf {index} is not in the checkpoint of size {tree_size}"
        )
    if leaf_hash is None:
        raise LedgerLeaf.DoesNotExist("LedgerLeaf matching query does not exist.")
    path = tree.prove_inclusion(index, tree_size, DbHashStore(agency.agency_id), ledger_hash())
    return {
        "origin": agency.origin,
        "hash": _hash_name(),
        "index": index,
        "tree_size": tree_size,
        "leaf_hash": leaf_hash,
        "root_hash": root_hash,
        "proof": [node.hex() for node in path],
        "checkpoint": note,
    }


def consistency(agency: AgencyLog, first: int, second: int) -> dict[str, Any]:
    """The consistency proof between the tree of size *first* and the larger *second*."""
    size = LogHead.objects.filter(agency_id=agency.agency_id).values_list("size", flat=True).get()
    if not 0 < first <= second <= size:
        raise ProofRequestError(
            f"{agency.origin}: need 0 < m <= n <= {size} (integrated), got {first}, {second}"
        )
    path, first_root, second_root = tree.prove_consistency_with_roots(
        first, second, DbHashStore(agency.agency_id), ledger_hash()
    )
    return {
        "origin": agency.origin,
        "hash": _hash_name(),
        "first_size": first,
        "second_size": second,
        "first_root": first_root.hex(),
        "second_root": second_root.hex(),
        "proof": [node.hex() for node in path],
    }


def _hash_name() -> str:
    from django.conf import settings

    return str(settings.CASETRAIL_LEDGER_HASH)
