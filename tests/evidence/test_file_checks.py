"""`casetrail verify --files`: every registered file re-hashed against its registration (Seed A
art. 15; DESIGN invariant 3), before and after a repair from the replica."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_django import Settings

from casetrail.cases.models import Case
from casetrail.evidence.blobstore import LocalBlobStore
from casetrail.evidence.file_checks import check_blob_files
from casetrail.ledger.checkpoints import AgencyLog, publish
from casetrail.ledger.integrate import integrate_all
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import FILE_CHECKS
from tests.evidence.backup_world import blob_of, case_with_recording, run, use_stores
from tests.evidence.test_local_store import flip_a_byte
from tests.personas import World


@pytest.fixture(autouse=True)
def primary(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "checkpoints"
    settings.CASETRAIL_TSA_URL = ""
    return use_stores(settings, tmp_path)


@pytest.fixture
def case(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    recorded = case_with_recording(world, monkeypatch)
    integrate_all(world.lc.pk)  # give the entries their leaves (no commit in a test transaction)
    publish(AgencyLog(world.lc.pk, world.lc.code))  # and a signed checkpoint over them
    return recorded


def verify_files() -> tuple[int, dict[str, Any]]:
    result = run("verify", "--json", "--files")
    document: dict[str, Any] = json.loads(result.out)
    return result.code, document


def registering_leaf(case: Case) -> int:
    entry = LedgerEntry.objects.select_related("leaf").get(case=case, action="recording.register")
    return entry.leaf.index


def test_the_check_is_registered_when_django_starts() -> None:
    assert FILE_CHECKS.count(check_blob_files) == 1


def test_an_intact_store_verifies(case: Case) -> None:
    code, document = verify_files()
    assert (code, document["findings"]) == (0, [])
    assert document["counts"]["files_checked"] == 1


def test_a_flipped_byte_is_file_altered_until_repaired_from_the_replica(
    case: Case, primary: LocalBlobStore
) -> None:
    """GIVEN a replicated recording WHEN one byte of the stored file flips THEN verify --files
    reports ``file_altered`` for evidence_blob with the blob id and the leaf of the entry that
    registered it (exit 1); after scrub --repair it verifies clean again."""
    blob = blob_of(case)
    assert run("replicate").code == 0
    flip_a_byte(primary.path(blob.sha256))

    code, document = verify_files()

    assert code == 1
    [finding] = document["findings"]
    assert (finding["kind"], finding["table"], finding["id"]) == (
        "file_altered",
        "evidence_blob",
        blob.pk,
    )
    assert finding["ledger_index"] == registering_leaf(case)
    assert blob.sha256 in finding["detail"]
    assert "sha256" in finding["detail"]

    assert run("scrub", "--repair").code == 0
    code, document = verify_files()
    assert (code, document["findings"]) == (0, [])


def test_a_missing_file_is_file_missing(case: Case, primary: LocalBlobStore) -> None:
    blob = blob_of(case)
    primary.path(blob.sha256).unlink()
    code, document = verify_files()
    assert code == 1
    assert [(f["kind"], f["id"]) for f in document["findings"]] == [("file_missing", blob.pk)]


def test_without_files_the_store_is_not_read(case: Case, primary: LocalBlobStore) -> None:
    primary.path(blob_of(case).sha256).unlink()
    result = run("verify", "--json")
    assert (result.code, json.loads(result.out)["counts"]["files_checked"]) == (0, 0)
