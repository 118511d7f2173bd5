"""The smallest byte strings that carry each allowed format's signature, made here, not shipped.

They are not playable media; they are what a sniffer sees in the first bytes of a real file.
``tests/evidence/test_sniff_ffmpeg.py`` checks real files written by ffmpeg as well.
"""

from __future__ import annotations

import struct

__all__ = ["SAMPLES", "iso_bmff", "mpeg_ts"]


def iso_bmff(major: bytes, *compatible: bytes) -> bytes:
    """An ``ftyp`` box with the given brands, then an empty ``mdat`` box."""
    brands = b"".join(compatible)
    ftyp = struct.pack(">I", 16 + len(brands)) + b"ftyp" + major + bytes(4) + brands
    return ftyp + struct.pack(">I", 8 + 16) + b"mdat" + bytes(16)


def mpeg_ts(packets: int = 7, *, timecode: bool = False) -> bytes:
    """Null transport-stream packets (PID 0x1FFF), optionally with M2TS's 4-byte time codes."""
    packet = b"\x47\x1f\xff\x10" + b"\xff" * 184
    return b"".join((bytes(4) if timecode else b"") + packet for _ in range(packets))


def _riff(form: bytes, body: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + form + body


def _ebml(doctype: bytes) -> bytes:
    """An EBML header (Matroska / WebM) naming its DocType."""
    doc = b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    body = b"\x42\x86\x81\x01" + b"\x42\xf7\x81\x01" + doc
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67\x80"


_PNG_IHDR = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)

# media type → (a file name with the right extension, content)
SAMPLES: dict[str, tuple[str, bytes]] = {
    "image/jpeg": ("现场照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + bytes(8)),
    "image/png": ("现场照片.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + _PNG_IHDR + bytes(4)),
    "image/tiff": ("扫描件.tif", b"II*\x00\x08\x00\x00\x00\x00\x00" + bytes(8)),
    "image/heic": ("IMG_0001.HEIC", iso_bmff(b"heic", b"mif1", b"heic")),
    "video/mp4": ("执法记录仪_0001.mp4", iso_bmff(b"isom", b"isom", b"iso2", b"avc1", b"mp41")),
    "video/quicktime": ("IMG_0002.MOV", iso_bmff(b"qt  ", b"qt  ")),
    "video/3gpp": ("手机录像.3gp", iso_bmff(b"3gp4", b"isom", b"3gp4")),
    "video/x-msvideo": ("记录仪.avi", _riff(b"AVI ", b"LIST" + bytes(12))),
    "video/x-matroska": ("录像.mkv", _ebml(b"matroska")),
    "video/webm": ("录像.webm", _ebml(b"webm")),
    "video/mp2t": ("记录仪.ts", mpeg_ts()),
    "video/mpeg": ("录像.mpg", b"\x00\x00\x01\xba\x44\x00\x04\x00\x04\x01" + bytes(8)),
    "audio/x-wav": ("询问录音.wav", _riff(b"WAVE", b"fmt " + struct.pack("<I", 16) + bytes(16))),
    "audio/mpeg": ("询问录音.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00" + bytes(8)),
    "audio/mp4": ("询问录音.m4a", iso_bmff(b"M4A ", b"M4A ", b"mp42", b"isom")),
    "audio/aac": ("询问录音.aac", b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(8)),
    "audio/amr": ("电话录音.amr", b"#!AMR\n" + b"\x3c" + bytes(31)),
    "audio/x-flac": ("询问录音.flac", b"fLaC\x80\x00\x00\x22" + bytes(34)),
    "audio/ogg": ("询问录音.opus", b"OggS\x00\x02" + bytes(22) + b"\x01\x13OpusHead"),
    "application/pdf": (
        "询问笔录.pdf",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    ),
}
