"""The last successful off-site copy and its overdue flag (Seed A art. 14; REFERENCE rule 13):
per agency profile, in the partial of the case page, on the backup page, in `deadlines`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from pytest_django import DjangoAssertNumQueries, Settings

from casetrail.cases.backup_run import run_backup
from casetrail.cases.backup_status import backup_overdue, backup_status
from casetrail.cases.models import Case
from casetrail.evidence.blobstore import LocalBlobStore
from casetrail.evidence.models import BackupRun
from tests.evidence.av import at, register, store_bytes, travel_to, unique_mp4
from tests.evidence.backup_world import (
    blob_of,
    case_with_recording,
    run,
    the_replica,
    use_stores,
)
from tests.evidence.test_local_store import flip_a_byte
from tests.personas import PASSWORD, World, make_officer


@pytest.fixture(autouse=True)
def primary(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    return use_stores(settings, tmp_path)


@pytest.fixture
def case(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    return case_with_recording(world, monkeypatch)


def replicate_now() -> BackupRun:
    backup = run_backup(the_replica())
    assert backup.ok
    return backup


def logged_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_rule() -> None:
    now = at(2026, 10, 10)
    assert not backup_overdue(None, None, now, 7)  # nothing to copy yet
    assert backup_overdue(None, at(2026, 10, 1), now, 7)  # recordings, never copied
    assert not backup_overdue(now - timedelta(days=7), at(2026, 10, 1), now, 7)
    assert backup_overdue(now - timedelta(days=7, seconds=1), at(2026, 10, 1), now, 7)
    assert not backup_overdue(now - timedelta(days=30), None, now, 7)


def test_nothing_to_copy_is_not_overdue(world: World) -> None:
    status = backup_status(world.lc)
    assert (status.last_success, status.overdue) == (None, False)


def test_overdue_flips_with_the_profiles_days(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN 栾统 (luanchuan-2020: offsite_backup_max_age_days = 7) with a recording WHEN no copy
    was ever made THEN overdue; after a successful copy not, until it is more than 7 days old."""
    assert backup_status(world.lc).overdue
    assert backup_status(world.lc).not_copied == 1
    backup = replicate_now()
    status = backup_status(world.lc)
    assert (status.last_success, status.overdue, status.not_copied) == (backup, False, 0)
    assert status.max_age_days == world.lc.profile.offsite_backup_max_age_days == 7
    assert status.due_at == backup.finished_at + timedelta(days=7)

    travel_to(monkeypatch, at(2026, 10, 7, 11))
    assert not backup_status(world.lc).overdue
    travel_to(monkeypatch, at(2026, 10, 7, 11, 1))
    assert backup_status(world.lc).overdue
    assert not backup_status(world.xl).overdue  # 兴统 has nothing to copy


def test_a_failed_run_does_not_count_as_a_copy(world: World, case: Case) -> None:
    path = the_replica().path(blob_of(case).sha256)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"rotten")
    assert run("replicate").code == 1
    status = backup_status(world.lc)
    assert status.overdue
    assert status.last_run_failed
    assert status.last_success is None


def test_the_partial_shows_the_last_copy_and_the_overdue_warning(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    never = render_to_string("web/_backup_status.html", {"backup": backup_status(world.lc)})
    assert "尚无成功的异地备份" in never
    assert "已超期" in never
    replicate_now()
    fresh = render_to_string("web/_backup_status.html", {"backup": backup_status(world.lc)})
    assert "最近一次成功的异地备份于" in fresh
    assert ">2026-09-30 11:00</strong>" in fresh
    assert "已超期" not in fresh
    travel_to(monkeypatch, at(2026, 10, 9))
    late = render_to_string("web/_backup_status.html", {"backup": backup_status(world.lc)})
    assert "已超期" in late
    assert "应于 2026-10-07 11:00 前再次备份" in late


def test_deadlines_list_the_next_backup(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def backup_rows() -> list[dict[str, object]]:
        rows = json.loads(run("deadlines", "--json").out)
        return [row for row in rows if row["kind"] == "offsite_backup"]

    [never] = backup_rows()
    assert (never["agency"], never["status"], never["due_on"]) == (
        world.lc.code,
        "overdue",
        "2026-09-30",
    )
    replicate_now()
    [pending] = backup_rows()
    assert (pending["status"], pending["due_on"], pending["days_left"]) == (
        "pending",
        "2026-10-07",
        7,
    )
    travel_to(monkeypatch, at(2026, 10, 8))
    [overdue] = backup_rows()
    assert overdue["status"] == "overdue"


def test_the_backup_page_lists_runs_and_repairs_for_the_roles_that_keep_backups(
    world: World,
    case: Case,
    primary: LocalBlobStore,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    make_officer(world.lc, "archivist", "档案员", ("archivist",))
    register(world, case, store_bytes(unique_mp4("backup-2"), "second.mp4"))
    replicate_now()
    flip_a_byte(primary.path(first_sha(case)))
    assert run("scrub", "--repair").code == 0

    for username in ("head", "supervisor", "archivist"):
        client = logged_in(username)
        with django_assert_max_num_queries(16):  # +2: the navigation asks access
            response = client.get("/backups/")
        assert response.status_code == 200, username
        page = response.content.decode()
        assert "最近一次成功的异地备份于" in page
        assert case.case_number in page  # the repaired file's case
        assert 'data-repair="' in page
    assert logged_in("zhang").get("/backups/").status_code == 404  # a handler only
    elsewhere = logged_in("colleague").get("/backups/")  # the head of 兴统
    assert elsewhere.status_code == 200
    assert case.case_number not in elsewhere.content.decode()  # 栾统's case stays private
    assert Client().get("/backups/").status_code == 302  # to the login page


def first_sha(case: Case) -> str:
    return case.recordings.order_by("pk").values_list("blob__sha256", flat=True)[0]
