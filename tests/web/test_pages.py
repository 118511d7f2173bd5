"""The pages, through Django's test client: forms, messages, search."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from casetrail.cases.models import Case
from tests.personas import PASSWORD, VALID_RESIDENT_ID, World, open_case


def logged_in(username: str = "zhang") -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def form_data(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agency": world.lc.pk,
        "start_type": "ex_officio",
        "procedure": "ordinary",
        "cause": "迟报统计资料",
        "summary": "",
        "opinion": "建议立案",
        "confidentiality": "none",
        "co_handlers": [world.li.pk],
        "party_kind": "person",
        "party_name": "王某",
        "party_sex": "male",
        "party_id_type": "resident_id",
        "party_id_number": VALID_RESIDENT_ID,
        "party_address": "栾川县某村",
        "party_phone": "13903791234",
    }
    data.update(changes)
    return data


def test_login_page_is_chinese() -> None:
    body = Client().get(reverse("login")).content.decode()
    assert "登录" in body
    assert 'lang="zh-Hans"' in body


def test_open_case_with_a_bad_id_shows_the_rule_on_the_field(world: World) -> None:
    response = logged_in().post(
        reverse("case-open"), form_data(world, party_id_number="410324198503121234")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="party_id_number"' in body
    assert "GB 11643" in body
    assert not Case.objects.exists()


def test_open_case_with_a_valid_id_redirects_to_the_case(world: World) -> None:
    response = logged_in().post(reverse("case-open"), form_data(world), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("case-detail", args=[case.pk])
    body = response.content.decode()
    assert "案件已启动" in body
    assert case.case_number in body
    assert "启动案件" in body


def test_open_case_with_one_handler_names_the_rule(world: World) -> None:
    response = logged_in().post(reverse("case-open"), form_data(world, co_handlers=[]))
    body = response.content.decode()
    assert "执法人员不得少于2人" in body
    assert "第四十二条" in body
    assert not Case.objects.exists()


def test_search_by_case_number_and_party(world: World) -> None:
    first = open_case(world)
    client = logged_in()
    by_number = client.get(reverse("case-list"), {"q": first.case_number}).content.decode()
    assert first.case_number in by_number
    by_party = client.get(reverse("case-list"), {"q": "矿业"}).content.decode()
    assert first.case_number in by_party
    nothing = client.get(reverse("case-list"), {"q": "不存在的公司"}).content.decode()
    assert "没有符合条件的案件" in nothing


def test_emergency_case_page_shows_the_backfill_deadline(world: World) -> None:
    case = open_case(world, start_type="emergency")
    body = logged_in().get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "补办" in body
    assert 'data-testid="backfill"' in body


def test_a_violation_beyond_two_years_is_warned_of_at_filing(world: World) -> None:
    """Rule 7 (行政处罚法 第36条): a warning on the case, recorded in the opening's ledger entry."""
    from datetime import timedelta

    from casetrail import clock
    from casetrail.cases.models import Case
    from casetrail.ledger.models import LedgerEntry

    old = (clock.today() - timedelta(days=3 * 365)).isoformat()
    response = logged_in().post(
        reverse("case-open"),
        form_data(world, violation_on=old, party_individual_business="on"),
        follow=True,
    )
    case = Case.objects.get()
    assert case.violation_on is not None
    assert case.parties.get().individual_business
    body = response.content.decode()
    assert 'data-testid="limitation"' in body
    assert "第三十六条" in body
    entry = LedgerEntry.objects.get(case=case, action="case.open")
    assert "不再给予行政处罚" in entry.payload


def test_a_violation_after_its_discovery_is_refused_on_the_field(world: World) -> None:
    response = logged_in().post(
        reverse("case-open"),
        form_data(world, violation_on="2026-06-02", discovered_on="2026-06-01"),
    )
    body = response.content.decode()
    assert 'data-field="violation_on"' in body
    assert "不能晚于发现日期" in body
