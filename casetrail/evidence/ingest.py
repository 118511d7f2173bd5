"""Streaming ingest: name check → type check → one pass (SHA-256 + SM3 + write) → blob store.

Seed A art. 14 / Seed B art. 26 require audio-visual records to be stored within 2 / 5 working
days; this is the step that stores them. DESIGN invariant 6 (no data is lost): the upload is
written to a temporary file and hashed in the same pass, and only the complete file is handed
to the store, which checks its SHA-256 again and makes it durable (fsync, or the S3 server's
own checksum) before it becomes visible. Whatever is refused (a bad
name, an empty file, a format off the DA/T 70 allow-list, a renamed file, a file over the
maximum) is refused with a message naming the field and the rule, and the temporary file is
removed: nothing partial is left behind.

The type is judged from the first ``HEAD_SIZE`` bytes before the rest is read, so a refused
upload costs one small read, not a multi-gigabyte write.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from casetrail.evidence.errors import TooLarge
from casetrail.evidence.hashing import CHUNK_SIZE, Digests, hash_file, hash_stream
from casetrail.evidence.local_store import LocalBlobStore
from casetrail.evidence.sniff import HEAD_SIZE, Sniffed, check_filename, classify

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from casetrail.evidence.blobstore import BlobStore

__all__ = ["Ingested", "ingest_file", "ingest_stream"]


@dataclass(frozen=True)
class Ingested:
    """A stored file: its digests, its checked type and name, and whether it was new."""

    digests: Digests
    sniffed: Sniffed
    filename: str
    created: bool


class _Prefixed(io.RawIOBase):
    """The bytes already read (the head), then the rest of the source."""

    def __init__(self, head: bytes, source: BinaryIO) -> None:
        self._head = memoryview(head)
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        with memoryview(buffer) as raw, raw.cast("B") as view:
            if self._head:
                count = min(len(view), len(self._head))
                view[:count] = self._head[:count]
                self._head = self._head[count:]
                return count
            if isinstance(self._source, io.RawIOBase | io.BufferedIOBase):
                return self._source.readinto(view) or 0
            data = self._source.read(len(view))
            view[: len(data)] = data
            return len(data)


def _read_head(source: BinaryIO) -> bytes:
    head = bytearray()
    while len(head) < HEAD_SIZE and (data := source.read(HEAD_SIZE - len(head))):
        head += data
    return bytes(head)


def ingest_stream(
    source: BinaryIO,
    filename: str,
    store: BlobStore,
    *,
    max_size: int,
    staging_dir: Path | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Ingested:
    """Store an upload read from ``source``; raises ``RefusedFile`` (``TooLarge``) or
    ``StoreError``, leaving nothing behind.

    A local store takes the stream in one pass (``LocalBlobStore.put_stream``); for any other
    store the upload is staged in ``staging_dir`` (default: the system's temporary folder),
    then handed to ``put_file``.
    """
    check_filename(filename)
    head = _read_head(source)
    sniffed = classify(head, filename)
    whole = io.BufferedReader(_Prefixed(head, source), buffer_size=chunk_size)
    if isinstance(store, LocalBlobStore):
        digests, created = store.put_stream(whole, max_size=max_size, chunk_size=chunk_size)
        return Ingested(digests=digests, sniffed=sniffed, filename=filename, created=created)
    fd, name = tempfile.mkstemp(dir=staging_dir, prefix="ingest-")
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink:
            digests = hash_stream(whole, sink, chunk_size=chunk_size, max_size=max_size)
        # No fsync: the staged copy is uploaded (the server checks its SHA-256) and removed.
        created = store.put_file(temp, digests)
    finally:
        temp.unlink(missing_ok=True)
    return Ingested(digests=digests, sniffed=sniffed, filename=filename, created=created)


def ingest_file(path: Path, filename: str, store: BlobStore, *, max_size: int) -> Ingested:
    """Store a complete file already on disk (a finished resumable upload). The file itself is
    left for the caller to remove; put it in ``LocalBlobStore.tmp_dir`` to avoid a copy."""
    check_filename(filename)
    size = path.stat().st_size
    if size > max_size:
        raise TooLarge(max_size)
    with path.open("rb") as source:
        sniffed = classify(source.read(HEAD_SIZE), filename)
    digests = hash_file(path)
    created = store.put_file(path, digests)
    return Ingested(digests=digests, sniffed=sniffed, filename=filename, created=created)
