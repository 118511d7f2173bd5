"""Where evidence files live: content-addressed blob stores behind one small protocol.

Seed A art. 14 requires audio-visual records to be stored in the enforcement information system
or a dedicated storage device within 2 working days, with periodic off-site backups; Seed B
art. 26 gives 5 working days. A blob store is that storage: each file is kept under its SHA-256,
is written completely before it becomes visible, is never overwritten, and is kept once however
often it is uploaded.

Two implementations: ``LocalBlobStore`` (a folder under the data folder, the default) and
``S3BlobStore`` (an S3-compatible bucket, for scale-out and off-site copies). DESIGN invariant 6
(no data is lost) is kept by ``put_file``: it checks the content against its SHA-256 while it
stores it and refuses a mismatch, so a file is registered only after it is fully written and
its hash checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

from casetrail.evidence.hashing import Digests
from casetrail.evidence.local_store import LocalBlobStore
from casetrail.evidence.s3_store import S3BlobStore

__all__ = ["BlobStore", "LocalBlobStore", "S3BlobStore", "store_from_url"]

DEFAULT_FOLDER = "blobs"


class BlobStore(Protocol):
    """A content-addressed store of immutable files, keyed by SHA-256 (lower-case hex)."""

    name: str

    def put_file(self, path: Path, digests: Digests) -> bool:
        """Store the complete file at ``path`` under ``digests.sha256``, checking its content.

        Returns False if the store already held it (identical content is stored once). Raises
        ``StoreError`` if the content does not match ``digests``; nothing is stored then.
        """
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored content, for reading; ``BlobMissing`` if absent."""
        ...

    def open_range(self, sha256: str, first: int, last: int) -> BinaryIO:
        """The stored bytes *first* to *last* (inclusive, as HTTP counts them), streamed: only
        that part is fetched. Read at most ``last - first + 1`` bytes from it; ``BlobMissing``
        if absent."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int:
        """The stored size in bytes; ``BlobMissing`` if absent."""
        ...

    def iter_sha256(self) -> Iterator[str]:
        """Every stored address, each once."""
        ...

    def digest(self, sha256: str) -> Digests:
        """Re-hash what is stored (streaming): the digests of the bytes as they are now."""
        ...


def store_from_url(url: str, *, data_dir: Path) -> LocalBlobStore | S3BlobStore:
    """The store a setting names.

    - empty: the folder ``blobs`` in the data folder (the default);
    - ``file:///absolute/path`` or a plain path (relative to the data folder);
    - ``s3://bucket?endpoint=http://host:port&region=…``: see ``S3BlobStore.from_url``.
    """
    if not url.strip():
        return LocalBlobStore(data_dir / DEFAULT_FOLDER)
    parts = urlsplit(url)
    if parts.scheme == "s3":
        return S3BlobStore.from_url(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            raise ValueError(f"{url!r}: write a local folder as file:///absolute/path")
        return LocalBlobStore(Path(unquote(parts.path)))
    if parts.scheme:
        raise ValueError(f"{url!r}: unknown scheme {parts.scheme!r}; use a path, file:// or s3://")
    path = Path(url).expanduser()
    return LocalBlobStore(path if path.is_absolute() else data_dir / path)
