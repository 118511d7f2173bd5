"""Proofs for people: inclusion of an act and consistency between two tree sizes, as JSON.

Everything in a proof is a hash: it can be published without revealing any record. The
payload (whose hash is the leaf) is shown only to those who may see the case.
"""

from __future__ import annotations

from typing import Any

from casetrail.ledger import tree
from casetrail.ledger.checkpoints import AgencyLog, latest_checkpoint, tree_root
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.integrate import DbHashStore
from casetrail.ledger.models import Checkpoint, LedgerLeaf, LogHead


class ProofRequestError(ValueError):
    """The proof asked for does not exist (yet); the message says why."""


def _checkpoint_at(agency: AgencyLog, size: int | None) -> Checkpoint:
    if size is None:
        checkpoint = latest_checkpoint(agency.agency_id)
    else:
        checkpoint = Checkpoint.objects.filter(agency_id=agency.agency_id, size=size).first()
    if checkpoint is None:
        raise ProofRequestError(f"{agency.origin}: no checkpoint at size {size or 'latest'}")
    return checkpoint


def inclusion(agency: AgencyLog, index: int, size: int | None = None) -> dict[str, Any]:
    """The inclusion proof of leaf *index* against the checkpoint of *size* (default: latest)."""
    checkpoint = _checkpoint_at(agency, size)
    if not 0 <= index < checkpoint.size:
        raise ProofRequestError(
            f"{agency.origin}: leaf {index} is not in the checkpoint of size {checkpoint.size}"
        )
    leaf = LedgerLeaf.objects.select_related("entry").get(agency_id=agency.agency_id, index=index)
    path = tree.prove_inclusion(
        index, checkpoint.size, DbHashStore(agency.agency_id), ledger_hash()
    )
    return {
        "origin": agency.origin,
        "hash": _hash_name(),
        "index": index,
        "tree_size": checkpoint.size,
        "leaf_hash": leaf.entry.leaf_hash,
        "root_hash": checkpoint.root_hash,
        "proof": [node.hex() for node in path],
        "checkpoint": checkpoint.note,
    }


def consistency(agency: AgencyLog, first: int, second: int) -> dict[str, Any]:
    """The consistency proof between the tree of size *first* and the larger *second*."""
    size = LogHead.objects.get(agency_id=agency.agency_id).size
    if not 0 < first <= second <= size:
        raise ProofRequestError(
            f"{agency.origin}: need 0 < m <= n <= {size} (integrated), got {first}, {second}"
        )
    store = DbHashStore(agency.agency_id)
    path = tree.prove_consistency(first, second, store, ledger_hash())
    return {
        "origin": agency.origin,
        "hash": _hash_name(),
        "first_size": first,
        "second_size": second,
        "first_root": tree_root(agency.agency_id, first).hex(),
        "second_root": tree_root(agency.agency_id, second).hex(),
        "proof": [node.hex() for node in path],
    }


def _hash_name() -> str:
    from django.conf import settings

    return str(settings.CASETRAIL_LEDGER_HASH)
