"""Opening evidence (issue #16 item 8): the 音像记录 table links each recording to its page; the
image is shown, audio and video play in the browser; the file answers HTTP range requests
(RFC 9110 §14) streamed from the blob store; each answer of a confidential case is a ledgered
read; another agency's officer gets nothing."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.models import Case, Officer
from casetrail.evidence.models import Recording
from casetrail.ledger.models import LedgerEntry
from tests.evidence.av import (
    JPEG,
    JPEG_NAME,
    WAV,
    WAV_NAME,
    register,
    store_bytes,
    use_fresh_store,
)
from tests.personas import World
from tests.procedure_world import filed_case

# A video-sized file would be slow to make; a 300 KB MP4-signed file is read in parts the same.
BODY = random.Random(8).randbytes(300_000)


@pytest.fixture(autouse=True)
def fresh_store(settings: Settings, tmp_path: Path) -> None:
    use_fresh_store(settings, tmp_path)


def as_user(officer: Officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def recently() -> dict[str, datetime]:
    """Recorded an hour ago, so stored in time."""
    return {
        "recorded_start_at": clock.now() - timedelta(hours=1),
        "recorded_end_at": clock.now() - timedelta(minutes=50),
    }


def video(world: World, case: Case) -> tuple[Recording, bytes]:
    from tests.evidence.av import MP4, MP4_NAME

    data = MP4 + BODY
    return register(world, case, store_bytes(data, MP4_NAME), **recently()), data


def file_url(recording: Recording) -> str:
    return reverse("recording-file", args=[recording.case_id, recording.pk])


def page_url(recording: Recording) -> str:
    return reverse("recording-detail", args=[recording.case_id, recording.pk])


def content(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_the_case_page_links_each_recording_to_its_player(world: World) -> None:
    case = filed_case(world)
    recording, _ = video(world, case)
    client = as_user(world.zhang)
    body = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert f'href="{page_url(recording)}"' in body
    page = client.get(page_url(recording)).content.decode()
    src = file_url(recording)
    assert f'<video class="evidence" controls preload="metadata" playsinline src="{src}"' in page
    assert recording.blob.sha256 in page


@pytest.mark.parametrize(
    ("source", "kind", "tag"),
    [((JPEG, JPEG_NAME), "photo", "<img"), ((WAV, WAV_NAME), "audio", "<audio")],
)
def test_images_are_shown_and_audio_played(
    world: World, source: tuple[bytes, str], kind: str, tag: str
) -> None:
    case = filed_case(world)
    recording = register(
        world,
        case,
        store_bytes(*source),
        kind=kind,
        transcript="问：你好。答：你好。",
        **recently(),
    )
    page = as_user(world.zhang).get(page_url(recording)).content.decode()
    assert f'{tag} class="evidence"' in page


def test_the_whole_file_and_its_ranges(world: World) -> None:
    case = filed_case(world)
    recording, data = video(world, case)
    client = as_user(world.zhang)
    size = len(data)

    whole = client.get(file_url(recording))
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Length"] == str(size)
    assert whole["Content-Type"] == "video/mp4"
    assert whole["Content-Disposition"].startswith("inline")
    assert content(whole) == data

    first = client.get(file_url(recording), HTTP_RANGE="bytes=0-1023")
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-1023/{size}"
    assert first["Content-Length"] == "1024"
    assert content(first) == data[:1024]

    middle = client.get(file_url(recording), HTTP_RANGE="bytes=150000-")
    assert middle.status_code == 206
    assert middle["Content-Range"] == f"bytes 150000-{size - 1}/{size}"
    assert content(middle) == data[150000:]

    suffix = client.get(file_url(recording), HTTP_RANGE="bytes=-500")
    assert suffix.status_code == 206
    assert suffix["Content-Range"] == f"bytes {size - 500}-{size - 1}/{size}"
    assert content(suffix) == data[-500:]

    for bad in (f"bytes={size}-", "bytes=900-100", "bytes=abc"):
        refused = client.get(file_url(recording), HTTP_RANGE=bad)
        assert refused.status_code == 416, bad
        assert refused["Content-Range"] == f"bytes */{size}"

    stale = client.get(file_url(recording), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"')
    assert stale.status_code == 200  # If-Range names another version: the whole file

    download = client.get(file_url(recording) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")


def test_each_answer_of_a_confidential_case_is_a_ledgered_read(world: World) -> None:
    case = filed_case(world, confidentiality="personal_privacy")
    recording, data = video(world, case)
    before = LedgerEntry.objects.filter(case=case).count()
    client = as_user(world.reviewer)
    assert client.get(page_url(recording)).status_code == 200
    content(client.get(file_url(recording), HTTP_RANGE="bytes=100-199"))
    assert client.get(file_url(recording), HTTP_RANGE=f"bytes={len(data)}-").status_code == 416
    entries = LedgerEntry.objects.filter(case=case).order_by("pk")[before:]
    reads = [json.loads(entry.payload) for entry in entries]
    assert [(r["action"], r["facts"]["view"]) for r in reads] == [
        ("case.view_protected", "recording-detail"),
        ("file.read", "recording-file"),
    ]
    part = reads[1]["facts"]
    assert part["range"] == f"bytes 100-199/{len(data)}"
    assert part["sha256"] == recording.blob.sha256
    assert reads[1]["actor"]["username"] == world.reviewer.user.username


def test_another_agencys_officer_gets_nothing(world: World) -> None:
    case = filed_case(world, confidentiality="personal_privacy")
    recording, _ = video(world, case)
    before = LedgerEntry.objects.count()
    outsider = as_user(world.colleague)  # 兴隆台区统计局
    assert outsider.get(page_url(recording)).status_code == 404
    assert outsider.get(file_url(recording), HTTP_RANGE="bytes=0-9").status_code == 404
    other_case = filed_case(world)
    wrong_case = reverse("recording-file", args=[other_case.pk, recording.pk])
    assert as_user(world.zhang).get(wrong_case).status_code == 404
    assert (
        LedgerEntry.objects.count() == before + LedgerEntry.objects.filter(case=other_case).count()
    )
