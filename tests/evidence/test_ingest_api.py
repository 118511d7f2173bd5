"""The ingest-station API (采集站): token auth, streaming upload, idempotent re-send, refusals."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django import Settings

from casetrail.cases.actions.ingest_tokens import do_issue_ingest_token
from casetrail.cases.models import Case
from casetrail.evidence.blobstore import LocalBlobStore
from casetrail.evidence.models import Blob, IngestToken, Recording
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from tests.evidence.av import (
    MP4_NAME,
    PDF,
    WAV,
    at,
    register,
    store_bytes,
    stored_files,
    travel_to,
    unique_mp4,
    use_fresh_store,
)
from tests.personas import World, make_officer, open_case

URL = "/api/ingest/recordings"
START = "2026-09-30T09:00:00+08:00"


@pytest.fixture(autouse=True)
def store(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    return use_fresh_store(settings, tmp_path)


@pytest.fixture
def case(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    travel_to(monkeypatch, at(2026, 9, 29))
    opened = open_case(world)
    travel_to(monkeypatch, at(2026, 9, 30, 11))
    return opened


def issue(agency: str = "luanchuan-tjj", username: str = "station1", *extra: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_ingest_token", agency, username, *extra, stdout=out, stderr=err)
    assert "签发令牌" in err.getvalue()
    return out.getvalue().strip()


@pytest.fixture
def token(world: World) -> str:
    return issue("luanchuan-tjj", "station1", "--create", "城关一号采集站", "--label", "城关中队")


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True)


def metadata(case: Case, **changes: str) -> dict[str, str]:
    values = {
        "case_number": case.case_number,
        "filename": MP4_NAME,
        "kind": "video",
        "method": "执法记录仪现场录像",
        "recorded_start_at": START,
        "recorded_end_at": "2026-09-30T09:30:00+08:00",
        "maker": "LC-001",
        "proves": "现场检查过程",
        "device_id": "DSJ-0001",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v != ""}


def send_raw(client: Client, token: str, data: bytes, meta: dict[str, str]) -> Any:
    return client.post(
        f"{URL}?{urlencode(meta)}",
        data=data,
        content_type="application/octet-stream",
        headers={"Authorization": f"Bearer {token}"},
    )


def counts() -> tuple[int, int, int]:
    return Blob.objects.count(), Recording.objects.count(), LedgerEntry.objects.count()


def test_a_station_pushes_a_file_and_the_ledger_holds_both_hashes(
    client: Client, token: str, case: Case
) -> None:
    data = unique_mp4("api")
    response = send_raw(client, token, data, metadata(case))
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["created"] is True
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["sm3"] == hashlib.new("sm3", data).hexdigest()
    assert body["late"] is False
    recording = Recording.objects.get(pk=body["id"])
    assert recording.maker_name == "张伟"
    assert recording.ingested_by.username == "station1"
    entry = LedgerEntry.objects.get(action="recording.register")
    facts = json.loads(entry.payload)["facts"]
    assert (facts["sha256"], facts["sm3"]) == (body["sha256"], body["sm3"])
    assert facts["source"] == "ingest"


def test_re_sending_the_same_file_is_idempotent(client: Client, token: str, case: Case) -> None:
    data = unique_mp4("again")
    first = send_raw(client, token, data, metadata(case))
    assert first.status_code == 201
    before = counts()
    again = send_raw(client, token, data, metadata(case))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert counts() == before
    moved = send_raw(
        client, token, data, metadata(case, recorded_start_at="2026-09-30T09:05+08:00")
    )
    assert moved.status_code == 409
    assert moved.json()["field"] == "recorded_start_at"


def test_multipart_is_accepted_too(client: Client, token: str, case: Case) -> None:
    upload = io.BytesIO(unique_mp4("multipart"))
    upload.name = "记录仪_0003.mp4"
    response = client.post(
        URL,
        data={**metadata(case, filename=""), "file": upload},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["filename"] == "记录仪_0003.mp4"


@pytest.mark.parametrize("header", [None, "Bearer ctk_wrong", "Basic c3RhdGlvbjE6eA==", "Bearer"])
def test_no_valid_token_gets_401(client: Client, case: Case, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post(
        f"{URL}?{urlencode(metadata(case))}",
        data=unique_mp4("anon"),
        content_type="application/octet-stream",
        headers=headers,
    )
    assert response.status_code == 401
    assert response.json()["field"] == "Authorization"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert counts() == (0, 0, LedgerEntry.objects.count())


def test_a_revoked_token_gets_401(client: Client, token: str, case: Case) -> None:
    me = client.get("/api/ingest/whoami", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["agency"] == "luanchuan-tjj"
    assert me.json()["label"] == "城关中队"
    row = IngestToken.objects.get()
    call_command("revoke_ingest_token", str(row.pk), stdout=io.StringIO())
    response = send_raw(client, token, unique_mp4("revoked"), metadata(case))
    assert response.status_code == 401
    with pytest.raises(CommandError, match="已于"):
        call_command("revoke_ingest_token", str(row.pk), stdout=io.StringIO())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"case_number": ""}, "case_number"),
        ({"recorded_start_at": "2026-09-30T09:00:00"}, "recorded_start_at"),
        ({"recorded_start_at": "昨天上午"}, "recorded_start_at"),
        ({"maker": "LC-404"}, "maker"),
        ({"maker": "XL-001"}, "maker"),
        ({"proves": ""}, "proves"),
        ({"kind": "audio", "filename": "询问录音.wav"}, "transcript"),
        ({"kind": "photo"}, "kind"),
        ({"filename": ""}, "filename"),
    ],
)
def test_bad_metadata_is_refused_naming_the_field(
    client: Client,
    token: str,
    case: Case,
    store: LocalBlobStore,
    change: dict[str, str],
    field: str,
) -> None:
    data = WAV if change.get("kind") == "audio" else unique_mp4("x")
    response = send_raw(client, token, data, metadata(case, **change))
    assert response.status_code == 400, response.content.decode()
    assert response.json()["field"] == field
    assert counts() == (0, 0, LedgerEntry.objects.count())
    assert stored_files(store) == []


def test_an_unencoded_plus_in_the_offset_is_understood(
    client: Client, token: str, case: Case
) -> None:
    query = urlencode(metadata(case, recorded_start_at="")) + f"&recorded_start_at={START}"
    response = client.post(
        f"{URL}?{query}",
        data=unique_mp4("plus"),
        content_type="application/octet-stream",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["recorded_start_at"] == START


def test_a_refused_file_type_leaves_nothing(
    client: Client, token: str, case: Case, store: LocalBlobStore
) -> None:
    before = counts()
    zipped = b"PK\x03\x04" + bytes(60)
    response = send_raw(client, token, zipped, metadata(case))
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert "允许的格式" in response.json()["error"]
    pdf = send_raw(client, token, PDF, metadata(case, filename="询问笔录.pdf"))
    assert pdf.status_code == 400
    assert pdf.json()["field"] == "kind"
    assert counts() == before
    assert stored_files(store) == []


def test_a_case_of_another_agency_is_not_found(
    client: Client, token: str, world: World, case: Case
) -> None:
    partner = make_officer(world.xl, "xl2", "孙强", ("officer",), cert="XL-002")
    other = open_case(
        world, acting_user=world.colleague.user, agency=world.xl, co_handlers=[partner]
    )
    response = send_raw(client, token, unique_mp4("xl"), metadata(other, maker="XL-002"))
    assert response.status_code == 404
    assert response.json()["field"] == "case_number"


def test_late_needs_a_reason_through_the_api_too(
    client: Client, token: str, case: Case, monkeypatch: pytest.MonkeyPatch, store: LocalBlobStore
) -> None:
    travel_to(monkeypatch, at(2026, 10, 12, 9))
    data = unique_mp4("late")
    refused = send_raw(client, token, data, metadata(case))
    assert refused.status_code == 400
    assert refused.json()["field"] == "late_reason"
    assert "逾期理由" in refused.json()["error"]
    # Lateness is judged after the bytes are stored (a re-send may be a duplicate): the file
    # stays in the content-addressed store, unregistered, and the corrected re-send reuses it.
    assert Blob.objects.count() == 0
    assert len(stored_files(store)) == 1
    accepted = send_raw(client, token, data, metadata(case, late_reason="节假日采集站停电"))
    assert accepted.status_code == 201
    assert accepted.json()["late"] is True


def test_only_an_ingest_account_gets_a_token(world: World) -> None:
    with pytest.raises(RuleViolation, match="没有“采集站”岗位"):
        do_issue_ingest_token(acting_user=None, agency=world.lc, officer=world.zhang, label="x")
    with pytest.raises(CommandError, match="username"):
        issue("luanchuan-tjj", "nobody")
    with pytest.raises(CommandError, match="agency"):
        issue("no-such-agency", "zhang")


def test_too_large_is_413_and_leaves_nothing(
    client: Client, token: str, case: Case, settings: Settings, store: LocalBlobStore
) -> None:
    settings.CASETRAIL_MAX_UPLOAD_BYTES = 100
    response = send_raw(client, token, unique_mp4("big") + bytes(200), metadata(case))
    assert response.status_code == 413
    assert response.json()["field"] == "file"
    assert stored_files(store) == []
    assert counts() == (0, 0, LedgerEntry.objects.count())


def test_other_content_types_are_415(client: Client, token: str, case: Case) -> None:
    response = client.post(
        f"{URL}?{urlencode(metadata(case))}",
        data=json.dumps({"file": "x"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 415
    assert response.json()["field"] == "Content-Type"


def test_a_token_acts_only_for_its_own_agency(
    world: World, token: str, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API looks cases up in the token's agency only; the act checks it again."""
    partner = make_officer(world.xl, "xl2", "孙强", ("officer",), cert="XL-002")
    other = open_case(
        world, acting_user=world.colleague.user, agency=world.xl, co_handlers=[partner]
    )
    station = IngestToken.objects.select_related("officer__user").get()
    with pytest.raises(RuleViolation) as refused:
        register(
            world,
            other,
            store_bytes(unique_mp4("cross"), MP4_NAME),
            acting_user=station.officer.user,
            maker=partner,
            ingest_token=station,
        )
    assert refused.value.rule == "access"
    assert "本机关的案件" in refused.value.message
