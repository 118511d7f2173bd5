"""What a media file says about itself (duration, codec, creation time), read with ffprobe.

The facts are kept beside the registered metadata, never instead of it: the creation time a
camera writes is compared with the time a person states (Seed B art. 7(7): 制作时间), and a
difference is flagged for a person to judge. Debian's ``ffmpeg`` package provides ``ffprobe``.

Nothing here raises for an odd file: a file ffprobe cannot read, a photo without these facts,
a missing ``ffprobe`` — each gives empty facts with the reason in ``problem``.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casetrail.evidence.blobstore import BlobStore
from casetrail.evidence.errors import StoreError
from casetrail.evidence.hashing import CHUNK_SIZE
from casetrail.evidence.local_store import LocalBlobStore

__all__ = ["MediaFacts", "facts_from_probe", "probe_blob", "probe_path"]

TIMEOUT_SECONDS = 60
MAX_CODEC_LENGTH = 100
# QuickTime counts from 1904 and many devices from 1970: a zero clock is "not set", not a time.
_EARLIEST_PLAUSIBLE = datetime(1971, 1, 1, tzinfo=UTC)
_STILL_IMAGE_FORMATS = frozenset({"image2", "mjpeg", "png", "tiff"})
_CREATION_TAGS = ("creation_time", "com.apple.quicktime.creationdate", "date", "DATE")


@dataclass(frozen=True)
class MediaFacts:
    """The file's own account of itself; each fact is None/empty when the file does not say."""

    duration_ms: int | None = None
    codec: str = ""
    created_at: datetime | None = None
    problem: str = ""


def probe_path(path: Path, *, ffprobe: str | None = None) -> MediaFacts:
    """Run ffprobe on a local file and read its answer."""
    binary = ffprobe or shutil.which("ffprobe")
    if binary is None:
        return MediaFacts(problem="未安装 ffprobe（apt-get install ffmpeg），未读取媒体信息")
    command = [binary, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    try:
        done = subprocess.run(
            [*command, f"file:{path.resolve()}"],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return MediaFacts(problem=f"ffprobe 未能运行：{error}")
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", errors="replace").strip()[:200]
        return MediaFacts(problem=f"ffprobe 无法读取该文件：{reason or done.returncode}")
    try:
        document = json.loads(done.stdout)
    except ValueError:
        return MediaFacts(problem="ffprobe 的输出不是 JSON")
    return facts_from_probe(document if isinstance(document, dict) else {})


def probe_blob(store: BlobStore, sha256: str) -> MediaFacts:
    """Probe a stored blob: in place for a local folder, else through a temporary copy."""
    if isinstance(store, LocalBlobStore):
        path = store.path(sha256)
        if not path.is_file():
            return MediaFacts(problem=f"存储中没有文件 {sha256[:12]}…")
        return probe_path(path)
    try:
        with tempfile.NamedTemporaryFile(prefix="probe-") as copy, store.open(sha256) as source:
            while chunk := source.read(CHUNK_SIZE):
                copy.write(chunk)
            copy.flush()
            return probe_path(Path(copy.name))
    except (StoreError, OSError) as error:
        return MediaFacts(problem=f"未能读取存储中的文件：{error}")


def facts_from_probe(document: Mapping[str, Any]) -> MediaFacts:
    """The facts in ffprobe's JSON (``-show_format -show_streams``); pure."""
    fmt = _mapping(document.get("format"))
    streams = [_mapping(s) for s in document.get("streams") or [] if isinstance(s, dict)]
    return MediaFacts(
        duration_ms=None if _is_still_image(fmt) else _duration_ms(fmt, streams),
        codec=_codecs(streams),
        created_at=_created_at(fmt, streams),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_still_image(fmt: Mapping[str, Any]) -> bool:
    """A photo: ffprobe reports one frame's duration, which is no recording's length."""
    name = str(fmt.get("format_name", ""))
    return name in _STILL_IMAGE_FORMATS or name.endswith("_pipe")


def _seconds(value: object) -> float | None:
    try:
        seconds = float(str(value))
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _duration_ms(fmt: Mapping[str, Any], streams: list[Mapping[str, Any]]) -> int | None:
    candidates = [_seconds(fmt.get("duration"))] + [_seconds(s.get("duration")) for s in streams]
    known = [c for c in candidates if c is not None]
    return round(known[0] * 1000) if known else None


def _codecs(streams: list[Mapping[str, Any]]) -> str:
    """Video codecs first, then audio, each once: ``h264, aac``."""
    order = {"video": 0, "audio": 1}
    ranked = sorted(streams, key=lambda s: order.get(str(s.get("codec_type")), 2))
    names: list[str] = []
    for stream in ranked:
        name = str(stream.get("codec_name") or "")
        if name and name not in names:
            names.append(name)
    return ", ".join(names)[:MAX_CODEC_LENGTH]


def _created_at(fmt: Mapping[str, Any], streams: list[Mapping[str, Any]]) -> datetime | None:
    for tags in [_mapping(fmt.get("tags")), *(_mapping(s.get("tags")) for s in streams)]:
        for tag in _CREATION_TAGS:
            moment = _parse_time(tags.get(tag))
            if moment is not None:
                return moment
    return None


def _parse_time(value: object) -> datetime | None:
    """ISO 8601 as devices write it; a time without an offset is UTC (QuickTime's convention)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment if moment >= _EARLIEST_PLAUSIBLE else None
