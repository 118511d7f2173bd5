"""Citations: a rule's statute is fixed in the registry, its regulation articles come from the
case's own agency profile, and no profile's citation ever names the other agency's regulation
(issue 15: a 栾川 officer was told 兴隆台区办法第三十三条)."""

from __future__ import annotations

import re

import pytest

from casetrail.policy.profiles import (
    PolicyProfile,
    ProfileError,
    builtin_profile,
    builtin_profile_text,
    builtin_profiles,
    parse_profile,
)
from casetrail.procedure.citations import RULES, cite, statute_of

LC = builtin_profile("luanchuan-2020")
XL = builtin_profile("xinglongtai-2019")
PROFILES = sorted(builtin_profiles())


def _others(profile: PolicyProfile) -> list[str]:
    """How every other built-in regulation could be named: its short name and its title."""
    return [
        name
        for other in builtin_profiles().values()
        if other.key != profile.key
        for name in (other.citation_name, other.regulation_title)
    ]


@pytest.mark.parametrize("key", PROFILES)
@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_cites_only_the_cases_own_regulation(key: str, rule: str) -> None:
    profile = builtin_profile(key)
    citation = cite(profile, rule)
    assert citation
    for other in _others(profile):
        assert other not in citation
    own = profile.rule_articles.get(rule, ())
    if own:
        assert citation.startswith(f"{profile.citation_name}{'、'.join(own)}")
    else:  # no article of its own: the statute alone, or (with none) the regulation's name
        assert citation == ("；".join(RULES[rule].statute) or profile.citation_name)


@pytest.mark.parametrize("key", PROFILES)
def test_every_kind_shows_only_the_cases_own_regulation(key: str) -> None:
    profile = builtin_profile(key)
    for kind in profile.catalogue().values():
        for article in kind.articles:
            for other in _others(profile):
                assert other not in article, (kind.code, article)


def test_the_decision_cites_each_agencys_own_article() -> None:
    """The 处罚决定书 cited 兴隆台区办法第十三条 in every agency; now each its own article."""
    assert LC.catalogue()["decision"].articles[0] == "栾川县制度第十条"
    assert XL.catalogue()["decision"].articles[0] == "兴隆台区办法第十三条"
    assert "行政处罚法 第59条" in LC.catalogue()["decision"].articles


def test_a_rule_with_no_article_in_the_profile_cites_only_the_statute() -> None:
    assert "R25" not in LC.rule_articles  # 栾川's regulation says nothing of a decision's contents
    assert cite(LC, "R25") == "《行政处罚法》第五十九条"
    assert cite(XL, "R25") == "兴隆台区办法第十三条；《行政处罚法》第五十九条"
    assert cite(LC, "R17") == "《行政处罚法》第五十七条"
    assert cite(XL, "R17") == "兴隆台区办法第十条；《行政处罚法》第五十七条"


def test_the_regulation_comes_before_the_statute() -> None:
    assert cite(LC, "R20") == "栾川县制度第十条；《行政处罚法》第五十七条"
    assert cite(XL, "R20") == "兴隆台区办法第十一条、第三十三条；《行政处罚法》第五十七条"


def test_a_rule_with_neither_names_the_regulation() -> None:
    """Rule 11 has no statute of its own: a profile without an article names its regulation."""
    bare = parse_profile(_without_citations(builtin_profile_text(LC.key)), source="bare.toml")
    assert dict(bare.rule_articles) == {}
    assert cite(bare, "R11") == "栾川县统计局行政执法全过程记录制度"
    assert cite(bare, "R17") == "《行政处罚法》第五十七条"


def test_statute_alone_for_checks_before_any_agency_is_known() -> None:
    assert statute_of("R1") == "《行政处罚法》第四十二条；《统计法》第三十八条第二款"


@pytest.mark.parametrize("key", PROFILES)
def test_every_rule_a_profile_names_is_in_the_registry(key: str) -> None:
    assert set(builtin_profile(key).rule_articles) <= set(RULES)


def test_the_registry_numbers_rules_as_reference_does() -> None:
    numbered = {int(m.group(1)) for r in RULES if (m := re.fullmatch(r"R(\d+)", r))}
    assert numbered == set(range(1, 48))
    for rule in RULES.values():
        for article in rule.statute:
            assert "栾川" not in article
            assert "兴隆台" not in article


# --- the profile keys -------------------------------------------------------------------------


def _without_citations(text: str) -> str:
    """The profile as an agency stored it before citations were profile data."""
    head = text.split("\n# --- 引用条文 ---", 1)[0]
    return re.sub(r"(?m)^citation_name = .*\n", "", head)


def test_a_profile_without_citation_keys_still_loads_and_cites_by_its_title() -> None:
    """An agency's stored copy from before keeps working: statutes only, its own title."""
    old = parse_profile(_without_citations(builtin_profile_text(XL.key)), source="old.toml")
    assert old.citation_name == "兴隆台区统计局行政执法全过程记录制度"
    assert dict(old.document_articles) == {}
    assert cite(old, "R25") == "《行政处罚法》第五十九条"


@pytest.mark.parametrize(
    ("table", "line", "key", "reason"),
    [
        ("rule_articles", 'R99x = ["第十条"]', "rule_articles.R99x", "未知的规则编号"),
        ("rule_articles", 'R17 = ["十条"]', "rule_articles.R17", "条文应写作"),
        (
            "document_articles",
            'no_such_kind = ["第十条"]',
            "document_articles.no_such_kind",
            "未知的文书代码",
        ),
    ],
)
def test_a_bad_citation_is_refused_naming_its_key(
    table: str, line: str, key: str, reason: str
) -> None:
    text = builtin_profile_text(LC.key).replace(f"[{table}]\n", f"[{table}]\n{line}\n", 1)
    with pytest.raises(ProfileError) as refused:
        parse_profile(text, source="agency.toml")
    assert key in str(refused.value)
    assert reason in str(refused.value)
