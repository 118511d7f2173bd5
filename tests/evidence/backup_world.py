"""Helpers of the backup tests: stores, a case with a recording, running a command."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from casetrail.cases.models import Case
from casetrail.evidence.blobstore import LocalBlobStore
from casetrail.evidence.models import Blob, Recording
from casetrail.evidence.storage import replica_store
from tests.evidence.av import MP4_NAME, at, register, store_bytes, travel_to, unique_mp4
from tests.evidence.av import use_fresh_store as use_fresh_primary
from tests.personas import World, make_officer, open_case


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(command: str, *args: str) -> Run:
    """Run a management command as the CLI would; its exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
        return Run(error.returncode, out.getvalue(), err.getvalue())
    return Run(0, out.getvalue(), err.getvalue())


def use_stores(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    """A fresh primary store, a replica folder beside it, and this test's signing keys."""
    settings.CASETRAIL_REPLICA_STORE = str(tmp_path / "offsite")
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    return use_fresh_primary(settings, tmp_path)


def the_replica() -> LocalBlobStore:
    store = replica_store()
    assert isinstance(store, LocalBlobStore)
    return store


def case_with_recording(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    """A 栾统 case with one recording; the clock then stands at 2026-09-30 11:00."""
    travel_to(monkeypatch, at(2026, 9, 29))
    opened = open_case(world)
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    register(world, opened, store_bytes(unique_mp4("backup-1"), MP4_NAME))
    return opened


def xl_case(world: World) -> Case:
    """A 兴统 case, opened by 赵磊 with a colleague."""
    partner = make_officer(world.xl, "sun", "孙丽", ("officer",), cert="XL-002")
    return open_case(
        world, acting_user=world.colleague.user, agency=world.xl, co_handlers=[partner]
    )


def register_in_xl(world: World, data: bytes) -> Recording:
    return register(
        world,
        xl_case(world),
        store_bytes(data, MP4_NAME),
        acting_user=world.colleague.user,
        maker=world.colleague,
    )


def blob_of(case: Case) -> Blob:
    return Recording.objects.filter(case=case).select_related("blob").get().blob
