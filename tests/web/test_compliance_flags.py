"""The case page keeps on record what was done, but not as the rules ask (rules 14, 27, 33)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from casetrail import clock
from tests.personas import PASSWORD, World
from tests.procedure_world import filed_case, issue


def order_to_correct(world: World) -> None:
    case = filed_case(world)
    issue(
        world,
        case,
        "correction_order",
        {
            "party_name": "某某矿业有限公司",
            "violation": "迟报统计资料",
            "legal_basis": "《统计法》第四十四条",
            "correct_by": clock.today().isoformat(),
            "method": "限期报送",
        },
    )


def test_a_third_correction_in_a_year_is_flagged_on_the_case_page(world: World) -> None:
    """统计法实施条例 第50条(四): 一年内被责令改正三次以上的，属于情节严重 (Seed B 第14条)."""
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    order_to_correct(world)
    order_to_correct(world)
    case = filed_case(world)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'data-testid="compliance-flags"' not in page
    order_to_correct(world)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'data-testid="compliance-flags"' in page
    assert "一年内已被责令改正3次" in page
    assert "情节严重" in page
