"""A blob store in a local folder: ``root/ab/cd/<sha256>``, read-only files, never overwritten.

A file becomes visible only through ``os.link`` of a complete, fsynced, hash-checked file in
``root/.tmp`` (DESIGN invariant 6: registered only after it is fully written and its hash
checked). ``os.link`` refuses an existing name, so a stored file is never overwritten and
identical content is kept once. A crash leaves at most a file in ``.tmp``, which nothing reads
and ``discard_stale_temp`` removes. Stored files are mode 0444.

The one exception to "never replaced" is ``replace_corrupt``: a stored file whose content no
longer matches its address is replaced, atomically, by a verified copy, and the corrupt bytes
are kept in ``root/.quarantine/`` for forensics.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from casetrail.evidence.errors import BlobMissing, StoreError
from casetrail.evidence.flusher import FlushingWriter
from casetrail.evidence.hashing import (
    CHUNK_SIZE,
    Digests,
    hash_stream,
    is_sha256,
    require_sha256,
    sha256_stream,
)

__all__ = ["LocalBlobStore"]

READ_ONLY = 0o444
_HEX = frozenset("0123456789abcdef")


def _fsync_dir(path: Path) -> None:
    """Make a new or removed name in ``path`` durable (a file's fsync does not cover its name)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_shard(path: Path) -> bool:
    return len(path.name) == 2 and set(path.name) <= _HEX and path.is_dir()


class LocalBlobStore:
    """Blobs in a folder; see the module docstring for the layout and the guarantees."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = f"file://{root}"
        self.tmp_dir = root / ".tmp"
        self.quarantine_dir = root / ".quarantine"
        for folder in (root, self.tmp_dir, self.quarantine_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._tmp_resolved = self.tmp_dir.resolve()

    def path(self, sha256: str) -> Path:
        """Where the blob ``sha256`` is (or would be) stored."""
        require_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put_file(self, path: Path, digests: Digests, *, hashed_while_writing: bool = False) -> bool:
        """Store ``path`` under ``digests.sha256``; False if it was already stored.

        A file already in ``tmp_dir`` (written there by the ingest, and closed) is re-read for
        its SHA-256 while it is fsynced, then linked in place; it stays the caller's to remove.
        Any other file is copied in, hashing the bytes as they are copied, and fsynced. Either
        way the SHA-256 and the size must match ``digests``. The SM3 is not recomputed here: it
        was taken in the same pass as the SHA-256.

        ``hashed_while_writing=True`` is the caller's statement that ``digests`` were computed,
        in one pass, from the very buffers it wrote to ``path`` (in ``tmp_dir``), that nothing
        else wrote to the file, and that it fsynced it: a tus upload received in one PATCH
        (``uploads._receive``). Such a file is not re-read: the re-read would hash the same
        bytes a second time, from the page cache rather than the disk, so it would catch
        nothing the writer's hash does not (and costs about 0.75 s per GiB). DESIGN invariant 6
        still holds: the hash was checked against the bytes written, the size is checked here,
        the file is fsynced again (nearly free when the caller already did) before it is linked,
        and the scrub (``casetrail scrub``) later re-hashes what is on the disk. The flag is
        ignored for a file outside ``tmp_dir``, which is copied and hashed as it is copied.
        """
        final = self.path(digests.sha256)
        if os.path.lexists(final):
            self._check_present(final, digests)
            return False
        if path.resolve().parent == self._tmp_resolved:
            if hashed_while_writing:
                _fsync_file(path)
                self._check_size(path, digests)
                return self._publish(path, final, digests)
            # The disk write (fsync) and the re-read (from the page cache) overlap.
            with ThreadPoolExecutor(1) as pool, path.open("rb", buffering=0) as source:
                synced = pool.submit(_fsync_file, path)
                content = sha256_stream(source)
                synced.result()
            self._check_content(content, digests, str(path))
            return self._publish(path, final, digests)
        with path.open("rb", buffering=0) as source, self._staged_copy(source) as staged:
            staged_path, content = staged
            self._check_content(content, digests, str(path))
            return self._publish(staged_path, final, digests)

    def put_stream(
        self, source: BinaryIO, *, max_size: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> tuple[Digests, bool]:
        """Store what ``source`` yields, in one pass; returns its digests and whether it is new.

        The store hashes (SHA-256 and SM3) the very buffers it writes, so, unlike
        ``put_file``, it has no caller's digests to doubt and need not re-read the file: the
        fast path of the ingest. ``TooLarge`` past ``max_size``; nothing is left behind then.
        """
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="stream-")
        staged = Path(name)
        try:
            # The disk writes what came so far while the rest is read and hashed (``Flusher``).
            with FlushingWriter(fd) as sink:
                digests = hash_stream(source, sink, chunk_size=chunk_size, max_size=max_size)
                sink.join()
                os.fsync(sink.fileno())
            final = self.path(digests.sha256)
            if os.path.lexists(final):
                self._check_present(final, digests)
                return digests, False
            return digests, self._publish(staged, final, digests)
        finally:
            staged.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobMissing(self.name, sha256) from None

    def open_range(self, sha256: str, first: int, last: int) -> BinaryIO:
        handle = self.open(sha256)
        handle.seek(first)
        return handle

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(self.name, sha256) from None

    def iter_sha256(self) -> Iterator[str]:
        """Every stored address, in order; ``.tmp`` and ``.quarantine`` are not blobs."""
        for first in sorted(p for p in self.root.iterdir() if _is_shard(p)):
            for second in sorted(p for p in first.iterdir() if _is_shard(p)):
                prefix = first.name + second.name
                for entry in sorted(second.iterdir()):
                    if is_sha256(entry.name) and entry.name.startswith(prefix):
                        yield entry.name

    def digest(self, sha256: str) -> Digests:
        try:
            with self.path(sha256).open("rb", buffering=0) as source:
                return hash_stream(source)
        except FileNotFoundError:
            raise BlobMissing(self.name, sha256) from None

    def replace_corrupt(self, sha256: str, source: BinaryIO) -> Path | None:
        """Replace a stored file whose content is proven wrong by a copy read from ``source``.

        The stored file is re-hashed first; if it is intact nothing changes. The copy from
        ``source`` must hash to ``sha256``. The corrupt file is hard-linked into
        ``.quarantine/`` and then atomically replaced (``os.replace``), so the address never
        points at nothing. A missing file is restored the same way. Returns the quarantined
        copy, or None if there was nothing corrupt to set aside.
        """
        final = self.path(sha256)
        if final.exists():
            with final.open("rb", buffering=0) as current:
                if sha256_stream(current)[0] == sha256:
                    return None
        with self._staged_copy(source) as (staged, (actual, _size)):
            if actual != sha256:
                raise StoreError(f"{self.name}: the replacement for {sha256} hashes to {actual}")
            os.chmod(staged, READ_ONLY)
            self._make_parents(final)
            quarantined = None
            if final.exists():
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
                quarantined = self.quarantine_dir / f"{sha256}.{stamp}.{secrets.token_hex(4)}"
                os.link(final, quarantined)
                _fsync_dir(self.quarantine_dir)
                os.replace(staged, final)
            else:
                os.link(staged, final)
            _fsync_dir(final.parent)
        return quarantined

    def discard_stale_temp(self, older_than_seconds: float) -> int:
        """Remove temporary files left by interrupted writes; returns how many were removed."""
        cutoff = time.time() - older_than_seconds
        removed = 0
        for entry in self.tmp_dir.iterdir():
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink(missing_ok=True)
                removed += 1
        return removed

    @contextlib.contextmanager
    def _staged_copy(self, source: BinaryIO) -> Iterator[tuple[Path, tuple[str, int]]]:
        """Copy ``source`` into a new file in ``tmp_dir`` (hashing it), fsync it, and remove
        the temporary name on the way out, whatever happens."""
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="put-")
        staged = Path(name)
        try:
            with FlushingWriter(fd) as sink:
                content = sha256_stream(source, sink)
                sink.join()
                os.fsync(sink.fileno())
            yield staged, content
        finally:
            staged.unlink(missing_ok=True)

    def _check_content(self, content: tuple[str, int], digests: Digests, what: str) -> None:
        sha256, size = content
        if (sha256, size) != (digests.sha256, digests.size):
            raise StoreError(
                f"{self.name}: {what} has SHA-256 {sha256} and {size} bytes, "
                f"expected {digests.sha256} and {digests.size} bytes; not stored"
            )

    def _check_size(self, path: Path, digests: Digests) -> None:
        size = path.stat().st_size
        if size != digests.size:
            raise StoreError(
                f"{self.name}: {path} has {size} bytes, but its digests were taken over "
                f"{digests.size} bytes; not stored"
            )

    def _check_present(self, final: Path, digests: Digests) -> None:
        stored = final.stat().st_size
        if stored != digests.size:
            raise StoreError(
                f"{self.name}: the stored {digests.sha256} has {stored} bytes, expected "
                f"{digests.size}: the stored copy or the digests are wrong (run a scrub)"
            )

    def _make_parents(self, final: Path) -> None:
        for folder in (final.parent.parent, final.parent):
            if not folder.is_dir():
                folder.mkdir(exist_ok=True)
                _fsync_dir(folder.parent)

    def _publish(self, staged: Path, final: Path, digests: Digests) -> bool:
        os.chmod(staged, READ_ONLY)
        self._make_parents(final)
        try:
            os.link(staged, final)
        except FileExistsError:
            self._check_present(final, digests)
            return False
        _fsync_dir(final.parent)
        return True
