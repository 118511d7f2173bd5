"""Helpers of the recording tests: a fresh blob store, time travel, real media files, a register
call with sensible defaults. Files are made here (ffmpeg or signatures), never shipped."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.actions.evidence import do_register_recording
from casetrail.cases.models import Case
from casetrail.evidence.blobstore import LocalBlobStore
from casetrail.evidence.ingest import Ingested, ingest_stream
from casetrail.evidence.models import Recording
from casetrail.evidence.storage import primary_store
from tests.evidence.samples import SAMPLES
from tests.personas import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
MP4_NAME, MP4 = SAMPLES["video/mp4"]
WAV_NAME, WAV = SAMPLES["audio/x-wav"]
JPEG_NAME, JPEG = SAMPLES["image/jpeg"]
PDF_NAME, PDF = SAMPLES["application/pdf"]


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in Beijing time, where the regulations' days are counted."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def travel_to(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))


def use_fresh_store(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    """Point the primary store at an empty folder of this test."""
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    store = primary_store()
    assert isinstance(store, LocalBlobStore)
    return store


def stored_files(store: LocalBlobStore) -> list[str]:
    """Every file in the store's folder, blobs and leftovers alike."""
    return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())


def store_bytes(data: bytes, filename: str) -> Ingested:
    return ingest_stream(io.BytesIO(data), filename, primary_store(), max_size=10**9)


def unique_mp4(tag: str) -> bytes:
    """A distinct MP4 signature file (a different SHA-256 per tag)."""
    return MP4 + tag.encode("utf-8")


def ffmpeg_or_skip() -> str:
    found = shutil.which("ffmpeg")
    if found is not None:
        return found
    if os.environ.get("CASETRAIL_REQUIRE_FFMPEG") == "1":
        pytest.fail("CASETRAIL_REQUIRE_FFMPEG=1 but ffmpeg is missing (apt-get install ffmpeg)")
    pytest.skip("ffmpeg is missing (apt-get install ffmpeg)")


def make_mp4(path: Path, creation_time: str) -> bytes:
    """A real one-second MP4 whose container says it was made at *creation_time*."""
    subprocess.run(
        [
            ffmpeg_or_skip(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=64x64:rate=5",
            "-metadata",
            f"creation_time={creation_time}",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path.read_bytes()


def register(world: World, case: Case, source: Any, **changes: Any) -> Recording:
    """Register *source* in *case* as 张伟 (a handler), with complete metadata unless changed."""
    arguments: dict[str, Any] = {
        "acting_user": world.zhang.user,
        "case": case,
        "source": source,
        "kind": "video",
        "method": "执法记录仪现场录像",
        "recorded_start_at": at(2026, 9, 30, 9),
        "recorded_end_at": at(2026, 9, 30, 9, 30),
        "maker": world.zhang,
        "proves": "现场检查过程及当事人拒绝提供统计台账",
        "device_id": "DSJ-0001",
        "place": "栾川县城关镇某路18号",
    }
    arguments.update(changes)
    return do_register_recording(**arguments)


def run_threads(targets: list[Callable[[], None]]) -> list[Exception]:
    """Start every target at once (a barrier), each on its own database connection."""
    errors: list[Exception] = []
    barrier = threading.Barrier(len(targets))

    def wrapped(target: Callable[[], None]) -> None:
        try:
            barrier.wait()
            target()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrapped, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
