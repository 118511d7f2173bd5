"""Ingest benchmark: a large video file through the tus endpoint and the ingest-station API.

Run ``.venv/bin/python bench/ingest.py`` (full: a 2 GiB file, 3 rounds) or ``--quick`` (256 MiB,
under a minute). See bench/README.md. The last line of standard output is one JSON object with
every figure.

What runs: the real application, ``casetrail runserver --noreload`` (Django's threaded WSGI
server: no other WSGI server is a dependency of the project), in a subprocess on a free
127.0.0.1 port, with a temporary data folder (SQLite, local blob store) set up by the real
commands: ``migrate``, ``demo``, ``issue_ingest_token``. The file is a generated MPEG-TS
stream, what body cameras write: PAT, PMT, one H.264 PID with a PES packet per frame (30
frames/s, ~63 Mbit/s), each frame an access unit delimiter and a slice of random data. The
sniffing allow-list accepts it and ffprobe reads its codec and duration, as from a real file.

Each round measures, on the same file and in a rotating order so that other load on the
machine falls on all of them alike:

- ``sm3``: ``openssl dgst -sm3 FILE`` (the file is in the page cache, as for our uploads);
- ``cp_sync``: ``cp FILE DEST && sync DEST`` (sync with a file argument fsyncs that file, which
  is what the store does; a bare ``sync`` would also wait for other processes' dirty pages);
- ``tus``: a logged-in officer (session cookie + CSRF header) uploads the file with tuspy in
  one PATCH, as the upload page does; from the creation POST to the PATCH's 204, when the file
  is hashed (SHA-256 + SM3), fsynced and linked into the store;
- ``api``: the ingest station POSTs the file as a raw ``application/octet-stream`` body with
  the metadata in the query and a Bearer token; until the 201 of the registered recording.

limit = max(time of sm3, time of cp_sync); ratio = limit_time / our_time (>= 0.8: within 80 %
of the limit's speed). Before each upload the last TS packet gets a new nonce, so that every
upload is new content (nothing is deduplicated); the digests the server reports are checked
against SHA-256 and SM3 computed here. Each measurement also records how many of the machine's
cores were busy (``*_busy_cores``: sm3 alone is ~1.0 on an idle machine, so more means other
work was running) and the CPU seconds of the server and of this client.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import requests
from tusclient.client import TusClient
from tusclient.exceptions import TusUploadFailed
from tusclient.request import TusRequest
from tusclient.uploader.uploader import Uploader

ROOT = Path(__file__).resolve().parent.parent
CASETRAIL = Path(sys.executable).with_name("casetrail")
MB = 1_000_000
MIB = 1024 * 1024
FULL_MIB = 2048
QUICK_MIB = 256
ROUNDS = 3
TARGET_RATIO = 0.8
TARGET_RSS_MB = 150.0
SEND_BLOCK = MIB  # bytes per send() of a streamed request body
READY_TIMEOUT = 60.0
REQUEST_TIMEOUT = 900.0

# The demo's accounts (casetrail/cases/management/commands/demo.py).
AGENCY = "luanchuan-tjj"
OFFICER = "zhangwei"
OFFICER_PASSWORD = "casetrail-demo"
STATION = "ingest-lc"
FILENAME = "DSJ-0001_20261001_090000.ts"

# --- the file: an MPEG transport stream -----------------------------------------------------

TS_PACKET = 188
PMT_PID = 0x1000
VIDEO_PID = 0x100
PES_STREAM_ID = 0xE0
H264 = 0x1B
FRAMES = 30  # per block: one second at 30 frames/s
FRAME_PACKETS = 16 * 87  # per frame (a multiple of 16 keeps the continuity counter whole)
VIDEO_PACKETS = FRAMES * FRAME_PACKETS
BLOCK_PACKETS = 2 + VIDEO_PACKETS  # PAT, PMT, then the video PID: 7.9 MB, ~63 Mbit/s
PTS_PER_FRAME = 3000  # 90 kHz clock
NONCE_SIZE = 8


def _crc32_mpeg(data: bytes) -> int:
    """CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection), the CRC of PSI sections."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def _psi_packet(pid: int, section: bytes) -> bytes:
    """One packet carrying a whole PSI section (payload unit start, pointer field 0)."""
    section += _crc32_mpeg(section).to_bytes(4, "big")
    header = bytes([0x47, 0x40 | pid >> 8, pid & 0xFF, 0x10])
    return (header + b"\x00" + section).ljust(TS_PACKET, b"\xff")


def _pat() -> bytes:
    body = bytes([0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xE0 | PMT_PID >> 8, PMT_PID & 0xFF])
    return _psi_packet(0, bytes([0x00, 0xB0, len(body) + 4]) + body)


def _pmt() -> bytes:
    pid = bytes([0xE0 | VIDEO_PID >> 8, VIDEO_PID & 0xFF])
    body = bytes([0x00, 0x01, 0xC1, 0x00, 0x00]) + pid + b"\xf0\x00"
    body += bytes([H264]) + pid + b"\xf0\x00"
    return _psi_packet(PMT_PID, bytes([0x02, 0xB0, len(body) + 4]) + body)


def _pts(value: int) -> bytes:
    """A PES header's 33-bit PTS in its 5-byte form (prefix 0010, marker bits)."""
    value &= (1 << 33) - 1
    return bytes(
        [
            0x21 | (value >> 29) & 0x0E,
            (value >> 22) & 0xFF,
            0x01 | (value >> 14) & 0xFE,
            (value >> 7) & 0xFF,
            0x01 | (value << 1) & 0xFE,
        ]
    )


_PES_HEADER = bytes([0, 0, 1, PES_STREAM_ID, 0, 0, 0x80, 0x80, 0x05])  # then the PTS
# Annex B: an access unit delimiter, then a slice NAL unit whose data is random. The start
# codes matter: without them ffprobe's H.264 parser takes the whole file for one frame.
_FRAME_START = b"\x00\x00\x00\x01\x09\xf0\x00\x00\x00\x01\x65"


def _pts_offset(frame: int) -> int:
    """Where frame ``frame``'s PTS is in a block."""
    return (2 + frame * FRAME_PACKETS) * TS_PACKET + 4 + len(_PES_HEADER)


def _template(seed: bytes) -> bytearray:
    """One block: PAT, PMT, and FRAMES frames on the video PID, each a PES packet."""
    payload = TS_PACKET - 4
    random_bytes = bytearray(hashlib.shake_256(seed).digest(VIDEO_PACKETS * payload))
    block = bytearray(_pat() + _pmt())
    for index in range(VIDEO_PACKETS):
        start = 0x40 if index % FRAME_PACKETS == 0 else 0x00
        block += bytes([0x47, start | VIDEO_PID >> 8, VIDEO_PID & 0xFF, 0x10 | index % 16])
        block += random_bytes[index * payload : (index + 1) * payload]
    for frame in range(FRAMES):
        at = _pts_offset(frame) - len(_PES_HEADER)
        block[at : at + len(_PES_HEADER)] = _PES_HEADER
        block[at + len(_PES_HEADER) + 5 : at + len(_PES_HEADER) + 5 + len(_FRAME_START)] = (
            _FRAME_START
        )
    return block


@dataclass
class Sample:
    """The generated file, and the digests of all but its last packet (the nonce's packet)."""

    path: Path
    size: int
    prefix_sha256: hashlib._Hash  # copied, then fed the last packet
    prefix_sm3: hashlib._Hash
    last_packet: bytes
    nonce: int = 0

    def renew(self) -> tuple[str, str]:
        """Write a new nonce into the last packet; the file's new (SHA-256, SM3)."""
        self.nonce += 1
        packet = bytearray(self.last_packet)
        packet[-NONCE_SIZE:] = self.nonce.to_bytes(NONCE_SIZE, "big")
        with self.path.open("r+b") as handle:
            handle.seek(self.size - TS_PACKET)
            handle.write(packet)
        sha256, sm3 = self.prefix_sha256.copy(), self.prefix_sm3.copy()
        sha256.update(packet)
        sm3.update(packet)
        return sha256.hexdigest(), sm3.hexdigest()


def generate(path: Path, size: int) -> Sample:
    """A TS file of ``size`` bytes (rounded down to whole packets), written and fsynced; its
    prefix is hashed on the way (SM3 in a second thread), so that every nonce's digests cost
    one packet's hashing."""
    packets = size // TS_PACKET
    if packets < BLOCK_PACKETS:
        raise SystemExit(f"the file must be at least {BLOCK_PACKETS * TS_PACKET} bytes")
    size = packets * TS_PACKET
    template = _template(b"casetrail bench ingest")
    sha256, sm3 = hashlib.sha256(), hashlib.new("sm3")
    last = b""
    written = 0
    sm3_done: threading.Thread | None = None
    with path.open("wb", buffering=0) as sink:
        for number in range(-(-packets // BLOCK_PACKETS)):
            block = bytearray(template)
            for index in range(2):  # PAT and PMT continuity counters
                block[index * TS_PACKET + 3] = 0x10 | number % 16
            for frame in range(FRAMES):
                at = _pts_offset(frame)
                block[at : at + 5] = _pts((number * FRAMES + frame) * PTS_PER_FRAME)
            del block[size - written :]
            if written + len(block) == size:  # the last packet is hashed per nonce
                last = bytes(block[-TS_PACKET:])
                del block[-TS_PACKET:]
            view = memoryview(bytes(block))
            if sm3_done is not None:
                sm3_done.join()
            sm3_done = threading.Thread(target=sm3.update, args=(view,))
            sm3_done.start()
            sha256.update(view)
            sink.write(view)
            written += len(view)
        if sm3_done is not None:
            sm3_done.join()
        sink.write(last)
        os.fsync(sink.fileno())
    return Sample(path, size, sha256, sm3, last)


# --- the client side --------------------------------------------------------------------------


class StreamedBody:
    """``length`` bytes of ``source`` from where it stands, in blocks: requests sends it with a
    Content-Length (from ``len``) and never holds more than one block."""

    def __init__(self, source: IO[bytes], length: int) -> None:
        self._source = source
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        left = self._length
        while left:
            data = self._source.read(min(SEND_BLOCK, left))
            if not data:
                raise OSError("the file got shorter while it was sent")
            left -= len(data)
            yield data


class StreamedTusRequest(TusRequest):
    """tuspy's PATCH with the chunk streamed from the file. tuspy's own ``TusRequest`` reads
    the whole chunk into memory first (a 2 GiB ``bytes`` for a one-PATCH upload), which a
    browser's tus-js-client does not do."""

    def perform(self) -> None:
        try:
            response = requests.patch(
                self._url,
                data=StreamedBody(self.file, self._content_length),
                headers=self._request_headers,
                verify=self.verify_tls_cert,
                cert=self.client_cert,
                timeout=REQUEST_TIMEOUT,
            )
        except requests.exceptions.RequestException as error:
            raise TusUploadFailed(error) from error  # type: ignore[no-untyped-call]
        self.status_code = response.status_code
        self.response_content = response.content
        self.response_headers = {k.lower(): v for k, v in response.headers.items()}


class StreamingUploader(Uploader):
    """tuspy's Uploader (creation, offsets, retries) with ``StreamedTusRequest`` for PATCH.
    (The ignores: tuspy leaves these constructors and its retry helper unannotated.)"""

    def _do_request(self) -> None:
        request = StreamedTusRequest(self)  # type: ignore[no-untyped-call]
        self.request = request  # type: ignore[assignment]
        try:
            request.perform()
            if not 200 <= (request.status_code or 0) < 300:
                status, content = request.status_code, request.response_content
                raise TusUploadFailed("", status, content)  # type: ignore[no-untyped-call]
        except TusUploadFailed as error:
            self._retry_or_cry(error)  # type: ignore[no-untyped-call]


@dataclass
class Login:
    """A logged-in officer as a tus client sees them: cookies and the CSRF header."""

    headers: dict[str, str]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    data_dir: Path
    log: Path

    @property
    def blobs(self) -> Path:
        return self.data_dir / "blobs"

    def blob(self, sha256: str) -> Path:
        return self.blobs / sha256[:2] / sha256[2:4] / sha256

    def status_kb(self, key: str) -> int:
        """A ``VmHWM``/``VmRSS`` line of /proc/<pid>/status, in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"no {key} in /proc/{self.process.pid}/status")

    def reset_peak(self) -> bool:
        """Reset VmHWM to the current RSS (Linux >= 4.0, ``clear_refs`` 5); False if refused."""
        try:
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def app_environment(data_dir: Path) -> dict[str, str]:
    """This environment without any CASETRAIL_* setting, then a fresh data folder (SQLite,
    local blob store), DEBUG off, no timestamp authority (no network)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETRAIL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="casetrail.settings",
        CASETRAIL_DATA_DIR=str(data_dir),
        CASETRAIL_DEBUG="0",
        CASETRAIL_TSA_URL="",
        PYTHONUNBUFFERED="1",
    )
    return env


def casetrail(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(CASETRAIL), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"casetrail {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


_CASE_QUERY = """
import json
from casetrail.cases.models import Case
case = Case.objects.filter(agency__code=%r, opened_by__user__username=%r).order_by("pk").first()
print("BENCH-CASE " + json.dumps({"id": case.pk, "number": case.case_number}))
"""


@dataclass(frozen=True)
class World:
    case_id: int
    case_number: str
    token: str


def set_up(env: dict[str, str]) -> World:
    """The demo agencies, officers and cases, and an ingest token, through the real commands."""
    casetrail(env, "migrate", "--noinput", "-v", "0")
    casetrail(env, "demo")
    token = casetrail(env, "issue_ingest_token", AGENCY, STATION, "--label", "bench").strip()
    out = casetrail(env, "shell", "-c", _CASE_QUERY % (AGENCY, OFFICER))
    line = next(x for x in out.splitlines() if x.startswith("BENCH-CASE "))
    case = json.loads(line.removeprefix("BENCH-CASE "))
    return World(case_id=int(case["id"]), case_number=str(case["number"]), token=token)


@contextlib.contextmanager
def running_server(env: dict[str, str], data_dir: Path) -> Iterator[Server]:
    port = free_port()
    log = data_dir.parent / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(CASETRAIL), "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = Server(process, f"http://127.0.0.1:{port}", data_dir, log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{log.read_text()[-2000:]}")
            with contextlib.suppress(requests.exceptions.ConnectionError):
                if requests.get(f"{server.base}/login/", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer in {READY_TIMEOUT:g} s")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_in(server: Server) -> Login:
    """Through the real login page, as a browser does."""
    session = requests.Session()
    session.get(f"{server.base}/login/", timeout=30).raise_for_status()
    response = session.post(
        f"{server.base}/login/",
        data={
            "username": OFFICER,
            "password": OFFICER_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code}")
    csrf, sessionid = session.cookies.get("csrftoken"), session.cookies.get("sessionid")
    if not csrf or not sessionid:  # the CSRF token is a new one: Django rotates it at login
        raise RuntimeError("login: no session or CSRF cookie")
    cookie = f"sessionid={sessionid}; csrftoken={csrf}"
    return Login({"Cookie": cookie, "X-CSRFToken": csrf})


def upload_tus(server: Server, login: Login, world: World, path: Path, size: int) -> str:
    """One tus upload in one PATCH; returns the upload's id."""
    client = TusClient(f"{server.base}/uploads/tus/", headers=dict(login.headers))
    metadata = {"filename": FILENAME, "case_id": str(world.case_id)}
    with path.open("rb") as stream:
        uploader = StreamingUploader(
            file_stream=stream, client=client, metadata=metadata, chunk_size=size
        )
        uploader.upload()
        offset, url = uploader.offset, uploader.url
    if offset != size or url is None:
        raise RuntimeError(f"tus: the upload stopped at {offset} of {size} bytes")
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def upload_api(server: Server, world: World, path: Path, size: int, start: datetime) -> Any:
    """One POST of the raw file by the ingest station; returns the 201's JSON."""
    metadata = {
        "filename": FILENAME,
        "case_number": world.case_number,
        "kind": "video",
        "method": "执法记录仪现场录像",
        "recorded_start_at": start.isoformat(timespec="seconds"),
        "recorded_end_at": (start + timedelta(minutes=20)).isoformat(timespec="seconds"),
        "maker": OFFICER,
        "proves": "现场检查过程",
        "device_id": "DSJ-0001",
    }
    with path.open("rb") as stream:
        response = requests.post(
            f"{server.base}/api/ingest/recordings",
            params=metadata,
            data=StreamedBody(stream, size),
            headers={
                "Authorization": f"Bearer {world.token}",
                "Content-Type": "application/octet-stream",
            },
            timeout=REQUEST_TIMEOUT,
        )
    if response.status_code != 201:
        raise RuntimeError(f"ingest API: {response.status_code} {response.text[:500]}")
    return response.json()


def upload_digests(server: Server, upload_id: str) -> tuple[str, str]:
    """What the server recorded for a tus upload (read-only look at its SQLite database)."""
    database = server.data_dir / "casetrail.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT blob_sha256, blob_sm3, completed_at FROM evidence_upload WHERE id = ?",
            (upload_id.replace("-", ""),),
        ).fetchone()
    if row is None or row[2] is None:
        raise RuntimeError(f"tus: upload {upload_id} is not complete on the server")
    return str(row[0]), str(row[1])


# --- the measurements -------------------------------------------------------------------------

NAMES = ("sm3", "cp_sync", "tus", "api")


@dataclass(frozen=True)
class Usage:
    """Where the CPU went during one measurement: cores busy on the whole machine (ours and
    everyone else's; the measurement alone is ~1.0 for sm3), and the CPU seconds of the server
    (with its ffprobe children) and of this client process."""

    busy_cores: float
    server_cpu_s: float
    client_cpu_s: float


@dataclass
class Run:
    """Seconds and CPU use per round for each measurement, and the server's memory."""

    times: dict[str, list[float]] = field(default_factory=lambda: {n: [] for n in NAMES})
    usage: dict[str, list[Usage]] = field(default_factory=lambda: {n: [] for n in NAMES})
    rss_kb: dict[str, int] = field(default_factory=dict)


def _cpu_counters(server: Server) -> tuple[float, float, float]:
    """(machine busy, server CPU, client CPU) in seconds since boot or start (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = total[0] + total[1] + total[2] + total[5] + total[6]  # user nice system irq softirq
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return busy / ticks, own / ticks, usage.ru_utime + usage.ru_stime


def timed(server: Server, action: Callable[[], object]) -> tuple[float, object, Usage]:
    before = _cpu_counters(server)
    begin = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - begin
    after = _cpu_counters(server)
    busy, server_cpu, client_cpu = (end - start for start, end in zip(before, after, strict=True))
    return seconds, result, Usage(busy / seconds, server_cpu, client_cpu)


def settle() -> None:
    """Between measurements: let the removed files' discards and the journal go to disk."""
    os.sync()
    time.sleep(0.5)


def measure_sm3(server: Server, sample: Sample) -> tuple[float, Usage]:
    expected = sample.renew()[1]
    command = ["openssl", "dgst", "-sm3", "-r", str(sample.path)]
    seconds, done, usage = timed(
        server, lambda: subprocess.run(command, capture_output=True, check=True)
    )
    assert isinstance(done, subprocess.CompletedProcess)
    found = done.stdout.split()[0].decode()
    if found != expected:
        raise RuntimeError(f"openssl SM3 {found} differs from ours {expected}")
    return seconds, usage


def measure_cp_sync(server: Server, sample: Sample, scratch: Path) -> tuple[float, Usage]:
    destination = scratch / "copy.ts"

    def copy() -> None:
        subprocess.run(["cp", str(sample.path), str(destination)], check=True)
        subprocess.run(["sync", str(destination)], check=True)

    seconds, _, usage = timed(server, copy)
    if destination.stat().st_size != sample.size:
        raise RuntimeError("cp: the copy has the wrong size")
    destination.unlink()
    return seconds, usage


def track_rss(server: Server, run: Run, name: str, action: Callable[[], object]) -> object:
    """Run ``action`` with the server's peak RSS reset before and read after, under ``name``."""
    reset = server.reset_peak()
    result = action()
    peak = server.status_kb("VmHWM")
    key = name if reset else "cumulative"
    run.rss_kb[key] = max(run.rss_kb.get(key, 0), peak)
    return result


def measure_tus(
    server: Server, login: Login, world: World, sample: Sample, run: Run
) -> tuple[float, Usage]:
    sha256, sm3 = sample.renew()

    def upload() -> str:
        return upload_tus(server, login, world, sample.path, sample.size)

    seconds, upload_id, usage = timed(server, lambda: track_rss(server, run, "tus", upload))
    assert isinstance(upload_id, str)
    if upload_digests(server, upload_id) != (sha256, sm3):
        raise RuntimeError("tus: the server's digests differ from the file's")
    stored = server.blob(sha256)
    if stored.stat().st_size != sample.size:
        raise RuntimeError("tus: the stored blob has the wrong size")
    stored.unlink()  # every upload is new content anyway; this only frees the disk
    return seconds, usage


def measure_api(server: Server, world: World, sample: Sample, run: Run) -> tuple[float, Usage]:
    sha256, sm3 = sample.renew()
    start = datetime.now(timezone(timedelta(hours=8))) - timedelta(minutes=30)

    def upload() -> Any:
        return upload_api(server, world, sample.path, sample.size, start)

    seconds, body, usage = timed(server, lambda: track_rss(server, run, "api", upload))
    assert isinstance(body, dict)
    if (body["sha256"], body["sm3"], body["size"]) != (sha256, sm3, sample.size):
        raise RuntimeError("ingest API: the reported digests differ from the file's")
    server.blob(sha256).unlink()
    return seconds, usage


def warm_up(server: Server, login: Login, world: World, scratch: Path) -> None:
    """One small upload each way, untimed: imports, first queries, ffprobe's cache."""
    small = generate(scratch / "warm-up.ts", BLOCK_PACKETS * TS_PACKET)
    sha256, _ = small.renew()
    upload_tus(server, login, world, small.path, small.size)
    server.blob(sha256).unlink()
    sha256, _ = small.renew()
    start = datetime.now(timezone(timedelta(hours=8))) - timedelta(minutes=40)
    upload_api(server, world, small.path, small.size, start)
    server.blob(sha256).unlink()
    small.path.unlink()


# --- the run ---------------------------------------------------------------------------------


def say(line: str) -> None:
    print(line, flush=True)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def mb_per_s(size: int, seconds: float) -> float:
    return size / MB / seconds


def run_rounds(
    server: Server, login: Login, world: World, sample: Sample, scratch: Path, rounds: int
) -> Run:
    run = Run()
    order = ["sm3", "tus", "cp_sync", "api"]
    for number in range(rounds):
        rotated = order[number % len(order) :] + order[: number % len(order)]
        for name in rotated:
            settle()
            if name == "sm3":
                seconds, usage = measure_sm3(server, sample)
            elif name == "cp_sync":
                seconds, usage = measure_cp_sync(server, sample, scratch)
            elif name == "tus":
                seconds, usage = measure_tus(server, login, world, sample, run)
            else:
                seconds, usage = measure_api(server, world, sample, run)
            run.times[name].append(seconds)
            run.usage[name].append(usage)
        times = {name: run.times[name][-1] for name in NAMES}
        busy = {name: run.usage[name][-1].busy_cores for name in NAMES}
        limit = max(times["sm3"], times["cp_sync"])
        say(
            f"round {number + 1} ({', '.join(rotated)}): "
            + ", ".join(
                f"{name} {seconds:.2f} s = {mb_per_s(sample.size, seconds):.0f} MB/s "
                f"({busy[name]:.1f} cores busy)"
                for name, seconds in times.items()
            )
            + f"; ratio tus {limit / times['tus']:.2f}, api {limit / times['api']:.2f}"
        )
    return run


def summarize(run: Run, size: int) -> dict[str, Any]:
    """Best of the rounds for each measurement, and the per-round ratios' spread."""
    best = {name: min(seconds) for name, seconds in run.times.items()}
    limit = max(best["sm3"], best["cp_sync"])
    figures: dict[str, Any] = {}
    for name, seconds in best.items():
        figures[f"{name}_mb_per_s"] = round(mb_per_s(size, seconds), 1)
    figures["limit_mb_per_s"] = round(mb_per_s(size, limit), 1)
    figures["limit_is"] = "sm3" if best["sm3"] >= best["cp_sync"] else "cp_sync"
    for name in ("tus", "api"):
        figures[f"{name}_ratio_to_limit"] = round(limit / best[name], 3)
        per_round = [
            max(sm3, cp) / ours
            for sm3, cp, ours in zip(
                run.times["sm3"], run.times["cp_sync"], run.times[name], strict=True
            )
        ]
        figures[f"{name}_ratio_per_round"] = [round(ratio, 3) for ratio in per_round]
        figures[f"{name}_ratio_median"] = round(statistics.median(per_round), 3)
    for name, all_seconds in run.times.items():
        figures[f"{name}_s"] = [round(value, 3) for value in all_seconds]
    for name, usages in run.usage.items():
        figures[f"{name}_busy_cores"] = round(statistics.median(u.busy_cores for u in usages), 2)
    for name in ("tus", "api"):
        usages = run.usage[name]
        figures[f"{name}_server_cpu_s"] = round(
            statistics.median(u.server_cpu_s for u in usages), 2
        )
        figures[f"{name}_client_cpu_s"] = round(
            statistics.median(u.client_cpu_s for u in usages), 2
        )
    return figures


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_MIB} MiB instead of 2 GiB")
    parser.add_argument("--size-mib", type=int, help=f"file size in MiB ({FULL_MIB})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds ({ROUNDS})")
    parser.add_argument(
        "--dir",
        type=Path,
        help="where the file, the copy and the data folder go (default: the temporary folder); "
        "its disk is what cp+sync and the store write to",
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder (and server.log)")
    args = parser.parse_args(argv)
    if args.size_mib is None:
        args.size_mib = QUICK_MIB if args.quick else FULL_MIB
    if args.size_mib < 16 or args.rounds < 1:
        parser.error("--size-mib must be at least 16 and --rounds at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    if shutil.which("openssl") is None:
        raise SystemExit("openssl is missing (the SM3 baseline)")
    scratch = Path(tempfile.mkdtemp(prefix="casetrail-bench-ingest-", dir=args.dir))
    figures: dict[str, Any] = {"bench": "ingest", "quick": args.quick}
    load = figures["load_avg_1m_start"] = round(os.getloadavg()[0], 2)
    if load > 0.5:
        say(f"warning: load average {load:.1f} before the run: other work shares the machine")
    try:
        data_dir = scratch / "data"
        env = app_environment(data_dir)
        begin = time.perf_counter()
        world = set_up(env)
        say(f"set up (migrate, demo, token) in {time.perf_counter() - begin:.1f} s; {scratch}")
        begin = time.perf_counter()
        sample = generate(scratch / "sample.ts", args.size_mib * MIB)
        say(f"generated {sample.size:,} bytes of MPEG-TS in {time.perf_counter() - begin:.1f} s")
        with running_server(env, data_dir) as server:
            login = log_in(server)
            warm_up(server, login, world, scratch)
            figures["server_rss_idle_mb"] = round(server.status_kb("VmRSS") / 1024, 1)
            run = run_rounds(server, login, world, sample, scratch, args.rounds)
            run.rss_kb["end"] = server.status_kb("VmHWM")
            leftovers = list((server.blobs / ".tmp").iterdir())
            if leftovers:
                raise RuntimeError(f"the store's .tmp is not empty: {leftovers}")
    finally:
        if args.keep:
            say(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    figures["file_mb"] = round(sample.size / MB, 1)
    figures["file_bytes"] = sample.size
    figures["rounds"] = args.rounds
    figures.update(summarize(run, sample.size))
    peak = max(run.rss_kb.values()) / 1024
    figures["server_peak_rss_mb"] = round(peak, 1)
    figures["server_peak_rss_tus_mb"] = round(run.rss_kb.get("tus", 0) / 1024, 1)
    figures["server_peak_rss_api_mb"] = round(run.rss_kb.get("api", 0) / 1024, 1)
    figures["client_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    figures["server"] = "casetrail runserver --noreload (SQLite, local blob store)"
    figures["tus_client"] = "tuspy Uploader, one PATCH, body streamed in 1 MiB blocks"
    figures["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    figures["runtime_s"] = round(time.perf_counter() - started, 1)

    limit = figures["limit_mb_per_s"]
    say(
        f"limit = max(time of openssl dgst -sm3 FILE, time of cp FILE DEST && sync DEST) "
        f"= {limit:.0f} MB/s ({figures['limit_is']}); ratio = limit_time / our_time "
        f"(best of {args.rounds} rounds each)"
    )
    for name, label in (("tus", "tus (tuspy, one PATCH)"), ("api", "ingest-station API")):
        ratio = figures[f"{name}_ratio_to_limit"]
        spread = figures[f"{name}_ratio_per_round"]
        say(
            f"{label}: {figures[f'{name}_mb_per_s']:.0f} MB/s = {ratio:.2f}x the limit "
            f"(per round {min(spread):.2f}-{max(spread):.2f}) "
            f"[target >= {TARGET_RATIO}x: {verdict(ratio >= TARGET_RATIO)}]"
        )
        say(
            f"  CPU per upload (median): server {figures[f'{name}_server_cpu_s']:.1f} s, "
            f"client {figures[f'{name}_client_cpu_s']:.1f} s; "
            f"{figures[f'{name}_busy_cores']:.1f} of 2 cores busy on the machine "
            f"(sm3 alone: {figures['sm3_busy_cores']:.1f})"
        )
    say(
        f"server peak RSS {peak:.0f} MB (idle {figures['server_rss_idle_mb']:.0f} MB) "
        f"[target <= {TARGET_RSS_MB:.0f} MB: {verdict(peak <= TARGET_RSS_MB)}]; "
        f"client peak RSS {figures['client_peak_rss_mb']:.0f} MB; "
        f"run took {figures['runtime_s']:.0f} s"
    )
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
