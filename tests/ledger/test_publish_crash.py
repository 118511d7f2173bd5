"""Publishing is crash-atomic (#14 item 7): kill -9 at any step, run the worker, verify clean.

The worker runs in a subprocess that kills itself with SIGKILL at the chosen step
(CASETRAIL_TEST_CRASH_AT, read only at those points of `casetrail/ledger/checkpoints.py`). The
order is sign → timestamp → insert the row (committed) → copy the note off-site → copy the
token, so a crash leaves either nothing or a row whose copy the next round completes; never an
off-site note without its row, which `verify` would have to report as a deleted checkpoint.
"""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from pytest_django import Settings

from casetrail.ledger.checkpoints import PUBLISH_STEPS, complete_publication, publish
from casetrail.ledger.models import Checkpoint
from tests.dbowner import subprocess_environ
from tests.ledger.tamper import tampering
from tests.ledger.test_verify import log_of
from tests.ledger.tsa import LocalTsa, local_tsa
from tests.personas import World, build_world, open_case

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[LocalTsa]:
    with local_tsa(tmp_path / "tsa") as served:
        yield served


@pytest.fixture
def folders(settings: Settings, tmp_path: Path, tsa: LocalTsa) -> Path:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite"
    settings.CASETRAIL_TSA_URL = tsa.url
    return tmp_path


def database_url() -> str:
    """The test database, as the subprocess's CASETRAIL_DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def run_worker(folders: Path, tsa: LocalTsa, crash_at: str = "") -> int:
    """`casetrail worker --once` in its own process; its exit status (-9 when killed)."""
    env = {
        **subprocess_environ(),
        "PYTHONPATH": str(ROOT),
        "CASETRAIL_DATABASE_URL": database_url(),
        "CASETRAIL_KEY_DIR": str(folders / "keys"),
        # The run's one entry key (tests/conftest.py), or the worker would refuse every entry.
        "CASETRAIL_ENTRY_KEY_FILE": str(settings.CASETRAIL_ENTRY_KEY_FILE),
        "CASETRAIL_OFFSITE_DIR": str(folders / "offsite"),
        "CASETRAIL_TSA_URL": tsa.url,
        "CASETRAIL_TEST_CRASH_AT": crash_at,
    }
    done = subprocess.run(
        [sys.executable, "-m", "casetrail", "worker", "--once"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    return done.returncode


def verify_json() -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    try:
        call_command("verify", "--json", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def offsite_notes(folders: Path) -> list[str]:
    return sorted(path.name for path in (folders / "offsite").rglob("checkpoint-*"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step", PUBLISH_STEPS)
def test_a_publisher_killed_at_each_step_is_completed_by_the_next_round(
    step: str, folders: Path, tsa: LocalTsa
) -> None:
    """GIVEN a worker killed with SIGKILL at *step* of publishing WHEN the worker runs again
    THEN every checkpoint row has its off-site note and token, and verify exits 0."""
    world = build_world()
    open_case(world)

    assert run_worker(folders, tsa, crash_at=step) == -signal.SIGKILL
    rows = Checkpoint.objects.count()
    if PUBLISH_STEPS.index(step) < PUBLISH_STEPS.index("inserted"):
        assert rows == 0
        assert offsite_notes(folders) == [], "nothing may reach off-site before the row"
    else:
        assert rows == 1, "the first agency's row is committed before anything is copied"

    assert run_worker(folders, tsa) == 0

    checkpoints = list(Checkpoint.objects.order_by("agency_id"))
    assert len(checkpoints) == 2
    for checkpoint in checkpoints:
        note = Path(checkpoint.offsite_copy)
        assert note.read_text(encoding="utf-8") == checkpoint.note
        assert checkpoint.timestamp_token
        assert note.with_suffix(".tsr").read_bytes() == bytes(checkpoint.timestamp_token)
    code, document = verify_json()
    assert (code, document["findings"]) == (0, [])


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_the_insert_is_visible_until_completed(folders: Path, tsa: LocalTsa) -> None:
    """Between the crash and the next round the row lacks its copy, and verify says so."""
    world = build_world()
    open_case(world)
    assert run_worker(folders, tsa, crash_at="inserted") == -signal.SIGKILL
    code, document = verify_json()
    assert code == 1
    assert {f["kind"] for f in document["findings"]} == {"offsite_missing"}
    assert complete_publication(log_of(world.lc)) == Checkpoint.objects.get()
    assert verify_json()[0] == 0


def test_an_older_copy_removed_is_not_recreated(db: None, folders: Path) -> None:
    """Only the newest publication can be unfinished: an older off-site copy that is missing
    was removed, and stays reported (`offsite_missing`), not silently re-copied."""
    world: World = build_world()
    open_case(world)
    first = publish(log_of(world.lc))
    open_case(world, cause="拒绝提供统计资料")
    second = publish(log_of(world.lc))
    assert first is not None
    assert second is not None
    Path(first.offsite_copy).unlink()

    assert complete_publication(log_of(world.lc)) is None
    assert not Path(first.offsite_copy).exists()
    assert Path(second.offsite_copy).exists()


def test_a_forged_row_is_never_copied_off_site(db: None, folders: Path) -> None:
    """A checkpoint row whose note does not verify with the agency's key stays in the database
    only: completing a publication never publishes a forgery off-site."""
    world: World = build_world()
    open_case(world)
    checkpoint = publish(log_of(world.lc))
    assert checkpoint is not None
    copy = Path(checkpoint.offsite_copy)
    copy.unlink()
    copy.with_suffix(".tsr").unlink()
    forged = checkpoint.note.replace("\n\n", "\n\nforged\n", 1)
    with tampering("ledger_checkpoint") as cursor:
        cursor.execute(
            'UPDATE "ledger_checkpoint" SET note = %s WHERE id = %s', [forged, checkpoint.pk]
        )

    assert complete_publication(log_of(world.lc)) is None
    assert not copy.exists()
