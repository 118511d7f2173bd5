"""Verification codes and the printed forms of dates and money (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from casetrail.documents.codes import ALPHABET, normalise, verification_code
from casetrail.documents.formatting import (
    chinese_date,
    chinese_datetime,
    money,
    money_in_capitals,
)


def test_a_code_is_three_groups_of_four_unambiguous_characters() -> None:
    code = verification_code(42, "ab" * 32)
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4]
    assert all(c in ALPHABET for c in "".join(groups))
    assert not set("ILOU") & set(code)


def test_a_code_depends_on_the_document_and_its_final_content() -> None:
    code = verification_code(42, "ab" * 32)
    assert verification_code(42, "ab" * 32) == code
    assert verification_code(43, "ab" * 32) != code
    assert verification_code(42, "cd" * 32) != code


def test_a_typed_code_is_read_as_people_type_it() -> None:
    code = verification_code(42, "ab" * 32)
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise(typed) == code
    assert normalise(code.replace("-", "")) == code


@pytest.mark.parametrize(
    "typed", ["", "ABCD", "ABCD-EFGH-JKLMN", "ABCD-EFGH-JKU1", "中文中文中文中文中文中文"]
)
def test_what_cannot_be_a_code_is_refused(typed: str) -> None:
    assert normalise(typed) is None


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("50000", "伍万元整"),
        ("20000.00", "贰万元整"),
        ("1005", "壹仟零伍元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("10", "壹拾元整"),
        ("100.5", "壹佰元伍角"),
        ("100.05", "壹佰元零伍分"),
        ("0.5", "零元伍角"),
        ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
        ("100000000", "壹亿元整"),
        ("100001000", "壹亿零壹仟元整"),
    ],
)
def test_money_in_capitals_as_on_a_decision(amount: str, capitals: str) -> None:
    assert money_in_capitals(Decimal(amount)) == capitals


def test_money_dates_and_times_as_printed() -> None:
    assert money("50000.00") == "50,000.00元（人民币伍万元整）"
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"
    # stored in UTC, printed in China Standard Time
    assert chinese_datetime(datetime(2026, 12, 11, 1, 5, tzinfo=UTC)) == "2026年12月11日9时05分"
