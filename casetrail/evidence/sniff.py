"""What an uploaded file is, judged from its content, and whether it may be kept.

DA/T 70-2018 (文书类电子档案检测一般要求) lists, among the usability checks (可用性检测) of an
electronic record, that the format of its content is one the archive accepts (内容数据格式是否
符合归档要求); GB/T 18894-2016 names the long-term formats (JPEG/TIFF for photos, WAV/MP3 for
sound, MPEG/MP4/AVI for video, PDF/OFD for documents). ``ALLOWED`` is that list as data, widened
to the formats that body cameras (执法记录仪), phones and voice recorders write, because evidence
is kept as recorded, never converted.

The type comes from the first bytes (``HEAD_SIZE``), through the ``filetype`` package plus a few
signatures it lacks or gets wrong (ISO BMFF brands, MPEG transport streams). The extension must
agree with the content, so that a renamed file (a PDF called ``.mp4``) is refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import filetype

from casetrail.evidence.errors import RefusedFile

__all__ = [
    "ALLOWED",
    "HEAD_SIZE",
    "Format",
    "Kind",
    "Sniffed",
    "check_filename",
    "classify",
    "sniff",
]

HEAD_SIZE = 8192
MAX_NAME_BYTES = 255

Kind = Literal["photo", "audio", "video", "document"]


@dataclass(frozen=True)
class Format:
    """One allowed format: its media type, what kind of record it is, and its extensions."""

    media_type: str
    kind: Kind
    label: str
    extensions: tuple[str, ...]


_FORMATS = (
    Format("image/jpeg", "photo", "JPEG 图像", ("jpg", "jpeg")),
    Format("image/png", "photo", "PNG 图像", ("png",)),
    Format("image/tiff", "photo", "TIFF 图像", ("tif", "tiff")),
    Format("image/heic", "photo", "HEIC 图像（手机照片）", ("heic", "heif")),
    Format("video/mp4", "video", "MP4 视频", ("mp4", "m4v")),
    Format("video/quicktime", "video", "MOV 视频", ("mov",)),
    Format("video/3gpp", "video", "3GP 视频", ("3gp",)),
    Format("video/x-msvideo", "video", "AVI 视频", ("avi",)),
    Format("video/x-matroska", "video", "MKV 视频", ("mkv",)),
    Format("video/webm", "video", "WebM 视频", ("webm",)),
    Format("video/mp2t", "video", "MPEG-TS 视频（执法记录仪）", ("ts", "mts", "m2ts")),
    Format("video/mpeg", "video", "MPEG 视频", ("mpg", "mpeg")),
    Format("audio/x-wav", "audio", "WAV 音频", ("wav",)),
    Format("audio/mpeg", "audio", "MP3 音频", ("mp3",)),
    Format("audio/mp4", "audio", "M4A 音频", ("m4a",)),
    Format("audio/aac", "audio", "AAC 音频", ("aac",)),
    Format("audio/amr", "audio", "AMR 音频（电话录音）", ("amr",)),
    Format("audio/x-flac", "audio", "FLAC 音频", ("flac",)),
    Format("audio/ogg", "audio", "Ogg/Opus 音频", ("ogg", "oga", "opus")),
    Format("application/pdf", "document", "PDF 文档", ("pdf",)),
)

ALLOWED: Mapping[str, Format] = MappingProxyType({f.media_type: f for f in _FORMATS})


@dataclass(frozen=True)
class Sniffed:
    """The verdict on an accepted file; ``extension`` is lower-case, without the dot."""

    media_type: str
    kind: Kind
    extension: str


# ISO BMFF (ISO/IEC 14496-12) files start with an ``ftyp`` box whose brands say what they are.
# filetype checks MP4 brands before M4A ones, so it calls an M4A recording "video/mp4".
_MAJOR_BRANDS = {
    "M4A ": "audio/mp4",
    "M4B ": "audio/mp4",
    "qt  ": "video/quicktime",
    "heic": "image/heic",
    "heix": "image/heic",
    "heim": "image/heic",
    "heis": "image/heic",
    "mif1": "image/heic",
    "msf1": "image/heic",
}
_MP4_BRANDS = frozenset(
    {"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "mp71", "avc1", "dash"}
    | {"M4V ", "M4VH", "M4VP", "MSNV", "XAVC", "f4v ", "mmp4"}
)
# QuickTime files written before ``ftyp`` existed start with one of these atoms.
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"pnot"})
_TS_PACKET = 188
_TS_PACKETS_TO_CHECK = 5


def _iso_bmff(head: bytes) -> str | None:
    if head[4:8] in _QUICKTIME_ATOMS:
        return "video/quicktime"
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(head[0:4], "big")
    major = head[8:12].decode("latin-1")
    if major in _MAJOR_BRANDS:
        return _MAJOR_BRANDS[major]
    if major.startswith(("3gp", "3g2")):
        return "video/3gpp"
    compatible = {
        head[i : i + 4].decode("latin-1") for i in range(16, min(box_size, len(head)) - 3, 4)
    }
    if major in _MP4_BRANDS or compatible & _MP4_BRANDS:
        return "video/mp4"
    return None


def _mpeg_ts(head: bytes) -> bool:
    """MPEG-2 transport stream (ISO/IEC 13818-1): a 0x47 sync byte every 188 bytes, or every
    192 bytes after a 4-byte time code (M2TS/AVCHD, used by some body cameras)."""
    for offset, stride in ((0, _TS_PACKET), (4, _TS_PACKET + 4)):
        needed = offset + stride * (_TS_PACKETS_TO_CHECK - 1) + 1
        if len(head) >= needed and all(
            head[offset + stride * i] == 0x47 for i in range(_TS_PACKETS_TO_CHECK)
        ):
            return True
    return False


def _mp3_frame(head: bytes) -> bool:
    """An MPEG audio layer III frame header with no ID3 tag before it: 11 sync bits, then any
    version and layer bits ``01`` (filetype knows only 0xFFFB/F3/F2, not 0xFFFA or MPEG 2.5)."""
    return len(head) >= 4 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2 and head[1] & 0x18 != 0x08


def sniff(head: bytes) -> str | None:
    """The media type of a file from its first bytes, or None if nothing matches."""
    found = _iso_bmff(head)
    if found is not None:
        return found
    if _mpeg_ts(head):
        return "video/mp2t"
    if head[:4] == b"RF64" and head[8:12] == b"WAVE":  # WAV over 4 GiB (EBU Tech 3306)
        return "audio/x-wav"
    if _mp3_frame(head):
        return "audio/mpeg"
    kind = filetype.guess(head)
    return None if kind is None else str(kind.mime)


_REFUSED_CATEGORIES = {
    "Cc": "控制字符",
    "Cf": "不可见的格式字符（如从右向左标记）",
    "Cs": "无效的代理字符",
    "Zl": "换行符",
    "Zp": "分段符",
}


def check_filename(name: str) -> str:
    """Return ``name`` if it is a plain file name, else raise ``RefusedFile`` naming the rule.

    The blob is stored under its hash, but the name is kept as evidence metadata and offered
    back on download, so it must not smuggle a path, hide itself or disguise its extension.
    """
    field = "文件名"
    if not name.strip():
        raise RefusedFile(field, "不能为空")
    if "/" in name or "\\" in name:
        raise RefusedFile(field, "不能包含路径分隔符（/ 或 \\），只填文件本身的名称")
    if ".." in name:
        raise RefusedFile(field, "不能包含“..”")
    for char in name:
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            what = _REFUSED_CATEGORIES[category]
            raise RefusedFile(field, f"不能包含{what}（U+{ord(char):04X}）")
    size = len(name.encode("utf-8", errors="surrogatepass"))
    if size > MAX_NAME_BYTES:
        raise RefusedFile(field, f"过长：{size} 字节，最多 {MAX_NAME_BYTES} 字节（UTF-8）")
    if name.startswith("."):
        raise RefusedFile(field, "不能以“.”开头（隐藏文件）")
    return name


def classify(head: bytes, filename: str) -> Sniffed:
    """Check the name, then the content: the type must be on ``ALLOWED`` and match the extension.

    ``head`` is the start of the file (``HEAD_SIZE`` bytes, or all of a shorter file).
    """
    check_filename(filename)
    if not head:
        raise RefusedFile("文件", "文件为空（0 字节），未保存")
    media_type = sniff(head)
    if media_type is None:
        raise RefusedFile("文件", f"无法从内容识别文件格式；允许的格式：{_allowed_labels()}")
    allowed = ALLOWED.get(media_type)
    if allowed is None:
        raise RefusedFile("文件", off_the_list(media_type))
    stem, dot, extension = filename.rpartition(".")
    extension = extension.lower()
    if not dot or not stem:
        raise RefusedFile("文件名", f"缺少扩展名；按内容应为 .{allowed.extensions[0]}")
    if extension not in allowed.extensions:
        expected = "、".join(f".{e}" for e in allowed.extensions)
        raise RefusedFile(
            "文件名",
            f"扩展名 .{extension} 与文件内容（{allowed.label}）不符，应为 {expected}",
        )
    return Sniffed(media_type=media_type, kind=allowed.kind, extension=extension)


def _allowed_labels() -> str:
    return "、".join(f.label for f in _FORMATS)


# What a refused file is, in words an officer knows (the media type alone said nothing).
PLAIN_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "application/x-msdownload": "Windows 程序文件（.exe、.dll 等）",
        "application/x-executable": "Linux 程序文件",
        "application/x-mach-binary": "macOS 程序文件",
        "application/zip": "ZIP 压缩包（也可能是 Word、Excel 等 Office 文档）",
        "application/x-rar-compressed": "RAR 压缩包",
        "application/vnd.rar": "RAR 压缩包",
        "application/x-7z-compressed": "7z 压缩包",
        "application/gzip": "gzip 压缩包",
        "application/x-tar": "tar 归档包",
        "application/msword": "旧版 Word 文档（.doc）",
        "application/vnd.ms-excel": "旧版 Excel 表格（.xls）",
        "application/x-ole-storage": "旧版 Office 文档（.doc、.xls、.ppt）",
        "image/gif": "GIF 动图",
        "image/bmp": "BMP 位图",
        "image/webp": "WebP 图片",
        "image/vnd.adobe.photoshop": "Photoshop 设计文件",
        "video/x-flv": "FLV 视频",
        "video/x-ms-wmv": "WMV 视频",
        "audio/x-ms-wma": "WMA 音频",
    }
)
_KIND_NAMES = {"photo": "照片", "video": "录像", "audio": "录音", "document": "扫描件"}


def accepted_formats() -> str:
    """The accepted formats by kind, short: "照片：JPEG、PNG…；录像：MP4…"."""
    groups: dict[str, list[str]] = {}
    for f in _FORMATS:
        groups.setdefault(f.kind, []).append(f.label.split(" ", 1)[0])
    return "；".join(f"{_KIND_NAMES.get(k, k)}：{'、'.join(v)}" for k, v in groups.items())


def off_the_list(media_type: str) -> str:
    """Why a recognised file off the list is refused: what it is, and what is accepted."""
    what = PLAIN_NAMES.get(media_type, f"格式为 {media_type} 的文件")
    return (
        f"这是{what}，不是照片、录音、录像或 PDF 扫描件，不能作为音像记录保存。"
        f"允许的格式——{accepted_formats()}。"
        f"（识别出的格式：{media_type}；DA/T 70-2018 可用性检测：格式须符合归档要求）"
    )
