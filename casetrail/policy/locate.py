"""Where in a profile's TOML text an error is: the line a person fixes.

TOML syntax errors carry their line in the parser's message; a key's error names the dotted key,
whose line is found in the text (its table header or its assignment, an inline table's keys on
the line of their table).
"""

from __future__ import annotations

import re

from casetrail.policy.errors import ProfileError

_SYNTAX_LINE = re.compile(r"line (\d+)")


def error_line(text: str, error: ProfileError) -> int | None:
    """The 1-based line of *error* in *text*, or None when it is about the file as a whole."""
    if error.key == "(TOML)":
        match = _SYNTAX_LINE.search(error.reason)
        return int(match.group(1)) if match else None
    parts = [part for part in error.key.split(".") if part]
    return _key_line(text.splitlines(), parts) if parts else None


def _key_line(lines: list[str], parts: list[str]) -> int | None:
    first = re.escape(parts[0])
    header = re.compile(rf"^\s*\[{first}(\.[^\]]*)?\]")
    assignment = re.compile(rf"^\s*{first}\s*=")
    for number, line in enumerate(lines, start=1):
        if assignment.match(line):
            return number
        if header.match(line):
            return _line_in_table(lines, number, parts[-1]) or number
    return None


def _line_in_table(lines: list[str], start: int, key: str) -> int | None:
    """The line of *key* in the table whose header is at line *start* (before the next one)."""
    assignment = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.lstrip().startswith("["):
            return None
        if assignment.match(line):
            return number
    return None
