"""Reading a parsed TOML table key by key, so that every error names its file and dotted key.

Used by the profile parser (`parse.py`) and the document catalogue (`catalogue.py`). Types are
exact: TOML's ``true`` is not an integer, nor a date-time a date.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import TypeVar, cast

from casetrail.policy.errors import ProfileError

_TYPE_NAMES: Mapping[type, str] = {
    bool: "布尔值（true/false）",
    int: "整数",
    float: "小数",
    str: "字符串",
    date: "日期",
    datetime: "日期时间",
    dict: "表",
    list: "数组",
}
_T = TypeVar("_T")


def type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def load(text: str, *, source: str, error: type[ProfileError] = ProfileError) -> Table:
    """The root table of *text*; a syntax error is refused under the key "(TOML)"."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(source, "(TOML)", f"不是合法的 TOML 文件：{exc}") from exc
    return Table(data, source=source, error=error)


class Table:
    """One TOML table being read: tracks its dotted path so every error can name the key."""

    def __init__(
        self,
        data: Mapping[str, object],
        *,
        source: str,
        path: str = "",
        error: type[ProfileError] = ProfileError,
    ) -> None:
        self._data = data
        self.source = source
        self.path = path
        self._error = error

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, reason: str) -> ProfileError:
        return self._error(self.source, self.key(name), reason)

    def fail(self, reason: str) -> ProfileError:
        """An error about this table as a whole."""
        return self._error(self.source, self.path, reason)

    def names(self) -> tuple[str, ...]:
        return tuple(self._data)

    def only(self, *names: str) -> None:
        """Refuse unknown keys first: a misspelt key says more than the missing one it causes."""
        for name in self._data:
            if name not in names:
                raise self.error(name, "未知的设置项")

    def has(self, name: str) -> bool:
        return name in self._data

    def raw(self, name: str, expected: type[_T]) -> _T:
        if name not in self._data:
            raise self.error(name, "缺少必填设置项")
        value = self._data[name]
        if type(value) is not expected:
            raise self.error(name, f"应为{_TYPE_NAMES[expected]}，实际为{type_name(value)}")
        return value

    def optional(self, name: str, expected: type[_T], default: _T) -> _T:
        return self.raw(name, expected) if name in self._data else default

    def text(self, name: str) -> str:
        value = self.raw(name, str).strip()
        if not value:
            raise self.error(name, "不能为空")
        return value

    def optional_text(self, name: str) -> str:
        return self.text(name) if name in self._data else ""

    def flag(self, name: str, *, default: bool = False) -> bool:
        return self.optional(name, bool, default)

    def number(self, name: str, *, minimum: int = 0) -> int:
        value = self.raw(name, int)
        if value < minimum:
            reason = "不能为负数" if minimum == 0 else f"不能小于{minimum}"
            raise self.error(name, f"{reason}，实际为{value}")
        return value

    def choice(self, name: str, options: Mapping[str, str]) -> str:
        value = self.raw(name, str)
        if value not in options:
            allowed = "、".join(f"{code}（{label}）" for code, label in options.items())
            raise self.error(name, f"应为{allowed}之一，实际为“{value}”")
        return value

    def table(self, name: str) -> Table:
        return Table(
            self.raw(name, dict), source=self.source, path=self.key(name), error=self._error
        )

    def tables(self, name: str, *, minimum: int = 1) -> list[Table]:
        items = self.optional(name, list, []) if minimum == 0 else self.raw(name, list)
        if len(items) < minimum:
            raise self.error(name, "至少需要一项")
        return [self._item(name, index, item) for index, item in enumerate(items)]

    def _item(self, name: str, index: int, item: object) -> Table:
        path = f"{self.key(name)}[{index}]"
        if not isinstance(item, dict):
            raise self._error(self.source, path, f"应为表，实际为{type_name(item)}")
        return Table(item, source=self.source, path=path, error=self._error)

    def strings(self, name: str) -> tuple[str, ...]:
        """An optional array of non-empty strings."""
        items = self.optional(name, list, [])
        for index, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                path = f"{self.key(name)}[{index}]"
                raise self._error(self.source, path, f"应为非空字符串，实际为{item!r}")
        return tuple(str(item).strip() for item in items)

    def text_or_strings(self, name: str) -> tuple[str, ...]:
        """A string, or an optional array of non-empty strings: always a tuple."""
        if isinstance(self._data.get(name), str):
            return (self.text(name),)
        return self.strings(name)

    def codes(self, name: str, allowed: Collection[str]) -> tuple[str, ...]:
        items = self.raw(name, list)
        seen: list[str] = []
        for index, item in enumerate(items):
            path = f"{self.key(name)}[{index}]"
            if not isinstance(item, str) or item not in allowed:
                raise self._error(self.source, path, f"未知的代码“{item}”")
            if item in seen:
                raise self._error(self.source, path, f"代码“{item}”重复")
            seen.append(item)
        return tuple(seen)

    def numbers(self, name: str, *, minimum: int) -> tuple[int, ...]:
        items = self.raw(name, list)
        for index, item in enumerate(items):
            if type(item) is not int or item < minimum:
                path = f"{self.key(name)}[{index}]"
                raise self._error(self.source, path, f"应为不小于{minimum}的整数，实际为{item!r}")
        return tuple(cast(list[int], items))
