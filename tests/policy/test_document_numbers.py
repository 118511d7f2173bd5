"""文号 (#16 found on the way 3): 机关代字 + 类别字 + 〔年份〕 + 序号 + 号, as the regulation's
documents write them (栾统罚决字〔2026〕1号) — never the agency's 统 twice (栾统统罚决字)."""

from __future__ import annotations

import re

import pytest

from casetrail.policy.catalogue import (
    CatalogueError,
    DocumentKind,
    builtin_catalogue,
    document_number,
    parse_catalogue,
)
from tests.policy.test_catalogue import KIND

# The short names (机关代字) of the built-in agencies of `casetrail demo`.
AGENCIES = ("栾统", "兴统")


def official(agency: str) -> re.Pattern[str]:
    """The agency's 机关代字, a category of 1–4 characters ending in 字 that does not repeat the
    代字's last character (栾统统…), 〔year〕, the sequence and 号."""
    return re.compile(rf"{agency}(?!{agency[-1]})[\u4e00-\u9fff]{{1,4}}字〔2026〕12号")


NUMBERED = [kind for kind in builtin_catalogue().values() if kind.numbered]


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("kind", NUMBERED, ids=[kind.code for kind in NUMBERED])
def test_every_numbered_kind_gets_a_number_of_the_official_pattern(
    agency: str, kind: DocumentKind
) -> None:
    number = document_number(agency, kind, 2026, 12)
    assert official(agency).fullmatch(number), number


def test_the_numbers_the_issue_saw_doubled() -> None:
    catalogue = builtin_catalogue()
    assert document_number("栾统", catalogue["prior_notice"], 2026, 2) == "栾统罚告字〔2026〕2号"
    assert document_number("栾统", catalogue["decision"], 2026, 2) == "栾统罚决字〔2026〕2号"
    assert document_number("兴统", catalogue["demand_notice"], 2027, 1) == "兴统催字〔2027〕1号"


def test_an_abbreviation_is_a_category_ending_in_zi() -> None:
    text = KIND.replace(
        'title = "情况说明"',
        'title = "情况说明"\nnumbered = true\nseal = true\nabbreviation = "说明"',
    )
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, source="mine.toml")
    assert caught.value.key == "kinds.note.abbreviation"
    assert "罚决字" in caught.value.reason
