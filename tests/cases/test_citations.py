"""A case cites its own agency's regulation, never the other agency's (issue 15): the refusals
of the actions and of the rules, and the articles the document pages show for each kind.

栾统 runs under the 栾川 profile and 兴统 under the 兴隆台 profile (tests/personas.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casetrail.cases.actions.documents import do_finalise_document
from casetrail.cases.actions.review import do_close_investigation
from casetrail.cases.models import Case
from casetrail.procedure.errors import RuleViolation
from tests.investigation_world import XinglongtaiCase
from tests.personas import PASSWORD, World
from tests.procedure_world import create, filed_case, inquiry_fields

LC_NAME, XL_NAME = "栾川县制度", "兴隆台区办法"


def _refusal_to_close(case: Case, user: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        do_close_investigation(acting_user=user, case=case)  # type: ignore[arg-type]
    return refused.value


def test_a_luanchuan_case_without_a_report_cites_the_statute_only(world: World) -> None:
    """GIVEN a filed 栾川 case WHEN the handler ends the investigation without a report THEN the
    refusal cites 行政处罚法 第57条 alone: 栾川's regulation has no article on the report, and
    兴隆台区办法第十条 is not 栾川's."""
    refusal = _refusal_to_close(filed_case(world), world.zhang.user)
    assert refusal.message == "缺少调查终结报告"
    assert refusal.article == "《行政处罚法》第五十七条"


def test_a_xinglongtai_case_without_a_report_cites_its_article_10(world: World) -> None:
    xl = XinglongtaiCase(world)
    refusal = _refusal_to_close(xl.case, xl.chen.user)
    assert refusal.message == "缺少调查终结报告"
    assert refusal.article == "兴隆台区办法第十条；《行政处罚法》第五十七条"


def test_finalising_without_the_persons_signature_cites_each_agencys_own_article(
    world: World,
) -> None:
    """Rule 9: a 栾川 case cites 栾川 art. 9; a 兴隆台 case 兴隆台 art. 7 第2款 and 12 第2款."""
    lc_case = filed_case(world)
    draft = create(world, lc_case, "inquiry_transcript", inquiry_fields(world))
    with pytest.raises(RuleViolation) as refused:
        do_finalise_document(acting_user=world.zhang.user, document=draft)
    assert refused.value.rule == "9"
    assert refused.value.article.startswith(f"{LC_NAME}第九条；")
    assert XL_NAME not in str(refused.value)

    xl = XinglongtaiCase(world)
    fields = inquiry_fields(world, officers=[xl.chen.pk, xl.sun.pk], recorder=xl.sun.pk)
    draft = create(world, xl.case, "inquiry_transcript", fields, by=xl.chen)
    with pytest.raises(RuleViolation) as refused:
        do_finalise_document(acting_user=xl.chen.user, document=draft)
    assert refused.value.rule == "9"
    assert refused.value.article.startswith(f"{XL_NAME}第七条第二款、第十二条第二款；")
    assert LC_NAME not in str(refused.value)


def test_the_document_pages_show_each_agencys_own_articles(world: World) -> None:
    """The list of documents to make (with each kind's basis) names only the case's regulation."""
    lc_case = filed_case(world)
    xl = XinglongtaiCase(world)
    for username, case, own, other in (
        ("zhang", lc_case, LC_NAME, XL_NAME),
        ("chen", xl.case, XL_NAME, LC_NAME),
    ):
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        body = client.get(reverse("document-new", args=[case.pk])).content.decode()
        assert f"{own}第" in body
        assert other not in body
