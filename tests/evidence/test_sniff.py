"""The allow-list (DA/T 70-2018 可用性检测: format on the list) and the file-name rules."""

from __future__ import annotations

import pytest

from casetrail.evidence.errors import RefusedFile
from casetrail.evidence.sniff import ALLOWED, Sniffed, check_filename, classify, sniff
from tests.evidence.samples import SAMPLES, iso_bmff, mpeg_ts


def test_every_allowed_format_has_a_sample() -> None:
    assert set(SAMPLES) == set(ALLOWED)


@pytest.mark.parametrize("media_type", sorted(SAMPLES))
def test_each_allowed_format_is_recognised_from_its_content(media_type: str) -> None:
    name, content = SAMPLES[media_type]
    allowed = ALLOWED[media_type]

    verdict = classify(content, name)

    assert verdict == Sniffed(media_type, allowed.kind, name.rpartition(".")[2].lower())


@pytest.mark.parametrize(
    ("media_type", "kind"),
    [
        ("video/mp4", "video"),
        ("audio/amr", "audio"),
        ("image/jpeg", "photo"),
        ("application/pdf", "document"),
    ],
)
def test_kinds(media_type: str, kind: str) -> None:
    name, content = SAMPLES[media_type]
    assert classify(content, name).kind == kind


def test_m4a_is_audio_although_its_brands_include_isom() -> None:
    """filetype alone calls it video/mp4; the major brand decides."""
    assert sniff(iso_bmff(b"M4A ", b"M4A ", b"mp42", b"isom")) == "audio/mp4"


def test_m2ts_with_time_codes_is_a_transport_stream() -> None:
    assert classify(mpeg_ts(timecode=True), "00001.MTS").media_type == "video/mp2t"


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"\xff\xfa\x90\x00", "audio/mpeg"),  # MPEG-1 layer III with CRC
        (b"\xff\xe3\x18\x00", "audio/mpeg"),  # MPEG 2.5 layer III
        (b"\xff\xf1\x50\x80", "audio/aac"),  # ADTS (layer bits 00) is not MP3
        (b"\xff\xfd\x90\x00", None),  # MPEG-1 layer II: not on the list
        (b"RF64\xff\xff\xff\xffWAVEds64", "audio/x-wav"),
    ],
)
def test_signatures_filetype_lacks(head: bytes, media_type: str | None) -> None:
    assert sniff(head + bytes(16)) == media_type


def test_a_lone_sync_byte_is_not_a_transport_stream() -> None:
    assert sniff(b"\x47" + bytes(1000)) is None


def test_a_renamed_pdf_is_refused() -> None:
    """GIVEN a PDF named like a body-camera video THEN the extension does not match the content."""
    _, pdf = SAMPLES["application/pdf"]
    with pytest.raises(RefusedFile) as refused:
        classify(pdf, "执法记录仪_0001.mp4")
    assert refused.value.field == "文件名"
    assert ".mp4" in refused.value.reason
    assert "PDF" in refused.value.reason


def test_a_video_named_pdf_is_refused() -> None:
    _, mp4 = SAMPLES["video/mp4"]
    with pytest.raises(RefusedFile, match=r"\.pdf"):
        classify(mp4, "询问笔录.pdf")


def test_extension_case_does_not_matter() -> None:
    assert classify(SAMPLES["video/mp4"][1], "VID_0001.MP4").extension == "mp4"


def test_a_name_without_extension_is_refused() -> None:
    with pytest.raises(RefusedFile, match="缺少扩展名"):
        classify(SAMPLES["video/mp4"][1], "录像")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(RefusedFile) as refused:
        classify(b"", "录像.mp4")
    assert refused.value.field == "文件"
    assert "为空" in refused.value.reason


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a" + bytes(20), "image/gif"),
        (b"PK\x03\x04" + bytes(40), "application/zip"),
        (b"MZ" + bytes(100), "application/x-msdownload"),
    ],
)
def test_a_recognised_format_off_the_list_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(RefusedFile, match="不能作为音像记录保存") as refused:
        classify(content, "a.mp4")
    assert message in refused.value.reason
    assert "DA/T 70" in refused.value.reason
    assert "允许的格式——照片：JPEG、PNG" in refused.value.reason


def test_an_executable_is_named_in_plain_words() -> None:
    """#16 found on the way 14: not `格式 application/x-msdownload 不在允许的格式清单内`."""
    with pytest.raises(RefusedFile) as refused:
        classify(b"MZ" + bytes(100), "报告.exe")
    assert refused.value.reason.startswith("这是Windows 程序文件（.exe、.dll 等），不是照片")
    assert "录像：MP4、MOV" in refused.value.reason


def test_unrecognisable_content_is_refused() -> None:
    with pytest.raises(RefusedFile, match="无法从内容识别"):
        classify(b"just some text, not a recording\n", "a.mp4")


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "不能为空"),
        ("   ", "不能为空"),
        ("../a.mp4", "路径分隔符"),
        ("a/b.mp4", "路径分隔符"),
        ("a\\b.mp4", "路径分隔符"),
        ("a..mp4", ".."),
        ("a\x07.mp4", "控制字符（U+0007）"),
        ("a\x00.mp4", "控制字符"),
        ("a\n.mp4", "控制字符"),
        ("证据\u202e4pm.exe", "格式字符"),
        (".hidden", "“.”开头"),
        ("a" * 296 + ".mp4", "300 字节"),
        ("录" * 86 + ".mp4", "262 字节"),
    ],
)
def test_bad_names_are_refused_naming_the_rule(name: str, rule: str) -> None:
    with pytest.raises(RefusedFile) as refused:
        check_filename(name)
    assert refused.value.field == "文件名"
    assert rule in refused.value.reason
    assert str(refused.value).startswith("文件名：")


@pytest.mark.parametrize(
    "name", ["现场执法记录 2024-01-05.mp4", "IMG_0001.HEIC", "a" * 251 + ".mp4"]
)
def test_ordinary_names_pass_unchanged(name: str) -> None:
    assert check_filename(name) == name


def test_the_name_is_checked_before_the_content() -> None:
    with pytest.raises(RefusedFile) as refused:
        classify(b"", "../a.mp4")
    assert refused.value.field == "文件名"
