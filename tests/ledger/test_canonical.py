"""Canonical JSON: the bytes the ledger hashes. The fast pass over plain dicts and lists must
accept and refuse exactly what the full check does, and give the same bytes."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.ledger import canonical
from casetrail.ledger.canonical import canonical_json, canonical_text

scalars = st.none() | st.booleans() | st.integers() | st.text()
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def reference(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


@given(documents)
def test_plain_documents_serialise_as_sorted_compact_utf8(value: Any) -> None:
    assert canonical_json(value) == reference(value)
    assert canonical_text(value) == reference(value).decode("utf-8")


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
