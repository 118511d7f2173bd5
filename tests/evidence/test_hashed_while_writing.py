"""A file hashed as it is written is linked without a second read, and still checked.

A tus upload received in one PATCH is hashed (SHA-256 + SM3) from the very buffers written to
its partial file, which is then fsynced; ``LocalBlobStore.put_file(..., hashed_while_writing=True)``
links it without re-reading it (DESIGN invariant 6 still holds: the hash is of the bytes
written, the size is checked, the file is fsynced before it is visible, the scrub re-hashes).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from pytest_django import Settings

from casetrail.cases.models import Case
from casetrail.evidence import local_store as local_store_module
from casetrail.evidence import uploads
from casetrail.evidence.errors import StoreError
from casetrail.evidence.hashing import Digests, hash_stream, sha256_stream
from casetrail.evidence.local_store import LocalBlobStore
from casetrail.evidence.storage import primary_store
from tests.evidence.av import MP4_NAME, at, travel_to, unique_mp4, use_fresh_store
from tests.evidence.conftest import MakeFile
from tests.personas import World, open_case


def written_and_hashed(store: LocalBlobStore, data: bytes) -> tuple[Path, Digests]:
    """What a one-PATCH tus append does: write into ``tmp_dir``, hashing the same buffers,
    then fsync."""
    path = store.tmp_dir / "tus-test.part"
    with path.open("wb", buffering=0) as sink:
        digests = hash_stream(io.BytesIO(data), sink)
        os.fsync(sink.fileno())
    return path, digests


@pytest.fixture
def re_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the store reads again for its SHA-256 (the real re-read still runs)."""
    seen: list[Path] = []

    def counting(source: Any, *args: Any, **kwargs: Any) -> tuple[str, int]:
        seen.append(Path(source.name))
        return sha256_stream(source, *args, **kwargs)

    monkeypatch.setattr(local_store_module, "sha256_stream", counting)
    return seen


def test_a_file_hashed_while_written_is_linked_without_a_re_read(
    local_store: LocalBlobStore, re_reads: list[Path]
) -> None:
    data = unique_mp4("hashed while written") * 1000
    path, digests = written_and_hashed(local_store, data)

    assert local_store.put_file(path, digests, hashed_while_writing=True) is True

    assert re_reads == []
    stored = local_store.path(digests.sha256)
    assert stored.stat().st_ino == path.stat().st_ino, "linked, not copied"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o444
    assert local_store.digest(digests.sha256) == digests, "what a scrub re-hashes agrees"


def test_by_default_a_file_in_tmp_is_read_again(
    local_store: LocalBlobStore, re_reads: list[Path]
) -> None:
    path, digests = written_and_hashed(local_store, unique_mp4("not vouched for"))

    assert local_store.put_file(path, digests) is True

    assert re_reads == [path]


def test_a_size_that_does_not_add_up_is_still_refused(local_store: LocalBlobStore) -> None:
    """GIVEN bytes appended after the hash was taken WHEN the writer vouches for its hash THEN
    the size check refuses the file and nothing is stored."""
    path, digests = written_and_hashed(local_store, unique_mp4("hashed"))
    with path.open("ab") as handle:
        handle.write(b"written after the hash")

    with pytest.raises(StoreError, match="not stored"):
        local_store.put_file(path, digests, hashed_while_writing=True)

    assert not local_store.exists(digests.sha256)
    assert list(local_store.iter_sha256()) == []


def test_a_file_outside_tmp_is_copied_and_checked_whatever_the_flag(
    local_store: LocalBlobStore, make_file: MakeFile
) -> None:
    path, digests = make_file(b"recording as hashed")
    path.write_bytes(b"recording as edited")

    with pytest.raises(StoreError, match="not stored"):
        local_store.put_file(path, digests, hashed_while_writing=True)

    assert list(local_store.iter_sha256()) == []
    assert list(local_store.tmp_dir.iterdir()) == []


@pytest.fixture
def case(world: World, monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> Case:
    use_fresh_store(settings, tmp_path)
    travel_to(monkeypatch, at(2026, 9, 29))
    opened = open_case(world)
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    return opened


def test_a_tus_upload_in_one_patch_is_stored_without_a_re_read(
    world: World, case: Case, re_reads: list[Path]
) -> None:
    data = unique_mp4("one patch") * 1000
    upload = uploads.create_upload(
        user=world.zhang.user, case=case, filename=MP4_NAME, length=len(data), metadata={}
    )

    upload = uploads.append(upload, offset=0, body=io.BytesIO(data), size=len(data), checksum=None)

    assert re_reads == []
    assert upload.completed_at is not None
    assert upload.blob_sha256 == hashlib.sha256(data).hexdigest()
    assert upload.blob_sm3 == hashlib.new("sm3", data).hexdigest()
    store = primary_store()
    assert isinstance(store, LocalBlobStore)
    assert store.path(upload.blob_sha256).read_bytes() == data
    assert list(store.tmp_dir.iterdir()) == []


def test_a_tus_upload_in_two_patches_is_hashed_from_the_file(
    world: World, case: Case, re_reads: list[Path]
) -> None:
    """No hasher followed the whole file: it is hashed once complete, then checked as stored."""
    data = unique_mp4("two patches") * 1000
    half = len(data) // 2
    upload = uploads.create_upload(
        user=world.zhang.user, case=case, filename=MP4_NAME, length=len(data), metadata={}
    )

    upload = uploads.append(
        upload, offset=0, body=io.BytesIO(data[:half]), size=half, checksum=None
    )
    upload = uploads.append(
        upload, offset=half, body=io.BytesIO(data[half:]), size=len(data) - half, checksum=None
    )

    assert upload.completed_at is not None
    assert upload.blob_sha256 == hashlib.sha256(data).hexdigest()
    assert len(re_reads) == 1
