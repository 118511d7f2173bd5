"""Real files, written by ffmpeg's own muxers, are recognised as what they are.

The hand-made samples in ``samples.py`` show the signatures; these show that the signatures
are the ones real writers produce (ISO BMFF brands, M2TS time codes, ID3 tags, ADTS). Debian's
ffmpeg has no AMR encoder, and PDF and HEIC are not ffmpeg's to write: those rest on the
samples. Skipped when ffmpeg is missing (``apt-get install ffmpeg``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from casetrail.evidence.sniff import HEAD_SIZE, classify
from tests.evidence.av import ffmpeg_or_skip

FFMPEG = shutil.which("ffmpeg")


@pytest.fixture(autouse=True)
def _needs_ffmpeg() -> None:
    """Skip without ffmpeg locally; CI sets CASETRAIL_REQUIRE_FFMPEG=1 and fails instead."""
    ffmpeg_or_skip()


VIDEO = ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=5:duration=0.4"]
AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=0.4"]
PHOTO = ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=1:duration=1", "-frames:v", "1"]

# file name → (ffmpeg arguments before the output name, expected media type)
MEDIA: dict[str, tuple[list[str], str]] = {
    "body.mp4": ([*VIDEO, *AUDIO, "-c:v", "mpeg4", "-c:a", "aac"], "video/mp4"),
    "phone.mov": ([*VIDEO, *AUDIO, "-c:v", "mpeg4", "-c:a", "aac"], "video/quicktime"),
    "phone.3gp": ([*VIDEO, "-c:v", "mpeg4"], "video/3gpp"),
    "cam.avi": ([*VIDEO, "-c:v", "mpeg4"], "video/x-msvideo"),
    "cam.mkv": ([*VIDEO, "-c:v", "mpeg4"], "video/x-matroska"),
    "cam.webm": ([*VIDEO, "-c:v", "libvpx", "-b:v", "100k"], "video/webm"),
    "cam.ts": ([*VIDEO, "-c:v", "mpeg2video"], "video/mp2t"),
    "cam.m2ts": ([*VIDEO, "-c:v", "mpeg2video", "-mpegts_m2ts_mode", "1"], "video/mp2t"),
    "cam.mpg": ([*VIDEO, "-r", "25", "-c:v", "mpeg1video", "-f", "mpeg"], "video/mpeg"),
    "talk.wav": ([*AUDIO], "audio/x-wav"),
    "talk.mp3": ([*AUDIO, "-c:a", "libmp3lame"], "audio/mpeg"),
    "talk.m4a": ([*AUDIO, "-c:a", "aac"], "audio/mp4"),
    "talk.aac": ([*AUDIO, "-c:a", "aac", "-f", "adts"], "audio/aac"),
    "talk.flac": ([*AUDIO], "audio/x-flac"),
    "talk.opus": ([*AUDIO, "-c:a", "libopus"], "audio/ogg"),
    "photo.jpg": ([*PHOTO], "image/jpeg"),
    "photo.png": ([*PHOTO], "image/png"),
    "scan.tif": ([*PHOTO], "image/tiff"),
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    """Every file of MEDIA, written in parallel; a name maps to ffmpeg's error if it failed."""
    assert FFMPEG is not None
    folder = tmp_path_factory.mktemp("ffmpeg")
    running = {
        name: subprocess.Popen(
            [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args, str(folder / name)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name, (args, _) in MEDIA.items()
    }
    results: dict[str, Path | str] = {}
    for name, process in running.items():
        _, error = process.communicate(timeout=120)
        ok = process.returncode == 0
        results[name] = folder / name if ok else error.decode(errors="replace").strip()
    return results


@pytest.mark.parametrize("name", sorted(MEDIA))
def test_a_file_written_by_ffmpeg_is_recognised(name: str, written: dict[str, Path | str]) -> None:
    path = written[name]
    if isinstance(path, str):
        pytest.skip(f"this ffmpeg cannot write {name}: {path}")
    with path.open("rb") as source:
        verdict = classify(source.read(HEAD_SIZE), name)
    assert verdict.media_type == MEDIA[name][1]
