"""Background flushing of the ingest's staged file: the disk writes while the upload streams in,
a failed background sync is not lost, and nothing changes in what is stored."""

from __future__ import annotations

import errno
import io
import os
import random
import threading
from pathlib import Path

import pytest

from casetrail.evidence import flusher
from casetrail.evidence.flusher import Flusher, FlushingWriter
from casetrail.evidence.hashing import hash_stream
from casetrail.evidence.local_store import LocalBlobStore

KIB = 1024


def counting_syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replace the background fdatasync by one that records the descriptor (and still syncs)."""
    synced: list[int] = []
    real = os.fdatasync

    def fdatasync(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    return synced


def test_a_sync_starts_after_every_bytes_and_never_two_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    started: list[int] = []

    def slow_fdatasync(fd: int) -> None:
        started.append(fd)
        release.wait(5)

    monkeypatch.setattr(os, "fdatasync", slow_fdatasync)
    durable: list[int] = []
    with (tmp_path / "f").open("wb") as handle:
        flush = Flusher(handle.fileno(), every=100, on_durable=durable.append)
        flush.wrote(99)
        assert started == []
        flush.wrote(1)  # 100 bytes waiting: a sync starts
        flush.wrote(500)  # the first still runs: no second one at the same time
        assert started == [handle.fileno()]
        release.set()
        flush.join()
        # ... but the 500 bytes written meanwhile are synced right after, by the same thread
        assert started == [handle.fileno()] * 2
        assert durable == [100, 600]


def test_what_is_durable_is_reported_after_each_sync(tmp_path: Path) -> None:
    durable: list[int] = []
    with (tmp_path / "f").open("wb") as handle:
        flush = Flusher(handle.fileno(), every=100, on_durable=durable.append)
        for _ in range(3):
            flush.wrote(150)
            flush.wait()
        flush.wrote(50)  # under ``every``: not synced by the flusher
        flush.join()
    assert durable == [150, 300, 450]


def test_a_failed_background_sync_is_raised_by_join(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fdatasync(fd: int) -> None:
        raise OSError(errno.EIO, "disk on fire")

    monkeypatch.setattr(os, "fdatasync", failing_fdatasync)
    with (tmp_path / "f").open("wb") as handle:
        flush = Flusher(handle.fileno(), every=1)
        flush.wrote(1)
        flush.wait()  # waiting alone does not raise: the writer may be failing already
        with pytest.raises(OSError, match="disk on fire"):
            flush.join()


def test_the_writer_writes_everything_and_closes_its_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = counting_syncs(monkeypatch)
    path = tmp_path / "f"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    data = random.Random(3).randbytes(300 * KIB)
    with FlushingWriter(fd, every=64 * KIB) as sink:
        written = sum(
            sink.write(data[start : start + 32 * KIB]) for start in range(0, len(data), 32 * KIB)
        )
        sink.join()
    assert written == len(data)
    assert path.read_bytes() == data
    assert synced
    assert set(synced) == {fd}
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(fd)  # closed with the writer


def test_put_stream_syncs_while_it_writes_and_stores_the_same_bytes(
    local_store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flusher, "FLUSH_EVERY", 256 * KIB)
    synced = counting_syncs(monkeypatch)
    data = random.Random(5).randbytes(2 * 1024 * KIB + 7)

    digests, created = local_store.put_stream(io.BytesIO(data), chunk_size=64 * KIB)

    assert synced, "no background sync while the stream was written"
    assert created
    assert digests == hash_stream(io.BytesIO(data))
    assert local_store.path(digests.sha256).read_bytes() == data
    assert list(local_store.tmp_dir.iterdir()) == []


def test_put_stream_refuses_to_store_after_a_failed_background_sync(
    local_store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flusher, "FLUSH_EVERY", 64 * KIB)

    def failing_fdatasync(fd: int) -> None:
        raise OSError(errno.EIO, "disk on fire")

    monkeypatch.setattr(os, "fdatasync", failing_fdatasync)
    data = random.Random(6).randbytes(512 * KIB)

    with pytest.raises(OSError, match="disk on fire"):
        local_store.put_stream(io.BytesIO(data), chunk_size=64 * KIB)

    assert list(local_store.iter_sha256()) == []
    assert list(local_store.tmp_dir.iterdir()) == []
