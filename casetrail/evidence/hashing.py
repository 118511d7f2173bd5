"""One pass over a file: SHA-256 and SM3 (GB/T 32905-2016) together, with bounded memory.

Every evidence file is hashed with both algorithms as it arrives: SHA-256 is the content
address of the blob store, SM3 the national algorithm that the dossier and the ledger may cite.
DESIGN invariant 6 (no data is lost) requires that a file be registered only after it is fully
written and its hash checked, so the hash is taken from exactly the bytes that are written.

Speed (the ingest benchmark is ``openssl dgst -sm3`` on the same file): hashlib releases the GIL
for buffers larger than 2 KiB, so SM3 runs in a worker thread while the caller's thread reads,
computes SHA-256 and writes. Both threads work on the same buffers, taken from a fixed pool of
``_DEPTH`` buffers of ``chunk_size`` bytes; a buffer returns to the pool once SM3 is done with
it, so memory stays at ``_DEPTH * chunk_size`` whatever the size of the file.
"""

from __future__ import annotations

import hashlib
import io
import queue
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO, Self

from casetrail.evidence.errors import StoreError, TooLarge

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = [
    "CHUNK_SIZE",
    "Digests",
    "StreamingHasher",
    "hash_file",
    "hash_stream",
    "is_sha256",
    "require_sha256",
    "sha256_stream",
]

CHUNK_SIZE = 4 * 1024 * 1024
# Buffers in flight: one being read and hashed with SHA-256, one or two queued for SM3.
_DEPTH = 3
_HEX64 = re.compile(r"[0-9a-f]{64}")

_Work = queue.SimpleQueue[tuple[bytearray, int] | None]


@dataclass(frozen=True)
class Digests:
    """The SHA-256 and SM3 of a file (lower-case hex) and its size in bytes."""

    sha256: str
    sm3: str
    size: int

    def __post_init__(self) -> None:
        if not _HEX64.fullmatch(self.sha256):
            raise ValueError(f"sha256 must be 64 lower-case hex digits, not {self.sha256!r}")
        if not _HEX64.fullmatch(self.sm3):
            raise ValueError(f"sm3 must be 64 lower-case hex digits, not {self.sm3!r}")
        if self.size < 0:
            raise ValueError(f"size must not be negative, not {self.size}")


def is_sha256(value: str) -> bool:
    """Whether ``value`` is a SHA-256 in lower-case hex, the only form a blob address takes."""
    return _HEX64.fullmatch(value) is not None


def require_sha256(value: str) -> str:
    """``value`` if it is a blob address; a ValueError otherwise (never build a path from junk)."""
    if not is_sha256(value):
        raise ValueError(f"not a SHA-256 in lower-case hex: {value!r}")
    return value


def _sm3_worker(
    work: _Work,
    free: queue.SimpleQueue[bytearray],
    sm3: hashlib._Hash,
    failure: list[BaseException],
) -> None:
    """Hash each queued buffer with SM3, then hand it back to the pool, until ``None`` arrives.

    A module-level function, not a method, so that the thread holds no reference to its
    ``_Pipeline``: an abandoned pipeline is collected and its finalizer stops the thread.
    """
    while (item := work.get()) is not None:
        buffer, length = item
        if not failure:
            try:
                sm3.update(memoryview(buffer)[:length])
            except BaseException as exc:  # re-raised in the caller's thread by finish()
                failure.append(exc)
        free.put(buffer)


class _Pipeline:
    """SM3 in a worker thread, SHA-256 in the caller's thread, over a fixed pool of buffers."""

    def __init__(self, chunk_size: int) -> None:
        if chunk_size < 4096:
            raise ValueError(f"chunk_size must be at least 4096 bytes, not {chunk_size}")
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        for _ in range(_DEPTH):
            self._free.put(bytearray(chunk_size))
        self._work: _Work = queue.SimpleQueue()
        self._sha256 = hashlib.sha256()
        self._sm3 = hashlib.new("sm3")
        self._failure: list[BaseException] = []
        self.size = 0
        self._thread = threading.Thread(
            target=_sm3_worker,
            args=(self._work, self._free, self._sm3, self._failure),
            name="casetrail-sm3",
            daemon=True,
        )
        self._thread.start()
        self._stop = weakref.finalize(self, self._work.put, None)

    def buffer(self) -> bytearray:
        """A buffer to fill; waits while SM3 still holds all of them (this bounds memory)."""
        return self._free.get()

    def give_back(self, buffer: bytearray) -> None:
        self._free.put(buffer)

    def submit(self, buffer: bytearray, length: int) -> memoryview:
        """Hash ``buffer[:length]`` with both algorithms; the caller may read it until the next
        ``buffer()`` call, e.g. to write it out."""
        self._work.put((buffer, length))
        view = memoryview(buffer)[:length]
        self._sha256.update(view)
        self.size += length
        return view

    def finish(self) -> Digests:
        self.close()
        if self._failure:
            raise StoreError(f"SM3 failed: {self._failure[0]!r}") from self._failure[0]
        return Digests(self._sha256.hexdigest(), self._sm3.hexdigest(), self.size)

    def close(self) -> None:
        """Stop the worker thread (idempotent)."""
        self._stop()
        self._thread.join()


def _reader(source: BinaryIO) -> Callable[[bytearray], int]:
    """A ``readinto`` for ``source``: zero-copy for real files and BytesIO, else ``read`` + copy."""
    if isinstance(source, io.RawIOBase | io.BufferedIOBase):
        readable = source

        def readinto(buffer: bytearray) -> int:
            count = readable.readinto(buffer)
            if count is None:
                raise StoreError("the source is non-blocking and had no data; give a blocking one")
            return count

        return readinto

    def read_and_copy(buffer: bytearray) -> int:
        data = source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    return read_and_copy


def _write_all(sink: BinaryIO, view: memoryview) -> None:
    """Write all of ``view``: a raw (unbuffered) file may take only part of it in one call."""
    while view:
        written = sink.write(view)
        if written is None:  # a non-blocking raw stream that took nothing
            raise StoreError("the sink is non-blocking and took no data; give a blocking one")
        view = view[written:]


def hash_stream(
    source: BinaryIO,
    sink: BinaryIO | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
    max_size: int | None = None,
) -> Digests:
    """Read ``source`` to its end once, hashing it and writing every byte to ``sink`` if given.

    Raises ``TooLarge`` before the chunk that would pass ``max_size`` is hashed or written; the
    caller then deletes what it had written (nothing partial is kept). The sink is neither
    flushed nor synced: that is the caller's decision, as the caller owns the file.
    """
    readinto = _reader(source)
    pipeline = _Pipeline(chunk_size)
    try:
        while True:
            buffer = pipeline.buffer()
            count = readinto(buffer)
            if count == 0:
                pipeline.give_back(buffer)
                return pipeline.finish()
            if max_size is not None and pipeline.size + count > max_size:
                raise TooLarge(max_size)
            view = pipeline.submit(buffer, count)
            if sink is not None:
                _write_all(sink, view)
    finally:
        pipeline.close()


def sha256_stream(
    source: BinaryIO, sink: BinaryIO | None = None, *, chunk_size: int = CHUNK_SIZE
) -> tuple[str, int]:
    """SHA-256 (hex) and size of ``source``, copying it to ``sink`` if given.

    SHA-256 alone runs about five times faster than SM3: this checks a file against its blob
    address (content verification when storing, repairing, or checking a replica's copy).
    """
    readinto = _reader(source)
    sha256 = hashlib.sha256()
    size = 0
    buffer = bytearray(chunk_size)
    with memoryview(buffer) as whole:
        while count := readinto(buffer):
            view = whole[:count]
            sha256.update(view)
            if sink is not None:
                _write_all(sink, view)
            size += count
    return sha256.hexdigest(), size


def hash_file(path: Path, *, chunk_size: int = CHUNK_SIZE) -> Digests:
    """The digests of a complete file, e.g. a resumable (tus) upload once its last part is in.

    A tus upload may be spread over many requests and processes, so no in-memory hasher can
    follow it; the file is hashed once it is complete, before it is stored.
    """
    with path.open("rb", buffering=0) as source:
        return hash_stream(source, chunk_size=chunk_size)


class StreamingHasher:
    """SHA-256 and SM3 of chunks pushed in by the caller (e.g. a request body read in parts).

    Small chunks are gathered into full buffers before they are hashed, so the speed does not
    depend on how the caller cuts the data. Use as a context manager, or call ``finish()`` or
    ``close()``: either stops the worker thread.
    """

    def __init__(self, *, chunk_size: int = CHUNK_SIZE, max_size: int | None = None) -> None:
        self._pipeline = _Pipeline(chunk_size)
        self._max_size = max_size
        self._buffer: bytearray | None = self._pipeline.buffer()
        self._filled = 0

    @property
    def size(self) -> int:
        """Bytes taken in so far."""
        return self._pipeline.size + self._filled

    def update(self, data: ReadableBuffer) -> None:
        """Take in ``data``; raises ``TooLarge`` (and closes) if it would pass ``max_size``."""
        with memoryview(data) as raw, raw.cast("B") as view:
            if self._max_size is not None and self.size + len(view) > self._max_size:
                self.close()
                raise TooLarge(self._max_size)
            offset = 0
            while offset < len(view):
                buffer = self._current()
                take = min(len(view) - offset, len(buffer) - self._filled)
                buffer[self._filled : self._filled + take] = view[offset : offset + take]
                self._filled += take
                offset += take
                if self._filled == len(buffer):
                    self._pipeline.submit(buffer, self._filled)
                    self._buffer, self._filled = self._pipeline.buffer(), 0

    def finish(self) -> Digests:
        """The digests of everything taken in; the hasher cannot be used afterwards."""
        buffer = self._current()
        if self._filled:
            self._pipeline.submit(buffer, self._filled)
        else:
            self._pipeline.give_back(buffer)
        self._buffer, self._filled = None, 0
        return self._pipeline.finish()

    def close(self) -> None:
        """Abandon the hash and stop the worker thread (idempotent)."""
        self._buffer, self._filled = None, 0
        self._pipeline.close()

    def _current(self) -> bytearray:
        if self._buffer is None:
            raise ValueError("this StreamingHasher is finished or closed")
        return self._buffer

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
