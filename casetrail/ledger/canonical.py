"""Canonical JSON: the exact bytes that the ledger hashes.

Keys sorted, no insignificant white space, UTF-8, no floats. For the values we allow (str, int,
bool, None, lists and objects) this coincides with RFC 8785 (JCS), so anyone can re-create the
bytes with an ordinary JSON library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import cast

JsonScalar = str | int | bool | None
Json = JsonScalar | Sequence["Json"] | Mapping[str, "Json"]


def _check(value: object, path: str) -> None:
    if isinstance(value, bool | int | str) or value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: object keys must be strings, got {key!r}")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check(item, f"{path}[{position}]")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not allowed in canonical JSON")


_PLAIN = frozenset({str, int, bool, type(None)})


def _plain(value: object) -> bool:
    """True when *value* is made only of dicts, lists and plain scalars (the common case).

    A fast pass without paths: anything else (a float, a str subclass, a tuple, another
    Mapping) sends `canonical_json` to `_check`, which accepts it or says where it is.
    """
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is dict:
        for key, item in cast(dict[object, object], value).items():
            if type(key) is not str or (type(item) not in _PLAIN and not _plain(item)):
                return False
        return True
    if kind is list:
        return all(type(item) in _PLAIN or _plain(item) for item in cast(list[object], value))
    return False


# One encoder for every call: `json.dumps` with options builds a new one each time.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Json) -> bytes:
    """Serialise *value* canonically; floats and other types are refused, not rounded."""
    if not _plain(value):
        _check(value, "$")
    return _ENCODER.encode(value).encode("utf-8")
