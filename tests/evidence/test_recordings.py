"""Registering audio-visual records (Seed A art. 13–14; Seed B art. 7(7), 26; rules 10, 11, 44)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_django import Settings

from casetrail.cases.actions.evidence import AlreadyRegistered
from casetrail.cases.evidence_selectors import case_labels
from casetrail.cases.models import Case
from casetrail.evidence import uploads
from casetrail.evidence.blobstore import LocalBlobStore
from casetrail.evidence.hashing import Digests
from casetrail.evidence.ingest import Ingested
from casetrail.evidence.media import facts_from_probe, probe_path
from casetrail.evidence.models import Blob, Recording, Upload
from casetrail.evidence.sniff import Sniffed
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules.evidence import time_discrepancy
from tests.evidence.av import (
    JPEG,
    JPEG_NAME,
    MP4_NAME,
    PDF,
    PDF_NAME,
    WAV,
    WAV_NAME,
    at,
    make_mp4,
    register,
    run_threads,
    store_bytes,
    travel_to,
    unique_mp4,
    use_fresh_store,
)
from tests.personas import World, build_world, company, make_officer, open_case


@pytest.fixture(autouse=True)
def store(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    return use_fresh_store(settings, tmp_path)


@pytest.fixture
def case(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    """A 栾统 case (luanchuan-2020: 2 working days), opened before National Day 2026; the
    clock then stands at 2026-09-30 11:00, after the default recording's time."""
    travel_to(monkeypatch, at(2026, 9, 29))
    opened = open_case(world)
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    return opened


def counts() -> tuple[int, int, int]:
    return Blob.objects.count(), Recording.objects.count(), LedgerEntry.objects.count()


def test_audio_without_transcript_is_refused_and_nothing_is_written(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a stored sound file WHEN registered as audio without a transcript THEN refused
    naming 文字记录 and the rule's statute (栾川's regulation has no article on it, and 兴隆台's
    art. 7(7) is not 栾川's), and no row or ledger entry is written."""
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    before = counts()
    with pytest.raises(RuleViolation) as refused:
        register(world, case, store_bytes(WAV, WAV_NAME), kind="audio")
    assert refused.value.field == "transcript"
    assert "文字记录" in str(refused.value)
    assert "《最高人民法院关于行政诉讼证据若干问题的规定》第十二条" in str(refused.value)
    assert "兴隆台区办法" not in str(refused.value)
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "change"),
    [("method", {"method": " "}), ("proves", {"proves": ""}), ("kind", {"kind": "film"})],
)
def test_the_required_metadata_is_named(
    world: World, case: Case, field: str, change: dict[str, str]
) -> None:
    with pytest.raises(RuleViolation) as refused:
        register(world, case, store_bytes(unique_mp4(field), MP4_NAME), **change)
    assert refused.value.field == field


def test_a_recording_is_labelled_and_ledgered_with_both_hashes(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    source = store_bytes(WAV, WAV_NAME)
    recording = register(world, case, source, kind="audio", transcript="问：你是谁？答：……")
    assert recording.label_case_number == case.case_number
    assert recording.label_party == "某某矿业有限公司"
    assert recording.label_handler == "张伟、李娜"
    assert recording.storage_due_on.isoformat() == "2026-10-09"
    assert not recording.late
    assert recording.ingested_by == world.zhang.user
    entry = LedgerEntry.objects.get(case=case, action="recording.register")
    payload = json.loads(entry.payload)
    assert payload["facts"]["sha256"] == hashlib.sha256(WAV).hexdigest()
    assert payload["facts"]["sm3"] == hashlib.new("sm3", WAV).hexdigest()
    assert payload["facts"]["late"] is False
    tables = [ref["table"] for ref in payload["records"]]
    assert tables == ["evidence_blob", "evidence_recording"]


def test_late_across_national_day_is_accepted_with_its_reason(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN luanchuan-2020 (2 working days) WHEN a recording of 2026-09-30 is stored on
    2026-10-12 (10-01…07 off, 10-08 and 10-09 the two working days) THEN it is late: accepted
    with its reason and flagged; without a reason it is refused naming 逾期理由."""
    travel_to(monkeypatch, at(2026, 10, 12, 9))
    source = store_bytes(unique_mp4("late"), MP4_NAME)
    before = counts()
    with pytest.raises(RuleViolation) as refused:
        register(world, case, source)
    assert refused.value.field == "late_reason"
    assert "逾期理由" in str(refused.value)
    assert "2026年10月09日" in str(refused.value)
    assert counts() == before

    recording = register(world, case, source, late_reason="执法记录仪在外地检修，节后取回")
    assert recording.late
    assert recording.storage_due_on.isoformat() == "2026-10-09"
    assert recording.late_reason == "执法记录仪在外地检修，节后取回"
    facts = json.loads(LedgerEntry.objects.get(action="recording.register").payload)["facts"]
    assert facts["late"] is True
    assert facts["late_reason"] == "执法记录仪在外地检修，节后取回"


def test_five_working_days_under_xinglongtai(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed B art. 26: the same dates are on time where the profile gives 5 working days."""
    travel_to(monkeypatch, at(2026, 9, 29))
    partner = make_officer(world.xl, "xl2", "孙强", ("officer",), cert="XL-002")
    case = open_case(
        world, acting_user=world.colleague.user, agency=world.xl, co_handlers=[partner]
    )
    travel_to(monkeypatch, at(2026, 10, 12, 9))
    source = store_bytes(unique_mp4("xl"), MP4_NAME)
    recording = register(world, case, source, acting_user=world.colleague.user, maker=partner)
    assert recording.storage_due_on.isoformat() == "2026-10-13"
    assert not recording.late
    assert recording.label_handler == "赵磊、孙强"


def test_a_video_whose_embedded_time_differs_is_flagged(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The container says 08:00 UTC (16:00 Beijing); the officer states 08:00 Beijing: the
    8-hour gap (a camera clock set to the wrong zone) is flagged, never corrected."""
    travel_to(monkeypatch, at(2026, 10, 8, 9))
    data = make_mp4(tmp_path / "clip.mp4", "2026-10-01T08:00:00Z")
    start = at(2026, 10, 1, 8)
    recording = register(
        world,
        case,
        store_bytes(data, "记录仪_0001.mp4"),
        recorded_start_at=start,
        recorded_end_at=None,
    )
    assert recording.time_flagged
    assert "8 小时" in recording.time_flag_detail
    assert recording.recorded_start_at == start
    assert recording.media_created_at is not None
    assert recording.media_created_at.isoformat() == "2026-10-01T08:00:00+00:00"
    assert recording.media_duration_ms == 1000
    assert recording.media_codec == "h264"
    facts = json.loads(LedgerEntry.objects.get(action="recording.register").payload)["facts"]
    assert facts["time_flagged"] is True


def test_a_video_whose_embedded_time_agrees_is_not_flagged(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    travel_to(monkeypatch, at(2026, 10, 8, 9))
    data = make_mp4(tmp_path / "clip.mp4", "2026-10-01T08:00:00Z")
    start = at(2026, 10, 1, 16, 3)  # within luanchuan-2020's 5 minutes
    source = store_bytes(data, "记录仪_0002.mp4")
    recording = register(world, case, source, recorded_start_at=start, recorded_end_at=None)
    assert not recording.time_flagged
    assert recording.time_flag_detail == ""


def test_a_state_secret_case_takes_no_file(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """REFERENCE rule 44; 保守国家秘密法 第31条(三); Seed A art. 13."""
    travel_to(monkeypatch, at(2026, 9, 29))
    secret = open_case(world, confidentiality="state_secret")
    with pytest.raises(RuleViolation) as refused:
        register(world, secret, store_bytes(unique_mp4("secret"), MP4_NAME))
    assert refused.value.rule == "R44"
    assert "国家秘密" in str(refused.value)
    assert "第三十一条" in str(refused.value)


def test_only_a_handler_may_register(world: World, case: Case) -> None:
    source = store_bytes(unique_mp4("who"), MP4_NAME)
    for outsider in (world.bystander, world.reviewer, world.supervisor, world.colleague):
        with pytest.raises(RuleViolation) as refused:
            register(world, case, source, acting_user=outsider.user)
        assert refused.value.rule == "access"


def test_the_maker_is_an_officer_of_the_agency(world: World, case: Case) -> None:
    with pytest.raises(RuleViolation) as refused:
        register(world, case, store_bytes(unique_mp4("maker"), MP4_NAME), maker=world.colleague)
    assert refused.value.field == "maker"


def test_the_stated_kind_matches_the_file(world: World, case: Case) -> None:
    with pytest.raises(RuleViolation, match="登记为照片，但文件内容是视频") as refused:
        register(world, case, store_bytes(unique_mp4("kind"), MP4_NAME), kind="photo")
    assert refused.value.field == "kind"
    with pytest.raises(RuleViolation, match="文档"):
        register(world, case, store_bytes(PDF, PDF_NAME))


def test_the_end_is_not_before_the_start(world: World, case: Case) -> None:
    with pytest.raises(RuleViolation) as refused:
        register(
            world,
            case,
            store_bytes(unique_mp4("end"), MP4_NAME),
            recorded_end_at=at(2026, 9, 30, 8),
        )
    assert refused.value.field == "recorded_end_at"


def test_a_file_not_in_the_store_is_not_registered(world: World, case: Case) -> None:
    ghost = Ingested(
        digests=Digests(sha256="a" * 64, sm3="b" * 64, size=10),
        sniffed=Sniffed(media_type="video/mp4", kind="video", extension="mp4"),
        filename=MP4_NAME,
        created=True,
    )
    with pytest.raises(RuleViolation) as refused:
        register(world, case, ghost)
    assert refused.value.field == "file"
    assert Blob.objects.count() == 0


def test_the_same_file_in_two_cases_is_one_blob(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = open_case(world)
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    photo = store_bytes(JPEG, JPEG_NAME)
    first = register(world, case, photo, kind="photo")
    second = register(world, other, photo, kind="photo")
    assert first.blob_id == second.blob_id
    assert first.media_duration_ms is None
    entry = LedgerEntry.objects.filter(action="recording.register").order_by("pk").last()
    assert entry is not None
    tables = [ref["table"] for ref in json.loads(entry.payload)["records"]]
    assert tables == ["evidence_recording"]
    with pytest.raises(AlreadyRegistered) as again:
        register(world, case, photo, kind="photo")
    assert again.value.existing == first


def completed_upload(world: World, case: Case, data: bytes, name: str) -> Upload:
    """A resumable upload sent in one piece, through the real upload code."""
    upload = uploads.create_upload(
        user=world.zhang.user, case=case, filename=name, length=len(data), metadata={}
    )
    return uploads.append(upload, offset=0, body=io.BytesIO(data), size=len(data), checksum=None)


def test_a_completed_upload_is_registered_once(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    upload = completed_upload(world, case, unique_mp4("upload"), MP4_NAME)
    recording = register(world, case, upload)
    assert recording.stored_at == upload.completed_at
    facts = json.loads(LedgerEntry.objects.get(action="recording.register").payload)["facts"]
    assert facts["source"] == "upload"
    assert facts["upload"] == str(upload.pk)
    with pytest.raises(AlreadyRegistered):
        register(world, case, upload)


def test_an_upload_must_be_complete_and_ones_own(
    world: World, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    data = unique_mp4("partial")
    partial = uploads.create_upload(
        user=world.zhang.user, case=case, filename=MP4_NAME, length=len(data) + 10, metadata={}
    )
    with pytest.raises(RuleViolation, match="尚未上传完成") as refused:
        register(world, case, partial)
    assert refused.value.field == "upload"
    upload = completed_upload(world, case, data, MP4_NAME)
    with pytest.raises(RuleViolation, match="只能登记自己上传的文件"):
        register(world, case, upload, acting_user=world.li.user)
    with pytest.raises(RuleViolation, match="不属于本案"):
        register(world, open_case(world), upload)


def test_the_probe_never_raises(tmp_path: Path) -> None:
    text = tmp_path / "not-media.mp4"
    text.write_text("hello", encoding="utf-8")
    assert probe_path(text).problem.startswith("ffprobe 无法读取该文件")
    missing = probe_path(text, ffprobe=str(tmp_path / "no-ffprobe"))
    assert missing.duration_ms is None
    assert missing.problem


def test_probe_facts_tolerate_what_devices_write() -> None:
    facts = facts_from_probe(
        {
            "format": {"format_name": "mov,mp4", "duration": "12.5", "tags": {}},
            "streams": [
                {"codec_type": "audio", "codec_name": "aac"},
                {"codec_type": "video", "codec_name": "h264", "tags": {"creation_time": "x"}},
                {"codec_type": "video", "tags": {"creation_time": "2026-10-01 08:00:00"}},
            ],
        }
    )
    assert facts.duration_ms == 12500
    assert facts.codec == "h264, aac"
    assert facts.created_at is not None
    assert facts.created_at.isoformat() == "2026-10-01T08:00:00+00:00"
    unset = facts_from_probe({"format": {"tags": {"creation_time": "1904-01-01T00:00:00Z"}}})
    assert unset.created_at is None
    assert facts_from_probe({"format": {"format_name": "image2", "duration": "0.04"}}) == (
        facts_from_probe({})
    )


def test_time_discrepancy_is_a_flag_within_tolerance_or_not() -> None:
    stated = at(2026, 10, 1, 8)
    assert time_discrepancy(stated, None, 5) is None
    assert time_discrepancy(stated, stated + timedelta(minutes=5), 5) is None
    flag = time_discrepancy(stated, stated - timedelta(minutes=6), 5)
    assert flag is not None
    assert "6 分钟" in flag


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_make_one_recording_per_case_and_one_blob(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stations re-send and officers double-click: 4 registrations of one file in one case make
    one recording; the same new file in 4 other cases at once makes one blob row."""
    world = build_world()
    travel_to(monkeypatch, at(2026, 9, 29))
    cases = [open_case(world) for _ in range(5)]
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    source = store_bytes(unique_mp4("race"), MP4_NAME)
    outcomes: list[str] = []

    def attempt(target: Case) -> Callable[[], None]:
        def run() -> None:
            try:
                register(world, target, source)
                outcomes.append("registered")
            except AlreadyRegistered:
                outcomes.append("already")

        return run

    errors = run_threads([attempt(cases[0])] * 4 + [attempt(c) for c in cases[1:]])
    assert errors == []
    assert sorted(outcomes) == ["already"] * 3 + ["registered"] * 5
    assert Recording.objects.filter(case=cases[0]).count() == 1
    assert Recording.objects.count() == 5
    assert Blob.objects.count() == 1


def test_many_parties_are_labelled_within_the_column(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(2026, 9, 29))
    names = [f"某某县第{n}号矿业开发有限责任公司" for n in range(1, 31)]
    crowded = open_case(world, parties=[company(name=name) for name in names])
    labels = case_labels(crowded)
    assert len(labels["party_name"]) <= 300
    assert labels["party_name"].startswith("某某县第1号矿业开发有限责任公司、某某县第2号")
    assert labels["party_name"].endswith("等30名")
