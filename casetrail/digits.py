"""Whole numbers from untrusted text (headers, query strings, URL parts, metadata).

``str.isdigit()`` accepts "²" and the Arabic-Indic "٣", and ``int()`` turns thousands of digits
into a number slowly or raises past Python's limit; both ended in a 500. ``whole_number``
accepts ASCII digits only, at most ``MAX_DIGITS`` of them (a 64-bit signed integer's range),
and names the field in a Chinese message otherwise.
"""

from __future__ import annotations

__all__ = ["MAX_DIGITS", "NotAWholeNumber", "whole_number"]

MAX_DIGITS = 18  # below 2**63: fits every integer column of SQLite and PostgreSQL
_DIGITS = frozenset("0123456789")


class NotAWholeNumber(ValueError):
    """The text is not a whole number we accept; the message names the field (Chinese)."""

    def __init__(self, field: str, max_digits: int) -> None:
        super().__init__(f"{field}：必须为不超过 {max_digits} 位的非负整数（仅限 0–9 的数字）")
        self.field = field


def whole_number(text: str | bytes | None, field: str, *, max_digits: int = MAX_DIGITS) -> int:
    """The non-negative integer spelt by *text* in ASCII digits; ``NotAWholeNumber`` if it is
    empty, longer than *max_digits*, or has any other character (sign, space, "²", "٣")."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    if not text or len(text) > max_digits or not _DIGITS.issuperset(text):
        raise NotAWholeNumber(field, max_digits)
    return int(text)
