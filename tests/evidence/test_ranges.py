"""Range headers (RFC 9110 §14): the bytes asked for, the whole file, or 416."""

from __future__ import annotations

import pytest

from casetrail.evidence.ranges import ByteRange, Unsatisfiable, requested_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=0-", ByteRange(0, 999)),
        ("bytes=500-599", ByteRange(500, 599)),
        ("bytes=900-5000", ByteRange(900, 999)),  # clipped to the end
        ("bytes=-100", ByteRange(900, 999)),  # the last 100 bytes
        ("bytes=-5000", ByteRange(0, 999)),
        ("Bytes = 10 - 19", ByteRange(10, 19)),
        (None, None),
        ("", None),
        ("items=0-1", None),  # another unit is ignored
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
    ],
)
def test_ranges(header: str | None, expected: ByteRange | None) -> None:
    assert requested_range(header, 1000) == expected


@pytest.mark.parametrize(
    "header", ["bytes=1000-", "bytes=2000-3000", "bytes=50-10", "bytes=-0", "bytes=-", "bytes=x-1"]
)
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        requested_range(header, 1000)


def test_content_range() -> None:
    assert ByteRange(0, 99).content_range(1000) == "bytes 0-99/1000"
    assert ByteRange(0, 99).length == 100
