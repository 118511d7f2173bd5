"""Off-site copies, scrubbing and repair of stored evidence files.

Seed A art. 14 asks for periodic off-site backups (定期异地备份) of the audio-visual records;
DESIGN invariant 6 (no data is lost) adds that backups are verified by hash. So:

- ``replicate`` copies blobs to a second store (a folder or an S3 bucket) and re-hashes what the
  target holds before counting a copy as made;
- ``scrub`` re-hashes stored files (all, or a random sample) and reports what is missing, of the
  wrong size or of the wrong content — a read-only checker, as paperless-ngx's sanity checker;
- ``repair`` replaces a local file whose content is proven wrong with a replica's copy, after
  checking that copy's hash, and keeps the corrupt bytes in quarantine for forensics.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError

from casetrail.evidence.blobstore import BlobStore
from casetrail.evidence.errors import BlobMissing, StoreError
from casetrail.evidence.hashing import Digests, hash_stream, require_sha256
from casetrail.evidence.local_store import LocalBlobStore

__all__ = ["Corruption", "ReplicationResult", "repair", "replicate", "scrub"]

# What may go wrong with one blob without stopping the others; each is reported with its reason.
_BLOB_ERRORS = (StoreError, OSError, ValueError, BotoCoreError, ClientError)

Problem = Literal["missing", "wrong_size", "mismatch", "unreadable"]


@dataclass(frozen=True)
class ReplicationResult:
    """``copied``: new copies made; ``verified``: every address whose copy in the target was
    re-hashed and found right (new copies included); ``failed``: address → reason."""

    copied: tuple[str, ...] = ()
    verified: tuple[str, ...] = ()
    failed: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class Corruption:
    """A stored blob that is not what its address says."""

    sha256: str
    problem: Problem
    detail: str


def _copy(source: BlobStore, target: BlobStore, sha256: str, staging_dir: Path | None) -> Digests:
    """Copy one blob, checking the source's copy first (a corrupt copy is never spread)."""
    if isinstance(source, LocalBlobStore):
        digests = source.digest(sha256)
        if digests.sha256 != sha256:
            raise StoreError(f"the copy in {source.name} hashes to {digests.sha256}; not copied")
        target.put_file(source.path(sha256), digests)
        return digests
    fd, name = tempfile.mkstemp(dir=staging_dir, prefix="replicate-")
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink, source.open(sha256) as stream:
            digests = hash_stream(stream, sink)
        if digests.sha256 != sha256:
            raise StoreError(f"the copy in {source.name} hashes to {digests.sha256}; not copied")
        target.put_file(temp, digests)
    finally:
        temp.unlink(missing_ok=True)
    return digests


def replicate(
    source: BlobStore,
    target: BlobStore,
    sha256s: Iterable[str],
    *,
    staging_dir: Path | None = None,
) -> ReplicationResult:
    """Copy to ``target`` the blobs it lacks, and verify every copy by re-hashing it there.

    A copy already in the target is verified too (SHA-256 and size); a new copy must match the
    source's SHA-256, SM3 and size. Blobs from a non-local source pass through a temporary file
    in ``staging_dir``.
    """
    copied: list[str] = []
    verified: list[str] = []
    failed: dict[str, str] = {}
    for sha256 in dict.fromkeys(sha256s):
        try:
            require_sha256(sha256)
            expected = None
            if not target.exists(sha256):
                expected = _copy(source, target, sha256, staging_dir)
            held = target.digest(sha256)
            if expected is not None and held != expected:
                failed[sha256] = f"the copy in {target.name} has {held}, expected {expected}"
            elif held.sha256 != sha256:
                failed[sha256] = f"the copy in {target.name} hashes to {held.sha256}"
            else:
                if expected is not None:
                    copied.append(sha256)
                verified.append(sha256)
        except _BLOB_ERRORS as error:
            failed[sha256] = f"{type(error).__name__}: {error}"
    return ReplicationResult(tuple(copied), tuple(verified), failed)


def scrub(
    store: BlobStore,
    expected: Mapping[str, int] | Iterable[str],
    *,
    sample: int | None = None,
    rng: random.Random | None = None,
) -> list[Corruption]:
    """Re-hash the expected blobs (or ``sample`` of them, drawn with ``rng``) and report the bad.

    ``expected`` maps each address to its registered size, or just lists the addresses (then
    sizes are not compared). An empty list means every checked blob is intact.
    """
    if isinstance(expected, str):
        raise TypeError("expected must be addresses or a mapping of address → size, not a str")
    sizes: dict[str, int | None] = (
        dict(expected.items()) if isinstance(expected, Mapping) else dict.fromkeys(expected)
    )
    addresses = list(sizes)
    if sample is not None and sample < len(addresses):
        addresses = (rng or random.SystemRandom()).sample(addresses, sample)
    found: list[Corruption] = []
    for sha256 in addresses:
        problem = _check(store, sha256, sizes[sha256])
        if problem is not None:
            found.append(problem)
    return found


def _check(store: BlobStore, sha256: str, size: int | None) -> Corruption | None:
    try:
        held = store.digest(sha256)
    except BlobMissing:
        return Corruption(sha256, "missing", f"{store.name} has no copy")
    except _BLOB_ERRORS as error:
        return Corruption(sha256, "unreadable", f"{type(error).__name__}: {error}")
    if size is not None and held.size != size:
        return Corruption(sha256, "wrong_size", f"{held.size} bytes stored, {size} registered")
    if held.sha256 != sha256:
        return Corruption(sha256, "mismatch", f"the stored bytes hash to {held.sha256}")
    return None


def repair(local: LocalBlobStore, replica: BlobStore, sha256: str) -> Path | None:
    """Replace a corrupt (or missing) local blob with the replica's copy.

    The local copy is re-hashed first: an intact file is left alone (the only stored file ever
    replaced is one whose content is proven wrong). The replica's copy is hashed as it is
    copied and used only if it matches ``sha256``; otherwise ``StoreError`` and nothing
    changes. The corrupt bytes are kept in ``local.quarantine_dir``; returns that copy (None if
    the local file was missing, or intact and left alone).
    """
    require_sha256(sha256)
    if not replica.exists(sha256):
        raise BlobMissing(replica.name, sha256)
    with replica.open(sha256) as stream:
        return local.replace_corrupt(sha256, stream)
