"""The BlobStore contract, run against the local folder and a real S3 server (SeaweedFS)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from casetrail.evidence.blobstore import BlobStore, LocalBlobStore, S3BlobStore, store_from_url
from casetrail.evidence.errors import BlobMissing, StoreError
from casetrail.evidence.hashing import Digests
from tests.evidence.conftest import MakeFile


def test_put_then_read_back(store: BlobStore, make_file: MakeFile) -> None:
    data = random.Random(1).randbytes(100_000)
    path, digests = make_file(data)

    assert store.put_file(path, digests) is True

    assert store.exists(digests.sha256)
    assert store.size(digests.sha256) == len(data)
    with store.open(digests.sha256) as stored:
        assert stored.read() == data
    assert store.digest(digests.sha256) == digests
    assert list(store.iter_sha256()) == [digests.sha256]


def test_identical_content_is_stored_once(store: BlobStore, make_file: MakeFile) -> None:
    """GIVEN the same recording uploaded twice THEN the second upload stores nothing new."""
    data = b"the same body-camera clip"
    first, digests = make_file(data)
    second, again = make_file(data)

    assert store.put_file(first, digests) is True
    assert store.put_file(second, again) is False

    assert list(store.iter_sha256()) == [digests.sha256]


def test_content_that_does_not_match_its_hash_is_refused(
    store: BlobStore, make_file: MakeFile
) -> None:
    """The store checks the hash itself: a caller's wrong digests never become a blob."""
    path, _ = make_file(b"what was really uploaded")
    _, other = make_file(b"what the caller claims..")  # same size, other content

    with pytest.raises(StoreError, match="not stored"):
        store.put_file(path, other)

    assert not store.exists(other.sha256)
    assert list(store.iter_sha256()) == []


def test_a_wrong_size_is_refused(store: BlobStore, make_file: MakeFile) -> None:
    path, digests = make_file(b"twelve bytes")
    wrong = Digests(digests.sha256, digests.sm3, digests.size + 1)

    with pytest.raises(StoreError):
        store.put_file(path, wrong)

    assert not store.exists(digests.sha256)


@pytest.mark.parametrize(
    ("first", "last"), [(0, 0), (0, 99_999), (40_000, 40_999), (99_990, 99_999)]
)
def test_a_range_is_read_back(store: BlobStore, make_file: MakeFile, first: int, last: int) -> None:
    """Ranged reads (音像记录 playback and seeking): exactly the bytes asked for."""
    data = random.Random(2).randbytes(100_000)
    path, digests = make_file(data)
    store.put_file(path, digests)
    with store.open_range(digests.sha256, first, last) as part:
        assert part.read(last - first + 1) == data[first : last + 1]
    with pytest.raises(BlobMissing):
        store.open_range("0" * 64, 0, 1)


def test_missing_blobs(store: BlobStore) -> None:
    absent = "0" * 64

    assert not store.exists(absent)
    with pytest.raises(BlobMissing):
        store.open(absent)
    with pytest.raises(BlobMissing):
        store.size(absent)
    with pytest.raises(BlobMissing):
        store.digest(absent)


@pytest.mark.parametrize("address", ["../../etc/passwd", "A" * 64, "ab", ""])
def test_an_address_that_is_not_a_sha256_is_refused(store: BlobStore, address: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        store.open(address)


def test_many_blobs_are_listed_once_each(store: BlobStore, make_file: MakeFile) -> None:
    stored = set()
    for number in range(12):
        path, digests = make_file(f"clip {number}".encode())
        store.put_file(path, digests)
        stored.add(digests.sha256)

    listed = list(store.iter_sha256())

    assert sorted(listed) == sorted(stored)


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("", "data/blobs"),
        ("  ", "data/blobs"),
        ("evidence", "data/evidence"),
        ("{tmp}/elsewhere", "elsewhere"),
        ("file://{tmp}/by-url", "by-url"),
        ("file://localhost{tmp}/by-host", "by-host"),
    ],
)
def test_store_from_url_for_local_folders(tmp_path: Path, url: str, where: str) -> None:
    store = store_from_url(url.format(tmp=tmp_path), data_dir=tmp_path / "data")

    assert isinstance(store, LocalBlobStore)
    assert store.root == tmp_path / where
    assert store.tmp_dir.is_dir()


@pytest.mark.parametrize(
    "url", ["ftp://host/x", "file://otherhost/x", "file:///x?mode=fast", "blobs:2024"]
)
def test_store_from_url_refuses_what_it_cannot_serve(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(url))):
        store_from_url(url, data_dir=tmp_path)


def test_store_from_url_for_a_bucket_makes_no_request(tmp_path: Path) -> None:
    store = store_from_url(
        "s3://evidence?endpoint=http://127.0.0.1:9&region=cn-north-1", data_dir=tmp_path
    )

    assert isinstance(store, S3BlobStore)
    assert store.bucket == "evidence"
    assert store.client.meta.endpoint_url == "http://127.0.0.1:9"
    assert store.client.meta.region_name == "cn-north-1"
