"""`casetrail deadlines`: AV storage (Seed A art. 14 / Seed B art. 26) and emergency backfill
(Seed A art. 6) deadlines in one list, one row per deadline."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from pytest_django import Settings

from casetrail.cases.actions.start import do_decide_filing
from casetrail.cases.evidence_selectors import case_recordings, deadlines, late_recordings
from casetrail.cases.models import Case
from casetrail.evidence.blobstore import LocalBlobStore
from tests.evidence.av import (
    MP4_NAME,
    at,
    register,
    store_bytes,
    travel_to,
    unique_mp4,
    use_fresh_store,
)
from tests.personas import World, open_case


@pytest.fixture(autouse=True)
def store(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    return use_fresh_store(settings, tmp_path)


@pytest.fixture
def history(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, Case]:
    """GIVEN an emergency start on 2026-09-30 never backfilled, another one backfilled in
    time, and a recording of 2026-09-30 stored late on 2026-10-12 — seen on 2026-10-12."""
    travel_to(monkeypatch, at(2026, 9, 29))
    ordinary = open_case(world)
    travel_to(monkeypatch, at(2026, 9, 30, 9))
    forgotten = open_case(world, start_type="emergency")
    backfilled = open_case(world, start_type="emergency")
    do_decide_filing(
        acting_user=world.reviewer.user,
        case=backfilled,
        step="reviewer",
        decision="approve",
        opinion="同意",
    )
    do_decide_filing(
        acting_user=world.head.user,
        case=backfilled,
        step="approver",
        decision="approve",
        opinion="同意立案",
    )
    travel_to(monkeypatch, at(2026, 10, 12, 9))
    source = store_bytes(unique_mp4("late"), MP4_NAME)
    register(world, ordinary, source, late_reason="执法记录仪在外地检修，节后取回")
    return {"ordinary": ordinary, "forgotten": forgotten, "backfilled": backfilled}


def run(*arguments: str) -> Any:
    out = io.StringIO()
    call_command("deadlines", *arguments, stdout=out)
    return out.getvalue()


def test_deadlines_json_lists_the_late_recording_and_the_missed_backfill(
    history: dict[str, Case],
) -> None:
    rows = json.loads(run("--json"))
    by_kind = {(row["case_number"], row["kind"]): row for row in rows}
    late = by_kind[(history["ordinary"].case_number, "av_storage")]
    assert late["due_on"] == "2026-10-09"
    assert late["status"] == "done_late"
    assert late["done_on"] == "2026-10-12"
    assert late["reason"] == "执法记录仪在外地检修，节后取回"
    assert late["provisional"] is False
    missed = by_kind[(history["forgotten"].case_number, "emergency_backfill")]
    assert missed["due_on"] == "2026-10-09"
    assert missed["status"] == "overdue"
    assert missed["days_left"] == -3
    assert (history["backfilled"].case_number, "emergency_backfill") not in by_kind
    assert set(rows[0]) >= {"case_number", "kind", "due_on", "provisional", "status", "days_left"}


def test_pending_deadlines_are_listed_until_overdue_only(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(2026, 10, 12, 9))
    pending = open_case(world, start_type="emergency")
    [row] = deadlines()
    assert (row.case_number, row.status, row.days_left) == (pending.case_number, "pending", 2)
    assert json.loads(run("--json", "--overdue")) == []
    assert "没有需要关注的期限" in run("--overdue")


def test_the_text_listing_gives_the_reason(history: dict[str, Case]) -> None:
    text = run("--overdue")
    assert "逾期理由：执法记录仪在外地检修，节后取回" in text
    assert "已超期" in text
    assert history["forgotten"].case_number in text
    assert "期限 2026-10-09 | 已超期，超期 3 天" in text  # not "剩余 -3 天"


def test_deadlines_of_one_agency(history: dict[str, Case]) -> None:
    assert json.loads(run("--json", "--agency", "xinglongtai-tjj")) == []
    kinds = sorted(row["kind"] for row in json.loads(run("--json", "--agency", "栾统")))
    # never backed up; the filed case has its decision limit (行政处罚法 第60条)
    assert kinds == ["av_storage", "decision_limit", "emergency_backfill", "offsite_backup"]
    with pytest.raises(CommandError, match="--agency"):
        run("--agency", "nowhere")


def test_the_selectors_the_case_page_uses(history: dict[str, Case]) -> None:
    [recording] = case_recordings(history["ordinary"])
    assert recording.late
    assert list(late_recordings()) == [recording]
    assert list(late_recordings(history["forgotten"].agency)) == [recording]


def test_the_recordings_partial_shows_hashes_deadline_and_badges(
    history: dict[str, Case],
) -> None:
    recordings = case_recordings(history["ordinary"])
    html = render_to_string("web/_recordings.html", {"recordings": recordings})
    [recording] = recordings
    assert recording.blob.sha256[:12] in html
    assert recording.blob.sm3[:12] in html
    assert 'data-testid="late-flag"' in html
    assert "逾期理由：执法记录仪在外地检修，节后取回" in html
    assert "2026-10-09" in html
    assert 'data-testid="time-flag"' not in html
    assert "尚无音像记录" in render_to_string("web/_recordings.html", {"recordings": []})
