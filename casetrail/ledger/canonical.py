"""Canonical JSON: the exact bytes that the ledger hashes.

Keys sorted, no insignificant white space, UTF-8, no floats. For the values we allow (str, int,
bool, None, lists and objects) this coincides with RFC 8785 (JCS), so anyone can re-create the
bytes with an ordinary JSON library.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any, cast

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


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not allowed in canonical JSON")


# One encoder for every call. `JSONEncoder.encode` builds a new C encoder (and a closure) on
# each call; where the C accelerator exists, keep one made with the same options: sorted keys,
# no white space, UTF-8 kept as is, no circular check (`_plain` and `_check` walk the value
# first, so a cycle never reaches it).
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _make_encode() -> Callable[[Json], str]:
    # The C accelerator's constructor; typeshed does not declare it.
    c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
    if c_make_encoder is None:  # no C accelerator: the same options, in pure Python
        return _ENCODER.encode
    chunks = c_make_encoder(None, _refuse, encode_basestring, None, ":", ",", True, False, False)
    return lambda value: "".join(chunks(value, 0))


_encode = _make_encode()


def canonical_text(value: Json) -> str:
    """`canonical_json` as text (what the ledger stores); its UTF-8 bytes are what is hashed."""
    if not _plain(value):
        _check(value, "$")
    return _encode(value)


def canonical_json(value: Json) -> bytes:
    """Serialise *value* canonically; floats and other types are refused, not rounded."""
    return canonical_text(value).encode("utf-8")
