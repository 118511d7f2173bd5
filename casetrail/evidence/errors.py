"""The errors of the evidence package.

``RefusedFile`` speaks to the person who uploaded the file: it names the field and the rule, in
Chinese, so that a view, the API and the CLI can show it as is (STYLE.md habit 8).
``StoreError`` speaks to the operator: a store could not keep or prove a file.
"""

from __future__ import annotations

__all__ = ["BlobMissing", "RefusedFile", "StoreError", "TooLarge"]


class RefusedFile(ValueError):
    """An uploaded file is refused; ``field`` names the input, ``reason`` the rule (Chinese)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}：{reason}")
        self.field = field
        self.reason = reason


class TooLarge(RefusedFile):
    """The file is larger than the configured maximum; raised as soon as the limit is passed."""

    def __init__(self, max_size: int) -> None:
        super().__init__(
            "文件", f"文件超过允许的最大大小 {format_size(max_size)}（{max_size} 字节）"
        )
        self.max_size = max_size


class StoreError(Exception):
    """A blob store could not store, read or prove a file (hash mismatch, I/O, server error)."""


class BlobMissing(StoreError):
    """The store holds no blob under this SHA-256."""

    def __init__(self, store: str, sha256: str) -> None:
        super().__init__(f"{store}: no blob {sha256}")
        self.store = store
        self.sha256 = sha256


def format_size(size: int) -> str:
    """``1536`` → ``"1.5 KiB"``: a size for people, in binary units."""
    if size < 1024:
        return f"{size} B"
    units = ("KiB", "MiB", "GiB", "TiB")
    value, index = size / 1024, 0
    while value >= 1024 and index < len(units) - 1:
        value, index = value / 1024, index + 1
    return f"{value:.1f} {units[index]}"
