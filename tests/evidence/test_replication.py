"""Off-site copies verified by hash (Seed A art. 14 定期异地备份), scrub, and repair."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from casetrail.evidence.blobstore import BlobStore, LocalBlobStore, S3BlobStore
from casetrail.evidence.errors import StoreError
from casetrail.evidence.hashing import Digests
from casetrail.evidence.replication import Corruption, repair, replicate, scrub
from tests.evidence.conftest import MakeFile
from tests.evidence.seaweed import Seaweed
from tests.evidence.test_local_store import flip_a_byte


def fill(store: BlobStore, make_file: MakeFile, count: int) -> dict[str, Digests]:
    stored = {}
    for number in range(count):
        path, digests = make_file(random.Random(number).randbytes(1000 + number))
        store.put_file(path, digests)
        stored[digests.sha256] = digests
    return stored


@pytest.fixture(params=["folder", "s3"])
def offsite(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """The second target: another folder, or a bucket on a real S3 server."""
    if request.param == "folder":
        return LocalBlobStore(tmp_path / "offsite")
    seaweed: Seaweed = request.getfixturevalue("seaweed")
    return S3BlobStore(seaweed.new_bucket(), seaweed.client())


def test_replicate_copies_what_is_missing_and_verifies_every_copy(
    local_store: LocalBlobStore, offsite: BlobStore, make_file: MakeFile
) -> None:
    stored = fill(local_store, make_file, 3)

    first = replicate(local_store, offsite, stored)
    again = replicate(local_store, offsite, stored)

    assert first.ok
    assert sorted(first.copied) == sorted(stored)
    assert sorted(first.verified) == sorted(stored)
    assert again.ok
    assert again.copied == ()
    assert sorted(again.verified) == sorted(stored)
    for sha256, digests in stored.items():
        assert offsite.digest(sha256) == digests


def test_replicate_from_s3_to_a_folder(
    s3_store: S3BlobStore, tmp_path: Path, make_file: MakeFile
) -> None:
    stored = fill(s3_store, make_file, 2)
    target = LocalBlobStore(tmp_path / "restore")

    result = replicate(s3_store, target, s3_store.iter_sha256(), staging_dir=tmp_path)

    assert result.ok
    assert sorted(result.copied) == sorted(stored)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("replicate-")] == []


def test_a_corrupt_source_copy_is_not_spread(
    local_store: LocalBlobStore, offsite: BlobStore, make_file: MakeFile
) -> None:
    stored = fill(local_store, make_file, 2)
    bad, good = sorted(stored)
    flip_a_byte(local_store.path(bad))

    result = replicate(local_store, offsite, [bad, good, "0" * 64])

    assert result.copied == (good,)
    assert set(result.failed) == {bad, "0" * 64}
    assert "hashes to" in result.failed[bad]
    assert not offsite.exists(bad)


def test_scrub_finds_a_flipped_byte_and_repair_restores_it_from_the_replica(
    local_store: LocalBlobStore, offsite: BlobStore, make_file: MakeFile
) -> None:
    """GIVEN a replicated store WHEN a stored byte flips THEN scrub reports that blob alone,
    repair replaces it from the verified replica, and the bad copy waits in quarantine."""
    stored = fill(local_store, make_file, 3)
    replicate(local_store, offsite, stored)
    victim = sorted(stored)[1]
    flip_a_byte(local_store.path(victim))
    damaged = local_store.path(victim).read_bytes()
    sizes = {sha256: d.size for sha256, d in stored.items()}

    found = scrub(local_store, sizes)
    assert [(c.sha256, c.problem) for c in found] == [(victim, "mismatch")]

    repair(local_store, offsite, victim)

    assert scrub(local_store, sizes) == []
    assert local_store.digest(victim) == stored[victim]
    assert oct(local_store.path(victim).stat().st_mode & 0o777) == oct(0o444)
    quarantined = list(local_store.quarantine_dir.iterdir())
    assert [q.name.split(".")[0] for q in quarantined] == [victim]
    assert quarantined[0].read_bytes() == damaged


def test_repair_refuses_a_replica_that_is_wrong_too(
    local_store: LocalBlobStore, tmp_path: Path, make_file: MakeFile
) -> None:
    stored = fill(local_store, make_file, 1)
    (victim,) = stored
    replica = LocalBlobStore(tmp_path / "replica")
    replicate(local_store, replica, stored)
    flip_a_byte(local_store.path(victim), offset=1)
    flip_a_byte(replica.path(victim), offset=2)
    damaged = local_store.path(victim).read_bytes()

    with pytest.raises(StoreError, match="replacement"):
        repair(local_store, replica, victim)

    assert local_store.path(victim).read_bytes() == damaged
    assert list(local_store.quarantine_dir.iterdir()) == []
    assert list(local_store.tmp_dir.iterdir()) == []


def test_scrub_reports_missing_and_wrong_size_and_repair_restores_a_lost_file(
    local_store: LocalBlobStore, tmp_path: Path, make_file: MakeFile
) -> None:
    stored = fill(local_store, make_file, 3)
    replica = LocalBlobStore(tmp_path / "replica")
    replicate(local_store, replica, stored)
    lost, short, fine = sorted(stored)
    local_store.path(lost).unlink()
    os.chmod(local_store.path(short), 0o644)
    os.truncate(local_store.path(short), 10)

    found = scrub(local_store, {sha256: d.size for sha256, d in stored.items()})

    assert {c.sha256: c.problem for c in found} == {lost: "missing", short: "wrong_size"}
    repair(local_store, replica, lost)
    repair(local_store, replica, short)
    repair(local_store, replica, fine)  # intact: left alone
    assert scrub(local_store, list(stored)) == []
    assert len(list(local_store.quarantine_dir.iterdir())) == 1


class CountingStore(LocalBlobStore):
    """A local store that counts how many blobs were re-hashed."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.hashed: list[str] = []

    def digest(self, sha256: str) -> Digests:
        self.hashed.append(sha256)
        return super().digest(sha256)


def test_scrub_with_a_sample_checks_that_many(tmp_path: Path, make_file: MakeFile) -> None:
    store = CountingStore(tmp_path / "blobs")
    stored = fill(store, make_file, 8)
    for sha256 in stored:
        flip_a_byte(store.path(sha256))

    found = scrub(store, list(stored), sample=3, rng=random.Random(5))

    assert len(store.hashed) == 3
    assert len(set(store.hashed)) == 3
    assert sorted(c.sha256 for c in found) == sorted(store.hashed)
    assert all(isinstance(c, Corruption) and c.problem == "mismatch" for c in found)
    store.hashed.clear()
    assert len(scrub(store, store.iter_sha256(), sample=100)) == 8
    assert len(store.hashed) == 8


def test_scrub_refuses_a_bare_string(local_store: LocalBlobStore) -> None:
    with pytest.raises(TypeError):
        scrub(local_store, "a" * 64)


def test_scrub_takes_any_iterable(local_store: LocalBlobStore, make_file: MakeFile) -> None:
    stored = fill(local_store, make_file, 2)

    def addresses() -> Iterator[str]:
        yield from stored

    assert scrub(local_store, addresses()) == []
