"""The recording upload page through Django's test client: who may open it, what it shows, and
the form POST that registers a finished upload as a recording (refusals shown on the field)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from casetrail import clock
from casetrail.cases import selectors
from casetrail.cases.models import Case
from casetrail.evidence import uploads
from casetrail.evidence.models import Recording, Upload
from casetrail.procedure.rules.evidence import storage_due
from casetrail.web.uploads.views import earliest_on_time
from tests.evidence.samples import SAMPLES
from tests.personas import PASSWORD, World, open_case

# An 8×8 baseline JPEG (ffmpeg, bit-exact): small, real, and decodable by ffprobe.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010200000100010000ffdb004300083e3e493e495555555555"
    "55645d6468686864646464686868707070838383707070686870707c7c83838f938f87878387"
    "93939b9b9bbabab2b2d9d9e0ffffffffc4004c000101000000000000000000000000000006"
    "0101010000000000000000000000000000000506100100000000000000000000000000000000"
    "00110100000000000000000000000000000000000000ffc0001108000800080301220002110003"
    "1100ffda000c03010002110311003f009b014405ffd9"
)


def jpeg(size: int = 4096) -> bytes:
    """The tiny JPEG padded after its end marker (decoders ignore the tail) to ``size``."""
    return TINY_JPEG + bytes(size - len(TINY_JPEG))


@pytest.fixture(autouse=True)
def blobs(settings: Settings, tmp_path: Path) -> Path:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    return tmp_path / "blobs"


def logged_in(username: str = "zhang") -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def page_url(case: Case) -> str:
    return reverse("recording-new", args=[case.pk])


def finished_upload(
    user: User, case: Case, name: str, data: bytes, *, complete: bool = True
) -> Upload:
    upload = uploads.create_upload(
        user=user, case=case, filename=name, length=len(data), metadata={}
    )
    size = len(data) if complete else len(data) // 2
    body = io.BytesIO(data[:size])
    return uploads.append(upload, offset=0, body=body, size=size, checksum=None)


def local(moment: datetime) -> str:
    """A ``datetime-local`` form value in the site's time zone (Asia/Shanghai)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def metadata(world: World, upload: Upload, **changes: object) -> dict[str, object]:
    start = clock.now() - timedelta(hours=2)
    data: dict[str, object] = {
        "upload": str(upload.pk),
        "kind": "photo",
        "method": "执法记录仪拍摄",
        "recorded_start_at": local(start),
        "recorded_end_at": local(start + timedelta(minutes=5)),
        "maker": world.zhang.pk,
        "device_id": "DSJ-0001",
        "place": "某某矿业有限公司办公室",
        "proves": "现场检查时统计台账的存放情况",
        "belongs_to": "现场检查笔录",
        "transcript": "",
        "late_reason": "",
    }
    data.update(changes)
    return data


def test_a_handler_sees_the_upload_page(world: World) -> None:
    case = open_case(world)
    body = logged_in().get(page_url(case)).content.decode()
    assert "上传音像记录" in body
    assert f'data-case-id="{case.pk}"' in body
    assert "evidence/vendor/tus.min.js" in body
    assert '<progress id="upload-progress"' in body
    for kind in ("照片", "录音", "录像", "视频监控"):
        assert f">{kind}</option>" in body
    assert "张伟（证号 LC-001）" in body
    assert "李娜（证号 LC-002）" in body
    assert "旁观者" not in body


def test_who_may_not_open_the_page(world: World) -> None:
    case = open_case(world)
    assert logged_in("reviewer").get(page_url(case)).status_code == 403
    assert logged_in("bystander").get(page_url(case)).status_code == 404
    assert logged_in("colleague").get(page_url(case)).status_code == 404
    assert Client().get(page_url(case)).status_code == 302


def test_a_classified_case_offers_no_upload(world: World) -> None:
    case = open_case(world, confidentiality="state_secret")
    body = logged_in().get(page_url(case)).content.decode()
    assert "国家秘密" in body
    assert "evidence-file" not in body


def test_submitting_a_finished_upload_registers_the_recording(world: World) -> None:
    case = open_case(world)
    upload = finished_upload(world.zhang.user, case, "现场照片.jpg", jpeg())
    response = logged_in().post(page_url(case), metadata(world, upload))
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[case.pk])
    recording = Recording.objects.get(case=case)
    assert (recording.kind, recording.filename, recording.maker_name) == (
        "photo",
        "现场照片.jpg",
        "张伟",
    )
    assert recording.blob.sha256 == upload.blob_sha256
    assert not recording.late


def test_sound_without_a_transcript_is_refused_on_the_field(world: World) -> None:
    case = open_case(world)
    name, data = SAMPLES["audio/x-wav"]
    upload = finished_upload(world.zhang.user, case, name, data + bytes(1024))
    body = logged_in().post(page_url(case), metadata(world, upload, kind="audio")).content.decode()
    assert 'data-field="transcript"' in body
    assert "声音资料应当附有该声音内容的文字记录" in body
    assert not Recording.objects.exists()


def test_a_late_recording_needs_a_reason(world: World) -> None:
    case = open_case(world)
    upload = finished_upload(world.zhang.user, case, "现场照片.jpg", jpeg())
    long_ago = clock.now() - timedelta(days=30)
    late = {"recorded_start_at": local(long_ago), "recorded_end_at": ""}
    body = logged_in().post(page_url(case), metadata(world, upload, **late)).content.decode()
    assert 'data-field="late_reason"' in body
    assert re.search(r'<div id="late-field" data-late-before="[0-9-]+">', body), "shown"
    assert "已逾期" in body

    explained = metadata(world, upload, **late, late_reason="执法记录仪故障，送修后导出")
    assert logged_in().post(page_url(case), explained).status_code == 302
    assert Recording.objects.get(case=case).late


def test_the_upload_must_be_finished_and_ones_own(world: World) -> None:
    case = open_case(world)
    half = finished_upload(world.zhang.user, case, "现场照片.jpg", jpeg(), complete=False)
    body = logged_in().post(page_url(case), metadata(world, half)).content.decode()
    assert "文件尚未上传完成" in body

    others = finished_upload(world.li.user, case, "现场照片.jpg", jpeg())
    body = logged_in().post(page_url(case), metadata(world, others)).content.decode()
    assert "上传不存在" in body
    assert not Recording.objects.exists()


def test_missing_metadata_names_the_rule(world: World) -> None:
    case = open_case(world)
    upload = finished_upload(world.zhang.user, case, "现场照片.jpg", jpeg())
    data = metadata(world, upload, method="", proves="")
    body = logged_in().post(page_url(case), data).content.decode()
    # a 栾川 case: rule 10's statute, never the other agency's regulation
    assert "制作方法：必须填写（《最高人民法院关于行政诉讼证据若干问题的规定》第十二条）" in body
    assert "兴隆台区办法" not in body
    assert "证明对象：必须填写" in body


def test_earliest_on_time_is_the_storage_deadline_turned_around(world: World) -> None:
    case = open_case(world)
    first = earliest_on_time(case)
    period, calendar, today = (
        case.agency.profile.av_storage,
        selectors.working_calendar(),
        clock.today(),
    )
    assert storage_due(first, period, calendar).due_on >= today
    assert storage_due(first - timedelta(days=1), period, calendar).due_on < today


def test_the_maker_is_the_uploading_handler(world: World) -> None:
    """#16 found on the way 13: the officer who uploads is offered as the 制作人; another
    handler uploading sees themself; the browser fills the start from the file's own time."""
    case = open_case(world)
    for username, officer in (("zhang", world.zhang), ("li", world.li)):
        body = logged_in(username).get(page_url(case)).content.decode()
        assert f'<option value="{officer.pk}" selected>' in body
    script = Path("casetrail/web/static/evidence/upload.js").read_text(encoding="utf-8")
    assert "guessStart(chooser.files[0])" in script
