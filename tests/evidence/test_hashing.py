"""One-pass SHA-256 + SM3: equal to hashlib, GB/T 32905 vectors, bounded memory, clean threads."""

from __future__ import annotations

import hashlib
import io
import os
import random
import threading
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

import pytest

from casetrail.evidence.errors import TooLarge
from casetrail.evidence.hashing import (
    CHUNK_SIZE,
    Digests,
    StreamingHasher,
    hash_file,
    hash_stream,
    sha256_stream,
)

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

SIZES = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 10_000_000]


def expected(data: bytes) -> Digests:
    return Digests(
        hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest(), len(data)
    )


@pytest.mark.parametrize("size", SIZES)
def test_hash_stream_matches_hashlib_and_copies_every_byte(size: int) -> None:
    data = random.Random(size).randbytes(size)
    sink = io.BytesIO()

    assert hash_stream(io.BytesIO(data), sink) == expected(data)
    assert sink.getvalue() == data


@pytest.mark.parametrize("size", SIZES)
def test_streaming_hasher_matches_whatever_the_chunking(size: int) -> None:
    data = random.Random(size).randbytes(size)
    rng = random.Random(size + 1)
    with StreamingHasher() as hasher:
        offset = 0
        while offset < size:
            step = rng.choice([1, 1000, 65_536, CHUNK_SIZE + 7])
            hasher.update(data[offset : offset + step])
            offset += step
        assert hasher.size == size
        assert hasher.finish() == expected(data)


def test_hash_file_and_sha256_stream(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(3 * CHUNK_SIZE + 5)
    path = tmp_path / "recording.mp4"
    path.write_bytes(data)

    assert hash_file(path) == expected(data)
    assert sha256_stream(io.BytesIO(data)) == (hashlib.sha256(data).hexdigest(), len(data))


def test_a_source_without_readinto_is_read_and_copied() -> None:
    class ReadOnly:
        """Not an io class: only ``read``, as some upload wrappers offer."""

        def __init__(self, data: bytes) -> None:
            self.source = io.BytesIO(data)

        def read(self, size: int) -> bytes:
            return self.source.read(min(size, 1000))  # short reads, too

    data = random.Random(3).randbytes(CHUNK_SIZE + 3)
    assert hash_stream(cast(BinaryIO, ReadOnly(data))) == expected(data)


def test_a_sink_that_takes_part_of_each_write_still_gets_everything() -> None:
    class Dribble(io.RawIOBase):
        """A raw stream that takes at most 1000 bytes a call, as a raw file or pipe may."""

        def __init__(self) -> None:
            self.received = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, data: ReadableBuffer) -> int:
            with memoryview(data) as view:
                taken = view[:1000]
                self.received += taken
                return len(taken)

    data = random.Random(4).randbytes(50_000)
    sink = Dribble()

    hash_stream(io.BytesIO(data), cast(BinaryIO, sink), chunk_size=16_384)

    assert bytes(sink.received) == data


def test_sm3_and_sha256_known_answers() -> None:
    """GB/T 32905-2016 appendix A, examples 1 and 2; FIPS 180-2 for SHA-256 of "abc"."""
    abc = hash_stream(io.BytesIO(b"abc"))
    assert abc.sm3 == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert abc.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    sixty_four = hash_stream(io.BytesIO(b"abcd" * 16))
    assert sixty_four.sm3 == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_too_large_is_raised_before_the_excess_is_written() -> None:
    data = bytes(100_000)
    sink = io.BytesIO()

    assert hash_stream(io.BytesIO(data), max_size=100_000).size == 100_000
    with pytest.raises(TooLarge) as refused:
        hash_stream(io.BytesIO(data), sink, chunk_size=4096, max_size=99_999)
    assert len(sink.getvalue()) <= 99_999
    assert refused.value.field == "文件"
    assert "最大" in refused.value.reason


def test_streaming_hasher_refuses_past_max_size() -> None:
    with StreamingHasher(max_size=10) as hasher:
        hasher.update(b"12345")
        with pytest.raises(TooLarge):
            hasher.update(b"678901")


class Endless(io.RawIOBase):
    """``total`` bytes, generated without holding any of them (the buffer is reused as is)."""

    def __init__(self, total: int) -> None:
        self.left = total

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = min(memoryview(buffer).nbytes, self.left)
        self.left -= count
        return count


def test_memory_stays_bounded_for_a_large_stream() -> None:
    """GIVEN a 300 MB stream WHEN it is hashed and written THEN at most a few chunks are held."""
    total = 300 * 1024 * 1024
    tracemalloc.start()
    try:
        with open(os.devnull, "wb") as discard:
            digests = hash_stream(io.BufferedReader(Endless(total)), discard)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digests.size == total
    assert peak < 4 * CHUNK_SIZE, f"peak {peak / 2**20:.1f} MiB"


def test_no_worker_thread_is_left_behind() -> None:
    before = threading.active_count()
    hash_stream(io.BytesIO(b"x" * 10_000))
    with pytest.raises(TooLarge):
        hash_stream(io.BytesIO(b"x" * 10_000), max_size=10)
    hasher = StreamingHasher()
    hasher.update(b"abc")
    hasher.close()
    with pytest.raises(ValueError, match="finished or closed"):
        hasher.update(b"more")
    assert threading.active_count() == before


def test_digests_refuse_malformed_values() -> None:
    good = "a" * 64
    with pytest.raises(ValueError, match="sha256"):
        Digests("A" * 64, good, 1)
    with pytest.raises(ValueError, match="sm3"):
        Digests(good, "abc", 1)
    with pytest.raises(ValueError, match="size"):
        Digests(good, good, -1)
