"""Canonical JSON: the bytes the ledger hashes. They are RFC 8785's (compared with the `rfc8785`
package); the fast pass over plain dicts and lists must accept and refuse exactly what the full
check does, and give the same bytes."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest
import rfc8785
from hypothesis import example, given
from hypothesis import strategies as st

from casetrail.ledger import canonical
from casetrail.ledger.canonical import (
    MAX_SAFE_INTEGER,
    IntegerRangeError,
    canonical_json,
    canonical_text,
)

# Every JSON value RFC 8785 represents exactly, floats apart (the ledger refuses them).
safe_integers = st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
scalars = st.none() | st.booleans() | safe_integers | st.text()
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
# Keys that code point order and UTF-16 order sort differently: U+E000..U+FFFF against
# characters beyond the Basic Multilingual Plane (surrogate pairs, 0xD800..0xDFFF).
bmp_and_astral = st.characters(min_codepoint=0xE000, max_codepoint=0xFFFF) | st.characters(
    min_codepoint=0x10000
)
clashing_keys = st.dictionaries(st.text(bmp_and_astral, max_size=3), scalars, max_size=6)


def reference(value: Any) -> bytes:
    """Python's sorted compact JSON: what the fast path writes for BMP keys."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


@given(documents)
@example({"\U0001f600": 1, "\ufb01": 2, "a": {"\U00010000": [], "\uffff": None}})
@example([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, '\u2028\x7f\x1f"\\'])
def test_documents_serialise_as_rfc_8785(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_text(value) == rfc8785.dumps(value).decode("utf-8")


@given(clashing_keys)
def test_keys_are_ordered_by_utf16_code_units_not_code_points(value: dict[str, Any]) -> None:
    written = json.loads(canonical_json(value))
    assert list(written) == sorted(value, key=lambda key: key.encode("utf-16-be"))
    assert canonical_json(value) == rfc8785.dumps(value)


def test_an_astral_key_sorts_before_a_late_bmp_key() -> None:
    # U+1F600 is D83D DE00 in UTF-16, before U+FB01; by code point it would come after.
    assert canonical_json({"\ufb01": 1, "\U0001f600": 2}) == '{"😀":2,"ﬁ":1}'.encode()


@pytest.mark.parametrize(
    ("value", "where"),
    [
        (MAX_SAFE_INTEGER + 1, r"^\$: 整数 9007199254740992 "),
        ({"facts": {"amount": -(2**53)}}, r"^\$\.facts\.amount: 整数 -9007199254740992 "),
        ({"records": [{"id": 1}, {"id": 10**30}]}, r"^\$\.records\[1\]\.id: 整数 "),
        ((1, 2**64), r"^\$\[1\]: 整数 "),
    ],
)
def test_integers_beyond_2_53_are_refused_naming_the_field(value: Any, where: str) -> None:
    with pytest.raises(IntegerRangeError, match=where):
        canonical_json(value)
    with pytest.raises(rfc8785.IntegerDomainError):  # what rfc8785 does with them too
        rfc8785.dumps(value)


@given(
    st.integers(min_value=MAX_SAFE_INTEGER + 1) | st.integers(max_value=-MAX_SAFE_INTEGER - 1),
    st.text(),
)
def test_every_integer_out_of_range_is_refused(number: int, key: str) -> None:
    with pytest.raises(IntegerRangeError):
        canonical_json({key: [number]})


def test_without_the_c_accelerator_the_same_encoder_options_apply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    encode = canonical._make_encode()

    @given(documents)
    def same_bytes(value: Any) -> None:
        assert encode(value).encode("utf-8") == reference(value)

    same_bytes()
    with pytest.raises(ValueError, match="not JSON compliant"):  # allow_nan=False
        encode(float("nan"))  # type: ignore[arg-type]


class Label(str):
    """A str subclass, as Django's lazy and safe strings are."""


def test_other_mappings_sequences_and_str_subclasses_are_accepted() -> None:
    value: Any = {"a": (1, 2), "b": OrderedDict(z=1, y=Label("标签")), "c": [Label("x")]}
    assert (
        canonical_json(value) == b'{"a":[1,2],"b":{"y":"\xe6\xa0\x87\xe7\xad\xbe","z":1},"c":["x"]}'
    )


@pytest.mark.parametrize(
    ("value", "where"),
    [
        (1.5, r"\$: float"),
        ({"facts": {"amount": 2.0}}, r"\$\.facts\.amount: float"),
        ({"records": [{"id": 1}, {"id": float("nan")}]}, r"\$\.records\[1\]\.id: float"),
        ({"when": object()}, r"\$\.when: object"),
        ({"facts": {1: "one"}}, r"\$\.facts: object keys must be strings"),
        ([{"set": {1, 2}}], r"\$\[0\]\.set: set"),
    ],
)
def test_refusals_name_where_the_value_is(value: Any, where: str) -> None:
    with pytest.raises(TypeError, match=where):
        canonical_json(value)
