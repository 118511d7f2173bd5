"""Forms report every error at once, in a summary at the top, each naming its field; identity
numbers and times are checked in every document form (#16 found on the way 6 and 10)."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from casetrail.cases.models import Case
from tests.personas import PASSWORD, World
from tests.web.test_pages import form_data


def logged_in(username: str = "zhang") -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def summary_items(body: str) -> list[tuple[str, str]]:
    summary = body.split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    return [
        (field, re.sub(r"<[^>]+>", "", text))
        for field, text in re.findall(r'<li data-field="([^"]+)">(.*?)</li>', summary)
    ]


def test_an_empty_case_form_lists_every_missing_field_by_name(world: World) -> None:
    body = logged_in().post(reverse("case-open"), {"agency": world.lc.pk}).content.decode()
    assert "这个字段是必填项" not in body
    items = dict(summary_items(body))
    for field, label in (
        ("cause", "案由"),
        ("opinion", "承办人意见（立案理由）"),
        ("party_name", "当事人姓名或名称"),
        ("party_address", "地址"),
    ):
        assert items[field] == f"{label}：必须填写", field
    assert body.index('data-testid="error-summary"') < body.index('name="cause"')


def test_every_party_error_comes_at_once(world: World) -> None:
    """A wrong check digit, a bad phone and a missing sex: three errors in one submit."""
    data = form_data(world, party_id_number="410324197503121231", party_phone="123", party_sex="")
    response = logged_in().post(reverse("case-open"), data)
    items = dict(summary_items(response.content.decode()))
    assert "证件号码：校验码不符（GB 11643-1999 公民身份号码校验码）" in items["party_id_number"]
    assert items["party_phone"].startswith("联系电话：")
    assert items["party_sex"] == "性别：必须填写"
    assert not Case.objects.exists()


def test_an_organisation_without_code_and_representative(world: World) -> None:
    data = form_data(world, party_kind="organisation", party_uscc="ABC")
    items = dict(summary_items(logged_in().post(reverse("case-open"), data).content.decode()))
    assert items["party_uscc"].startswith("统一社会信用代码：应为18位")
    assert "GB 32100" in items["party_uscc"]
    assert items["party_legal_representative"] == "法定代表人：必须填写"


def test_a_malformed_date_names_the_field(world: World) -> None:
    data = form_data(world, violation_on="2026-13-45")
    items = dict(summary_items(logged_in().post(reverse("case-open"), data).content.decode()))
    assert items["violation_on"].startswith("违法行为发生日期")
    assert "日期格式不正确" in items["violation_on"]


def test_an_emergency_start_without_reason_is_named(world: World) -> None:
    data = form_data(world, start_type="emergency", cause="")
    items = dict(summary_items(logged_in().post(reverse("case-open"), data).content.decode()))
    assert items["emergency_reason"] == "紧急先行启动理由：必须填写"
    assert items["cause"] == "案由：必须填写"
