"""Streaming ingest: stored only when complete and checked; refused files leave nothing behind."""

from __future__ import annotations

import hashlib
import io
import os
import random
from pathlib import Path

import pytest

from casetrail.evidence.blobstore import BlobStore, LocalBlobStore, S3BlobStore
from casetrail.evidence.errors import RefusedFile, StoreError, TooLarge
from casetrail.evidence.hashing import Digests
from casetrail.evidence.ingest import ingest_file, ingest_stream
from tests.evidence.samples import SAMPLES

MP4_NAME, MP4_HEAD = SAMPLES["video/mp4"]
PDF_NAME, PDF = SAMPLES["application/pdf"]


def recording(size: int, seed: int = 0) -> bytes:
    """A 'video' of ``size`` bytes: a real MP4 signature followed by noise."""
    return MP4_HEAD + random.Random(seed).randbytes(size - len(MP4_HEAD))


def leftovers(store: LocalBlobStore) -> list[Path]:
    return list(store.tmp_dir.iterdir())


def test_a_recording_is_stored_with_both_hashes(local_store: LocalBlobStore) -> None:
    data = recording(3 * 1024 * 1024 + 17)

    stored = ingest_stream(
        io.BytesIO(data), MP4_NAME, local_store, max_size=10**9, chunk_size=2**20
    )

    assert stored.created
    assert stored.sniffed.media_type == "video/mp4"
    assert stored.sniffed.kind == "video"
    assert stored.digests == Digests(
        hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest(), len(data)
    )
    assert local_store.path(stored.digests.sha256).read_bytes() == data
    assert leftovers(local_store) == []


def test_the_same_recording_twice_is_stored_once(local_store: LocalBlobStore) -> None:
    data = recording(5000)

    first = ingest_stream(io.BytesIO(data), "a.mp4", local_store, max_size=10**6)
    second = ingest_stream(io.BytesIO(data), "b.mp4", local_store, max_size=10**6)

    assert (first.created, second.created) == (True, False)
    assert list(local_store.iter_sha256()) == [first.digests.sha256]


def test_a_renamed_pdf_is_refused_after_reading_only_its_head(
    local_store: LocalBlobStore,
) -> None:
    source = io.BytesIO(PDF + bytes(10_000_000))

    with pytest.raises(RefusedFile, match=r"\.mp4"):
        ingest_stream(source, "执法记录仪_0001.mp4", local_store, max_size=10**9)

    assert source.tell() <= 8192
    assert leftovers(local_store) == []
    assert list(local_store.iter_sha256()) == []


def test_an_empty_upload_is_refused(local_store: LocalBlobStore) -> None:
    with pytest.raises(RefusedFile, match="为空"):
        ingest_stream(io.BytesIO(b""), "a.mp4", local_store, max_size=100)
    assert leftovers(local_store) == []


def test_an_upload_over_the_maximum_leaves_nothing(local_store: LocalBlobStore) -> None:
    """GIVEN a 3 MB upload and a 2 MB limit THEN it is refused as soon as the limit is passed,
    and the partial temporary file is removed."""
    with pytest.raises(TooLarge, match="最大"):
        ingest_stream(
            io.BytesIO(recording(3_000_000)),
            MP4_NAME,
            local_store,
            max_size=2_000_000,
            chunk_size=65_536,
        )
    assert leftovers(local_store) == []
    assert list(local_store.iter_sha256()) == []


class Untouchable(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the name should have been refused before reading")


def test_a_bad_name_is_refused_before_anything_is_read(local_store: LocalBlobStore) -> None:
    with pytest.raises(RefusedFile) as refused:
        ingest_stream(io.BufferedReader(Untouchable()), "../etc/a.mp4", local_store, max_size=1)
    assert refused.value.field == "文件名"


def test_a_disk_failure_at_the_last_step_leaves_nothing(
    local_store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_link(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", failing_link)
    with pytest.raises(OSError, match="No space"):
        ingest_stream(io.BytesIO(recording(5000)), MP4_NAME, local_store, max_size=10**6)

    assert leftovers(local_store) == []
    assert list(local_store.iter_sha256()) == []


def test_a_store_failure_leaves_no_staged_file(
    s3_store: S3BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, digests: Digests) -> bool:
        raise StoreError("bucket unreachable")

    monkeypatch.setattr(s3_store, "put_file", refuse)
    staging = tmp_path / "staging"
    staging.mkdir()

    with pytest.raises(StoreError, match="unreachable"):
        ingest_stream(
            io.BytesIO(recording(5000)), MP4_NAME, s3_store, max_size=10**6, staging_dir=staging
        )

    assert list(staging.iterdir()) == []


def test_a_finished_resumable_upload_is_stored(local_store: LocalBlobStore, tmp_path: Path) -> None:
    upload = tmp_path / "tus-upload-1"
    data = recording(100_000)
    upload.write_bytes(data)

    stored = ingest_file(upload, MP4_NAME, local_store, max_size=10**6)

    assert stored.created
    assert stored.digests.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.exists(), "the upload is the caller's to remove"
    with pytest.raises(TooLarge):
        ingest_file(upload, MP4_NAME, local_store, max_size=99_999)
    with pytest.raises(RefusedFile, match=r"PDF|MP4"):
        ingest_file(upload, PDF_NAME, local_store, max_size=10**6)


def test_ingest_into_s3_stages_outside_the_bucket(s3_store: S3BlobStore, tmp_path: Path) -> None:
    store: BlobStore = s3_store
    data = recording(200_000, seed=4)

    stored = ingest_stream(io.BytesIO(data), MP4_NAME, store, max_size=10**6, staging_dir=tmp_path)

    assert stored.created
    assert s3_store.digest(stored.digests.sha256) == stored.digests
    assert list(tmp_path.iterdir()) == []
