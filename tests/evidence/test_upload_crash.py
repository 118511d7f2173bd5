"""A PATCH interrupted by a server crash keeps the bytes already synced (DESIGN invariant 6).

GIVEN a server in its own process whose flusher syncs every 1 MiB, WHEN a client has sent 3 MiB
of a 4 MiB PATCH and the server is killed with SIGKILL, THEN a restarted server answers HEAD with
an offset of at least 2 MiB (what was synced before the kill), the partial file holds the sent
bytes up to it, and the client completes the upload by sending only the rest.
"""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils.crypto import get_random_string
from pytest_django import Settings

import casetrail
from casetrail.evidence.local_store import LocalBlobStore
from casetrail.evidence.models import Upload
from casetrail.evidence.storage import primary_store
from casetrail.evidence.uploads import partial_path
from tests.dbowner import subprocess_environ
from tests.evidence.samples import SAMPLES
from tests.personas import build_world, open_case

MIB = 1024 * 1024
MP4_NAME, MP4_HEAD = SAMPLES["video/mp4"]
SERVER = """
import sys
import django
django.setup()
from casetrail.evidence import uploads
uploads.FLUSH_EVERY = int(sys.argv[2])
from django.core.servers.basehttp import run
from django.core.wsgi import get_wsgi_application
run("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), threading=True)
"""


def database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user, host, port = config["USER"], config["HOST"] or "127.0.0.1", config["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{config['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """casetrail in a child process, sharing the test database and the blob store."""

    def __init__(self, blobs: Path) -> None:
        self.blobs = blobs
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        root = Path(casetrail.__file__).resolve().parent.parent
        env = {
            **subprocess_environ(),
            "PYTHONPATH": str(root),
            "DJANGO_SETTINGS_MODULE": "casetrail.settings",
            "CASETRAIL_DATABASE_URL": database_url(),
            "CASETRAIL_DATA_DIR": str(django_settings.DATA_DIR),
            "CASETRAIL_SECRET_KEY": django_settings.SECRET_KEY,
            "CASETRAIL_BLOB_STORE": str(self.blobs),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(self.port), str(MIB)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def blobs(settings: Settings, tmp_path: Path) -> LocalBlobStore:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    store = primary_store()
    assert isinstance(store, LocalBlobStore)
    return store


@pytest.fixture
def server(blobs: LocalBlobStore, tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "blobs")
    yield running
    if running.process is not None and running.process.poll() is None:
        running.kill()


def headers_of(officer_user: Any) -> dict[str, str]:
    client = Client()
    client.force_login(officer_user)
    token = get_random_string(32)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    cookie = (
        f"{django_settings.SESSION_COOKIE_NAME}={session}; "
        f"{django_settings.CSRF_COOKIE_NAME}={token}"
    )
    return {"Cookie": cookie, "X-CSRFToken": token, "Tus-Resumable": "1.0.0"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def send_and_stall(url: str, headers: dict[str, str], data: bytes, sent: int) -> socket.socket:
    """A PATCH announcing all of *data* whose client sends *sent* bytes and then waits."""
    port = int(url.split(":")[2].split("/")[0])
    path = "/" + url.split("/", 3)[3]
    lines = [
        f"PATCH {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upload-Offset: 0",
        "Content-Type: application/offset+octet-stream",
        f"Content-Length: {len(data)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data[:sent])
    return sock


def test_a_crash_mid_patch_keeps_the_synced_bytes(transactional_db: None, server: Server) -> None:
    world = build_world()
    case = open_case(world)
    headers = headers_of(world.zhang.user)
    data = MP4_HEAD + os.urandom(4 * MIB - len(MP4_HEAD))
    server.start()
    created = requests.post(
        f"{server.url}/uploads/tus/",
        headers={
            **headers,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": f"filename {b64(MP4_NAME)},case_id {b64(str(case.pk))}",
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    upload = Upload.objects.get(pk=url.rsplit("/", 1)[1])
    partial = partial_path(upload)

    stalled = send_and_stall(url, headers, data, 3 * MIB)
    deadline = time.monotonic() + 30
    while partial.stat().st_size < 3 * MIB and time.monotonic() < deadline:
        time.sleep(0.05)
    assert partial.stat().st_size == 3 * MIB
    time.sleep(1)  # the background sync of the last whole MiB finishes
    server.kill()
    stalled.close()

    server.start()
    head = requests.head(url, headers=headers, timeout=30)
    offset = int(head.headers["Upload-Offset"])
    assert 2 * MIB <= offset <= 3 * MIB
    assert partial.read_bytes()[:offset] == data[:offset]

    rest = data[offset:]
    checksum = base64.b64encode(hashlib.sha256(rest).digest()).decode()
    done = requests.patch(
        url,
        data=rest,
        headers={
            **headers,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": f"sha256 {checksum}",
        },
        timeout=60,
    )
    assert done.status_code == 204, done.text
    upload.refresh_from_db()
    assert upload.completed_at is not None
    assert upload.blob_sha256 == hashlib.sha256(data).hexdigest()
    assert not partial.exists()
