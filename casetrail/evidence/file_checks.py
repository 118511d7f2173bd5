"""`casetrail verify --files`: every registered file re-hashed against its registration.

Seed A art. 15 (不得伪造、删改、销毁行政执法记录); DESIGN invariant 3: verify recomputes every hash
from the database *and the blob store*. For each `Blob` row the primary store's copy is read
once (SHA-256 and SM3 in one pass) and compared with the row's ``sha256``, ``sm3`` and
``size``; the row itself is checked against the ledger by verify's row pass. Registered into
`casetrail.ledger.verify.FILE_CHECKS` by `EvidenceConfig.ready()`.

Findings (stable kinds, as in `ledger/verify.py`):

``file_missing``  the store holds no copy of a registered file
``file_altered``  the stored copy's size, SHA-256 or SM3 differs from its registration, or the
                  copy cannot be read

Each names table ``evidence_blob``, the blob's id and the ledger index of the entry that
registered the file (the first recording's ``recording.register``), once it is integrated.
"""

from __future__ import annotations

import json

from botocore.exceptions import BotoCoreError, ClientError

from casetrail.evidence.blobstore import BlobStore
from casetrail.evidence.errors import BlobMissing, StoreError
from casetrail.evidence.hashing import Digests
from casetrail.evidence.models import Blob, Recording
from casetrail.evidence.storage import primary_store
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import FILE_CHECKS, FileScan, Finding

__all__ = ["BLOB_TABLE", "FILE_ALTERED", "FILE_MISSING", "check_blob_files", "register"]

FILE_MISSING = "file_missing"
FILE_ALTERED = "file_altered"
BLOB_TABLE = Blob._meta.db_table
_READ_ERRORS = (StoreError, OSError, ValueError, BotoCoreError, ClientError)


def _problem(store: BlobStore, registered: Digests) -> tuple[str, str] | None:
    """The finding kind and why, or None if the stored copy is the registered file."""
    sha256 = registered.sha256
    try:
        held = store.digest(sha256)
    except BlobMissing:
        return FILE_MISSING, f"{store.name} has no copy of {sha256}"
    except _READ_ERRORS as error:
        return (
            FILE_ALTERED,
            f"{store.name}: {sha256} cannot be read ({type(error).__name__}: {error})",
        )
    if held == registered:
        return None
    changed = [
        f"{name} {getattr(held, name)} (registered {getattr(registered, name)})"
        for name in ("size", "sha256", "sm3")
        if getattr(held, name) != getattr(registered, name)
    ]
    return FILE_ALTERED, f"{store.name}: the stored copy of {sha256} has " + ", ".join(changed)


def registering_index(blob_id: int) -> int | None:
    """The leaf index of the entry that committed to the blob row (None if not integrated).

    Only called for a damaged file: one recording and the few entries of its case are read.
    """
    first = Recording.objects.filter(blob_id=blob_id).order_by("pk").first()
    if first is None:
        return None
    entries = LedgerEntry.objects.filter(case_id=first.case_id, action="recording.register")
    for entry in entries.select_related("leaf").order_by("pk"):
        records = json.loads(entry.payload).get("records", [])
        if any(ref.get("table") == BLOB_TABLE and ref.get("id") == blob_id for ref in records):
            return entry.leaf.index if hasattr(entry, "leaf") else None
    return None


def check_blob_files() -> FileScan:
    """Re-hash every registered file in the primary store; see the module docstring."""
    store = primary_store()
    findings: list[Finding] = []
    checked = 0
    rows = Blob.objects.order_by("pk").values_list("pk", "sha256", "sm3", "size")
    for blob_id, sha256, sm3, size in rows.iterator(chunk_size=2000):
        checked += 1
        try:
            problem = _problem(store, Digests(sha256=sha256, sm3=sm3, size=size))
        except ValueError as error:  # the row itself was damaged; verify's row pass says how
            problem = FILE_ALTERED, f"the registration of blob {blob_id} is malformed: {error}"
        if problem is not None:
            kind, detail = problem
            findings.append(Finding(kind, BLOB_TABLE, blob_id, registering_index(blob_id), detail))
    return FileScan(findings, checked)


def register() -> None:
    """Add the check to `FILE_CHECKS` (once, however often the app is readied)."""
    if check_blob_files not in FILE_CHECKS:
        FILE_CHECKS.append(check_blob_files)
