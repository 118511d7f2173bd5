"""Write a file to disk while it is being written, so that the fsync at its end is short.

Left alone, the kernel keeps a whole upload in dirty pages (up to vm.dirty_background_ratio of
memory) and writes it out only at the final fsync, after the last byte was received and hashed:
for a 2 GiB recording that is seconds in which nothing else happens. ``Flusher`` starts an
``fdatasync`` in a background thread every ``FLUSH_EVERY`` bytes (never two at once), so the
disk writes while the caller reads, hashes and writes the next chunks; the caller's own fsync
then finds little left to do. The tus endpoint uses it too.

``on_durable``, if given, is called in the background thread after each sync that succeeded, with
the number of bytes counted before that sync started: they are on disk. The tus endpoint keeps
it in a durable-offset file, so that a crash mid-upload keeps what was synced (``uploads``).

``FlushingWriter`` is a file that feeds one, for code that only calls ``write`` (``hash_stream``).
An error of a background ``fdatasync`` is raised by ``join``: after a failed sync Linux may
report the next one as successful, so it must not be lost.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["FLUSH_EVERY", "Flusher", "FlushingWriter"]

FLUSH_EVERY = 64 * 1024 * 1024


class Flusher:
    """``fdatasync(fd)`` in the background after every ``every`` bytes written (default:
    ``FLUSH_EVERY``, read when the flusher is made)."""

    def __init__(
        self,
        fd: int,
        every: int | None = None,
        on_durable: Callable[[int], object] | None = None,
    ) -> None:
        every = FLUSH_EVERY if every is None else every
        if every <= 0:
            raise ValueError(f"every must be positive, not {every}")
        self._fd = fd
        self._every = every
        self._pending = 0
        self._written = 0
        self._on_durable = on_durable
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def wrote(self, count: int) -> None:
        """Count ``count`` more bytes written; start a sync if enough are waiting and none runs."""
        self._pending += count
        self._written += count
        if self._pending >= self._every and not (self._thread and self._thread.is_alive()):
            self._pending = 0
            self._thread = threading.Thread(
                target=self._sync, args=(self._written,), name="casetrail-flush", daemon=True
            )
            self._thread.start()

    def _sync(self, covered: int) -> None:
        """Sync; again, at once, if another ``every`` bytes were written meanwhile (so that what
        is durable is never more than ``every`` behind, even when the writes then stop)."""
        try:
            while True:
                os.fdatasync(self._fd)
                if self._on_durable is not None and self._error is None:
                    self._on_durable(covered)
                if self._written - covered < self._every:
                    return
                covered = self._written
        except OSError as error:  # raised by join(), in the writer's thread
            self._error = self._error or error

    def wait(self) -> None:
        """Wait for a running sync; its error, if any, is kept for ``join``."""
        if self._thread is not None:
            self._thread.join()

    def join(self) -> None:
        """Wait for a running sync and raise the error of any that failed."""
        self.wait()
        if self._error is not None:
            raise self._error


class FlushingWriter(io.FileIO):
    """An unbuffered file, opened for writing on ``fd`` (which it owns), whose writes feed a
    ``Flusher``. Closing it waits for a running sync before ``fd`` is closed; call ``join``
    before the final fsync, so that a failed background sync is raised."""

    def __init__(self, fd: int, every: int | None = None) -> None:
        super().__init__(fd, "wb", closefd=True)
        self.flusher = Flusher(fd, every)

    def write(self, data: ReadableBuffer, /) -> int:
        written = super().write(data) or 0
        self.flusher.wrote(written)
        return written

    def join(self) -> None:
        self.flusher.join()

    def close(self) -> None:
        if not self.closed:
            self.flusher.wait()
        super().close()
