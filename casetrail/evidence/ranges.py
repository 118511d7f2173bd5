"""HTTP range requests over a stored file (RFC 9110 §14): which bytes a `Range` header asks for.

Pure: imports nothing from Django. Only one range of bytes is served (what browsers ask when an
<audio> or <video> element starts or seeks); several ranges are answered with the whole file,
which RFC 9110 §14.2 allows. A malformed or unsatisfiable byte range is refused (416) rather
than answered with a whole file that may be gigabytes long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BYTES = re.compile(r"\s*bytes\s*=\s*(.*)\Z", re.IGNORECASE | re.DOTALL)
_ONE = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*\Z")


@dataclass(frozen=True)
class ByteRange:
    first: int
    last: int  # inclusive, as Content-Range counts

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.first}-{self.last}/{size}"


class Unsatisfiable(ValueError):
    """The range cannot be served from a file of this size (answer 416)."""


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range *header* asks for within *size* bytes; None for the whole file (no
    header, another unit, several ranges); `Unsatisfiable` for a malformed or impossible one."""
    if not header:
        return None
    unit = _BYTES.match(header)
    if unit is None:
        return None  # another range unit: ignored (§14.2)
    specs = unit.group(1).split(",")
    if len(specs) > 1:
        return None
    found = _ONE.match(specs[0])
    if found is None or found.group(1) == found.group(2) == "":
        raise Unsatisfiable(header)
    first_text, last_text = found.group(1), found.group(2)
    if first_text == "":  # a suffix: the last N bytes
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise Unsatisfiable(header)
        return ByteRange(max(size - suffix, 0), size - 1)
    first = int(first_text)
    last = size - 1 if last_text == "" else min(int(last_text), size - 1)
    if first >= size or (last_text and int(last_text) < first):
        raise Unsatisfiable(header)
    return ByteRange(first, last)
