"""The local folder: layout, read-only files, never overwritten, crash leaves nothing visible."""

from __future__ import annotations

import io
import os
import random
import stat
import time
from pathlib import Path

import pytest

from casetrail.evidence.errors import StoreError, TooLarge
from casetrail.evidence.hashing import hash_file, hash_stream
from casetrail.evidence.local_store import LocalBlobStore
from tests.evidence.conftest import MakeFile


def flip_a_byte(path: Path, offset: int = 3) -> None:
    """What bit rot or tampering does; the file must be made writable first (it is 0444)."""
    os.chmod(path, 0o644)
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def test_layout_and_read_only_files(local_store: LocalBlobStore, make_file: MakeFile) -> None:
    path, digests = make_file(b"recording")
    local_store.put_file(path, digests)
    sha = digests.sha256

    stored = local_store.root / sha[:2] / sha[2:4] / sha
    assert local_store.path(sha) == stored
    assert stat.S_IMODE(stored.stat().st_mode) == 0o444
    assert list(local_store.tmp_dir.iterdir()) == []


def test_a_file_staged_in_tmp_is_linked_not_copied(local_store: LocalBlobStore) -> None:
    staged = local_store.tmp_dir / "ingest-1"
    staged.write_bytes(b"a large recording, written once")
    digests = hash_file(staged)

    assert local_store.put_file(staged, digests) is True

    assert local_store.path(digests.sha256).stat().st_ino == staged.stat().st_ino
    assert staged.exists(), "the caller removes its own temporary file"


def test_put_stream_stores_in_one_pass(local_store: LocalBlobStore) -> None:
    data = random.Random(9).randbytes(5 * 1024 * 1024 + 1)

    digests, created = local_store.put_stream(io.BytesIO(data), chunk_size=1024 * 1024)
    again, created_again = local_store.put_stream(io.BytesIO(data))

    assert digests == again == hash_stream(io.BytesIO(data))
    assert (created, created_again) == (True, False)
    assert local_store.path(digests.sha256).read_bytes() == data
    assert stat.S_IMODE(local_store.path(digests.sha256).stat().st_mode) == 0o444
    assert list(local_store.tmp_dir.iterdir()) == []


def test_put_stream_past_the_maximum_leaves_nothing(local_store: LocalBlobStore) -> None:
    with pytest.raises(TooLarge):
        local_store.put_stream(io.BytesIO(bytes(10_000)), max_size=9_999, chunk_size=4096)

    assert list(local_store.tmp_dir.iterdir()) == []
    assert list(local_store.iter_sha256()) == []


def test_a_stored_file_is_never_overwritten(
    local_store: LocalBlobStore, make_file: MakeFile
) -> None:
    """GIVEN a stored file that went bad WHEN the same content is stored again THEN the bad
    file stays as it is (only repair, after proof, replaces it) and a scrub will find it."""
    path, digests = make_file(b"original recording")
    local_store.put_file(path, digests)
    stored = local_store.path(digests.sha256)
    flip_a_byte(stored)
    damaged = stored.read_bytes()

    assert local_store.put_file(path, digests) is False

    assert stored.read_bytes() == damaged
    assert local_store.digest(digests.sha256).sha256 != digests.sha256


def test_digest_detects_a_flipped_byte(local_store: LocalBlobStore, make_file: MakeFile) -> None:
    path, digests = make_file(b"x" * 10_000)
    local_store.put_file(path, digests)

    flip_a_byte(local_store.path(digests.sha256), offset=9_999)

    found = local_store.digest(digests.sha256)
    assert found.sha256 != digests.sha256
    assert found.size == digests.size


def test_a_crash_mid_write_leaves_no_visible_blob(local_store: LocalBlobStore) -> None:
    """GIVEN a process killed while writing (a partial temporary file is all that is left)
    THEN no blob is visible, and the leftover is swept once it is old."""
    leftover = local_store.tmp_dir / "put-crashed"
    leftover.write_bytes(b"half of a recor")

    assert list(local_store.iter_sha256()) == []
    assert local_store.discard_stale_temp(older_than_seconds=3600) == 0
    old = time.time() - 7200
    os.utime(leftover, (old, old))
    assert local_store.discard_stale_temp(older_than_seconds=3600) == 1
    assert not leftover.exists()


def test_a_failure_before_the_link_leaves_nothing(
    local_store: LocalBlobStore, make_file: MakeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the disk fails at the last step THEN neither the blob nor a temporary file remains."""
    path, digests = make_file(b"recording")

    def failing_link(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", failing_link)
    with pytest.raises(OSError, match="No space"):
        local_store.put_file(path, digests)

    assert not local_store.exists(digests.sha256)
    assert list(local_store.tmp_dir.iterdir()) == []


def test_a_changed_source_is_refused_while_copying(
    local_store: LocalBlobStore, make_file: MakeFile
) -> None:
    """The hash is taken from the bytes copied, not trusted from the caller."""
    path, digests = make_file(b"recording as hashed")
    path.write_bytes(b"recording as edited")

    with pytest.raises(StoreError, match="not stored"):
        local_store.put_file(path, digests)
    assert list(local_store.tmp_dir.iterdir()) == []


def test_replace_corrupt_leaves_an_intact_file_alone(
    local_store: LocalBlobStore, make_file: MakeFile
) -> None:
    path, digests = make_file(b"intact")
    local_store.put_file(path, digests)
    before = local_store.path(digests.sha256).stat().st_ino

    with path.open("rb") as replacement:
        assert local_store.replace_corrupt(digests.sha256, replacement) is None

    assert local_store.path(digests.sha256).stat().st_ino == before
    assert list(local_store.quarantine_dir.iterdir()) == []


def test_shard_folders_other_than_blobs_are_ignored(local_store: LocalBlobStore) -> None:
    (local_store.root / "zz").mkdir()
    (local_store.root / "ab" / "cd").mkdir(parents=True)
    (local_store.root / "ab" / "cd" / "notes.txt").write_text("not a blob")
    (local_store.root / "ab" / "cd" / ("ff" * 32)).write_text("in the wrong shard")

    assert list(local_store.iter_sha256()) == []
