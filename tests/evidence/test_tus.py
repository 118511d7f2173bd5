"""The tus 1.0 endpoint, driven by the official Python client (tuspy) against a live server,
plus raw requests for what a well-behaved client never sends (wrong checksum, wrong offset)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils.crypto import get_random_string
from pytest_django import Settings
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError
from tusclient.uploader.uploader import Uploader

from casetrail import clock
from casetrail.cases.models import Case, Officer
from casetrail.evidence.local_store import LocalBlobStore
from casetrail.evidence.models import Blob, Upload
from casetrail.evidence.storage import primary_store
from tests.evidence.samples import SAMPLES
from tests.personas import World, build_world, open_case

MP4_NAME, MP4_HEAD = SAMPLES["video/mp4"]
PDF_HEAD = SAMPLES["application/pdf"][1]
TUS = {"Tus-Resumable": "1.0.0"}


class Sha256Uploader(Uploader):
    """tuspy sends SHA-1 checksums by default; we ask for SHA-256."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@dataclass
class TusUser:
    """A logged-in officer as a tus client sees them: the session cookie and a CSRF token."""

    headers: dict[str, str]
    endpoint: str

    def client(self) -> TusClient:
        return TusClient(self.endpoint, headers=dict(self.headers))

    def uploader(self, data: bytes, case: Case, name: str = MP4_NAME, **kw: Any) -> Uploader:
        metadata = {"filename": name, "case_id": str(case.pk)}
        stream = io.BytesIO(data)
        return Sha256Uploader(file_stream=stream, client=self.client(), metadata=metadata, **kw)

    def request(self, method: str, url: str, **headers: str) -> requests.Response:
        return requests.request(method, url, headers={**TUS, **self.headers, **headers})

    def create(self, case: Case, length: int, name: str = MP4_NAME) -> str:
        response = self.request(
            "POST",
            self.endpoint,
            **{"Upload-Length": str(length), "Upload-Metadata": meta(name, case)},
        )
        assert response.status_code == 201, response.text
        return response.headers["Location"]

    def patch(
        self, url: str, body: bytes, offset: int = 0, headers: dict[str, str] | None = None
    ) -> requests.Response:
        return requests.patch(
            url,
            data=body,
            headers={
                **TUS,
                **self.headers,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                **(headers or {}),
            },
        )


def meta(name: str, case: Case) -> str:
    pairs = {"filename": name, "case_id": str(case.pk)}
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def logged_in(officer: Officer, live_server: Any) -> TusUser:
    client = Client()
    client.force_login(officer.user)
    token = get_random_string(32)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    cookie = (
        f"{django_settings.SESSION_COOKIE_NAME}={session}; "
        f"{django_settings.CSRF_COOKIE_NAME}={token}"
    )
    return TusUser({"Cookie": cookie, "X-CSRFToken": token}, f"{live_server.url}/uploads/tus/")


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def blobs(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    store = primary_store()
    assert isinstance(store, LocalBlobStore)
    return store


@dataclass
class Scene:
    world: World
    case: Case
    zhang: TusUser
    blobs: LocalBlobStore

    def partials(self) -> list[Path]:
        return sorted(self.blobs.tmp_dir.glob("tus-*.part"))


@pytest.fixture
def scene(live_server: Any, transactional_db: None, blobs: LocalBlobStore) -> Scene:
    world = build_world()
    return Scene(world, open_case(world), logged_in(world.zhang, live_server), blobs)


def video(size: int = 3 * 1024 * 1024) -> bytes:
    return MP4_HEAD + os.urandom(size - len(MP4_HEAD))


def upload_of(url: str) -> Upload:
    return Upload.objects.get(pk=url.rstrip("/").rsplit("/", 1)[1])


def assert_stored(scene: Scene, url: str, data: bytes) -> None:
    upload = upload_of(url)
    assert upload.completed_at is not None
    assert upload.offset == upload.length == len(data)
    assert upload.blob_sha256 == hashlib.sha256(data).hexdigest()
    assert upload.blob_sm3 == hashlib.new("sm3", data).hexdigest()
    assert upload.media_type == "video/mp4"
    assert scene.blobs.path(upload.blob_sha256).read_bytes() == data
    assert scene.partials() == []


def test_options_says_what_the_server_supports(scene: Scene) -> None:
    response = requests.options(scene.zhang.endpoint)
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.headers["Tus-Extension"] == "creation,expiration,checksum,termination"
    assert response.headers["Tus-Checksum-Algorithm"] == "sha1,sha256"
    assert int(response.headers["Tus-Max-Size"]) == django_settings.CASETRAIL_MAX_UPLOAD_BYTES


def test_tuspy_uploads_a_whole_file_with_sha256_checksums(scene: Scene) -> None:
    data = video()
    uploader = scene.zhang.uploader(data, scene.case, upload_checksum=True)
    uploader.upload()
    assert uploader.url is not None
    assert_stored(scene, uploader.url, data)
    head = scene.zhang.request("HEAD", uploader.url)
    assert head.headers["Upload-Offset"] == head.headers["Upload-Length"] == str(len(data))
    assert head.headers["Cache-Control"] == "no-store"
    assert head.headers["Upload-Metadata"] == meta(MP4_NAME, scene.case)
    assert "Upload-Expires" in head.headers


def test_an_upload_stopped_half_way_resumes_with_a_new_client(scene: Scene) -> None:
    """GIVEN half a file sent with upload_chunk() WHEN a new uploader resumes from the URL
    THEN the server says where it stopped and the whole file is stored with its SHA-256."""
    data = video()
    first = scene.zhang.uploader(data, scene.case, chunk_size=len(data) // 2)
    upload_chunk: Callable[[], object] = first.upload_chunk
    upload_chunk()
    assert first.url is not None
    assert upload_of(first.url).offset == len(data) // 2

    second = scene.zhang.uploader(data, scene.case, url=first.url, upload_checksum=True)
    assert second.offset == len(data) // 2
    second.upload()
    assert_stored(scene, first.url, data)


def test_a_dropped_connection_keeps_the_bytes_that_arrived(scene: Scene) -> None:
    """tus: the server stores as much of an interrupted PATCH as it received."""
    data = video()
    url = scene.zhang.create(scene.case, len(data))
    half = len(data) // 2
    reply = send_then_hang_up(url, scene.zhang.headers, data, half)
    assert reply.startswith(b"HTTP/1.1 204")
    assert upload_of(url).offset == half

    resumed = scene.zhang.uploader(data, scene.case, url=url)
    assert resumed.offset == half
    resumed.upload()
    assert_stored(scene, url, data)


def send_then_hang_up(url: str, headers: dict[str, str], data: bytes, sent: int) -> bytes:
    """A PATCH announcing the whole file whose client stops sending after ``sent`` bytes."""
    parts = urlsplit(url)
    lines = [
        f"PATCH {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Tus-Resumable: 1.0.0",
        "Upload-Offset: 0",
        "Content-Type: application/offset+octet-stream",
        f"Content-Length: {len(data)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    assert parts.hostname is not None
    assert parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data[:sent])
        sock.shutdown(socket.SHUT_WR)
        return sock.recv(65536)


def test_a_wrong_checksum_is_refused_and_the_bytes_discarded(scene: Scene) -> None:
    data = video(1024 * 1024)
    url = scene.zhang.create(scene.case, len(data))
    wrong = scene.zhang.patch(url, data, headers={"Upload-Checksum": f"sha256 {sha256_b64(b'x')}"})
    assert wrong.status_code == 460
    assert "校验和不符" in wrong.text
    assert scene.zhang.request("HEAD", url).headers["Upload-Offset"] == "0"
    assert [p.stat().st_size for p in scene.partials()] == [0]

    right = scene.zhang.patch(url, data, headers={"Upload-Checksum": f"sha256 {sha256_b64(data)}"})
    assert right.status_code == 204
    assert_stored(scene, url, data)


def test_a_wrong_offset_is_a_conflict(scene: Scene) -> None:
    data = video(1024 * 1024)
    url = scene.zhang.create(scene.case, len(data))
    assert scene.zhang.patch(url, data[:100]).headers["Upload-Offset"] == "100"
    conflict = scene.zhang.patch(url, data[50:], offset=50)
    assert conflict.status_code == 409
    assert "服务器为 100" in conflict.text
    assert upload_of(url).offset == 100


def test_termination_removes_the_partial_file(scene: Scene) -> None:
    data = video(1024 * 1024)
    uploader = scene.zhang.uploader(data, scene.case, chunk_size=1000)
    upload_chunk: Callable[[], object] = uploader.upload_chunk
    upload_chunk()
    assert uploader.url is not None
    assert len(scene.partials()) == 1
    assert scene.zhang.request("DELETE", uploader.url).status_code == 204
    assert scene.partials() == []
    assert not Upload.objects.exists()
    assert scene.zhang.request("HEAD", uploader.url).status_code == 404


def test_an_abandoned_upload_expires(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = video(1024 * 1024)
    url = scene.zhang.create(scene.case, len(data))
    first = scene.zhang.patch(url, data[:1000])
    assert first.status_code == 204
    assert "GMT" in first.headers["Upload-Expires"]
    later = clock.now() + timedelta(hours=django_settings.CASETRAIL_UPLOAD_EXPIRY_HOURS, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)

    assert scene.zhang.request("HEAD", url).status_code == 410
    assert scene.zhang.patch(url, data[1000:], offset=1000).status_code == 410
    call_command("expire_uploads")
    assert "已删除过期上传 1 个" in capsys.readouterr().out
    assert not Upload.objects.exists()
    assert scene.partials() == []
    with pytest.raises(TusCommunicationError):
        scene.zhang.uploader(data, scene.case, url=url)


def test_a_renamed_file_is_refused_at_completion_and_nothing_is_kept(scene: Scene) -> None:
    """GIVEN a PDF named .mp4 WHEN its last byte arrives THEN 415 with the reason in Chinese,
    no partial file, no stored blob, no Blob row, and the upload is marked refused."""
    data = PDF_HEAD + bytes(4096)
    url = scene.zhang.create(scene.case, len(data), name="执法记录仪_0002.mp4")
    refused = scene.zhang.patch(url, data)
    assert refused.status_code == 415
    assert "扩展名 .mp4 与文件内容（PDF 文档）不符" in refused.text
    assert scene.partials() == []
    assert list(scene.blobs.iter_sha256()) == []
    assert not Blob.objects.exists()
    assert "不符" in upload_of(url).metadata["refused"]
    assert scene.zhang.request("HEAD", url).status_code == 410
    assert "拒收" in scene.zhang.patch(url, b"", offset=len(data)).text


def test_only_the_handlers_of_a_case_may_upload_to_it(scene: Scene, live_server: Any) -> None:
    """A reviewer sees the case but does not handle it (403); an officer on no case of theirs
    and another agency's officer do not see it (404); nobody sees another's upload (404)."""
    world = scene.world
    reviewer, bystander, colleague = (
        logged_in(officer, live_server)
        for officer in (world.reviewer, world.bystander, world.colleague)
    )
    headers = {"Upload-Length": "10", "Upload-Metadata": meta(MP4_NAME, scene.case)}
    assert reviewer.request("POST", reviewer.endpoint, **headers).status_code == 403
    assert bystander.request("POST", bystander.endpoint, **headers).status_code == 404
    assert colleague.request("POST", colleague.endpoint, **headers).status_code == 404
    anonymous = requests.post(scene.zhang.endpoint, headers={**TUS, **headers})
    assert anonymous.status_code == 403

    url = scene.zhang.create(scene.case, 10)
    for method in ("HEAD", "PATCH", "DELETE"):
        assert reviewer.request(method, url).status_code == 404
    assert len(scene.partials()) == 1


def test_a_patch_without_the_csrf_header_is_refused(scene: Scene) -> None:
    url = scene.zhang.create(scene.case, 10)
    headers = {k: v for k, v in scene.zhang.headers.items() if k != "X-CSRFToken"}
    response = requests.patch(
        url,
        data=b"0123456789",
        headers={
            **TUS,
            **headers,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert response.status_code == 403
    assert upload_of(url).offset == 0


def test_creation_refuses_bad_requests(scene: Scene, settings: Settings) -> None:
    zhang, case = scene.zhang, scene.case
    settings.CASETRAIL_MAX_UPLOAD_BYTES = 1000

    def create(**headers: str) -> requests.Response:
        return zhang.request("POST", zhang.endpoint, **headers)

    too_big = create(**{"Upload-Length": "1001", "Upload-Metadata": meta(MP4_NAME, case)})
    assert too_big.status_code == 413
    assert "最大" in too_big.text
    no_length = create(**{"Upload-Metadata": meta(MP4_NAME, case)})
    assert no_length.status_code == 400
    assert "Upload-Length" in no_length.text
    hidden = create(**{"Upload-Length": "10", "Upload-Metadata": meta(".hidden.mp4", case)})
    assert hidden.status_code == 400
    assert "文件名" in hidden.text
    unversioned = requests.post(zhang.endpoint, headers=zhang.headers)
    assert unversioned.status_code == 412
    assert unversioned.headers["Tus-Version"] == "1.0.0"
    secret = open_case(scene.world, confidentiality="state_secret")
    refused = create(**{"Upload-Length": "10", "Upload-Metadata": meta(MP4_NAME, secret)})
    assert refused.status_code == 403
    assert "国家秘密" in refused.text
    assert not Upload.objects.exists()


def test_a_patch_must_be_an_offset_stream_within_the_length(scene: Scene) -> None:
    url = scene.zhang.create(scene.case, 10)
    wrong_type = scene.zhang.patch(url, b"0123", headers={"Content-Type": "application/json"})
    assert wrong_type.status_code == 415
    too_long = scene.zhang.patch(url, b"0123456789A")
    assert too_long.status_code == 413
    bad_algorithm = scene.zhang.patch(url, b"0123", headers={"Upload-Checksum": "md5 AAAA"})
    assert bad_algorithm.status_code == 400
    assert upload_of(url).offset == 0
