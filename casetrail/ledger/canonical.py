"""Canonical JSON: the exact bytes that the ledger hashes.

Keys sorted, no insignificant white space, UTF-8, no floats. For the values we allow (str, int,
bool, None, lists and objects) this coincides with RFC 8785 (JCS), so anyone can re-create the
bytes with an ordinary JSON library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

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


def canonical_json(value: Json) -> bytes:
    """Serialise *value* canonically; floats and other types are refused, not rounded."""
    _check(value, "$")
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
