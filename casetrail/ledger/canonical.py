"""Canonical JSON: the exact bytes that the ledger hashes.

RFC 8785 (JSON Canonicalization Scheme, JCS) for the values the ledger allows: str, int, bool,
None, lists and objects. Object keys are ordered by their UTF-16 code units (RFC 8785 section
3.2.3), no insignificant white space, strings escaped as ECMAScript's JSON.stringify escapes
them, UTF-8. What RFC 8785 cannot represent exactly is refused, naming where it is, never
rounded:

- integers beyond ±(2^53 − 1): RFC 8785 writes numbers as IEEE 754 doubles, so a larger
  integer would not survive another implementation (`IntegerRangeError`);
- floats: the ledger records amounts, counts and ids as integers and times as strings; a float
  in a payload is a mistake, not a number to round (`TypeError`).

Anyone can re-create the bytes with an RFC 8785 library (the tests compare with `rfc8785`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any, cast

JsonScalar = str | int | bool | None
Json = JsonScalar | Sequence["Json"] | Mapping[str, "Json"]

MAX_SAFE_INTEGER = 2**53 - 1
"""The largest integer an IEEE 754 double holds exactly (ECMAScript's Number.MAX_SAFE_INTEGER)."""

_LAST_BMP = "\uffff"


class IntegerRangeError(ValueError):
    """An integer canonical JSON (RFC 8785) cannot represent exactly."""


def _check(value: object, path: str) -> None:
    if isinstance(value, bool | str) or value is None:
        return
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise IntegerRangeError(
                f"{path}: 整数 {value} 超出 RFC 8785 可精确表示的范围 ±(2^53−1) "
                "(integer beyond ±(2^53−1), which canonical JSON cannot represent)"
            )
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


_PLAIN = frozenset({str, bool, type(None)})


def _plain(value: object) -> bool:
    """True when *value* is made only of dicts, lists and plain scalars, with integers in
    range and keys whose code points order as their UTF-16 code units do (the common case).

    A fast pass without paths: anything else (a float, a large integer, a key beyond the Basic
    Multilingual Plane, a str subclass, a tuple, another Mapping) sends `canonical_text` to the
    slow path, which accepts it or says where it is.
    """
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is int:
        return -MAX_SAFE_INTEGER <= cast(int, value) <= MAX_SAFE_INTEGER
    if kind is dict:
        for key, item in cast(dict[object, object], value).items():
            if type(key) is not str or not (key.isascii() or max(key) <= _LAST_BMP):
                return False
            if type(item) not in _PLAIN and not _plain(item):
                return False
        return True
    if kind is list:
        return all(type(item) in _PLAIN or _plain(item) for item in cast(list[object], value))
    return False


def _utf16_key(item: tuple[str, object]) -> bytes:
    return item[0].encode("utf-16-be", "surrogatepass")


def _in_jcs_order(value: object) -> object:
    """A copy of a checked *value* as plain dicts and lists, each object's members in RFC 8785
    order (by UTF-16 code units), for an encoder that keeps the order it is given."""
    if isinstance(value, Mapping):
        members = cast(Mapping[str, object], value).items()
        return {key: _in_jcs_order(item) for key, item in sorted(members, key=_utf16_key)}
    if isinstance(value, list | tuple):
        return [_in_jcs_order(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not allowed in canonical JSON")


# One encoder for every call. `JSONEncoder.encode` builds a new C encoder (and a closure) on
# each call; where the C accelerator exists, keep one made with the same options: sorted keys
# (code point order, which is UTF-16 order for the keys `_plain` lets through), no white space,
# UTF-8 kept as is, no circular check (`_plain` and `_check` walk the value first, so a cycle
# never reaches it).
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
# For values `_in_jcs_order` has put in order already.
_ORDERED_ENCODER = json.JSONEncoder(
    sort_keys=False, separators=(",", ":"), ensure_ascii=False, allow_nan=False
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
    if _plain(value):
        return _encode(value)
    _check(value, "$")
    return _ORDERED_ENCODER.encode(_in_jcs_order(value))


def canonical_json(value: Json) -> bytes:
    """Serialise *value* canonically (RFC 8785); floats, integers beyond ±(2^53 − 1) and
    other types are refused, not rounded."""
    return canonical_text(value).encode("utf-8")
