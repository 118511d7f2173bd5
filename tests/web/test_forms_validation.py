"""Forms report every error at once, in a summary at the top, each naming its field; identity
numbers and times are checked in every document form (#16 found on the way 6 and 10)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.documents import Document
from casetrail.cases.models import Case
from tests.personas import PASSWORD, World
from tests.procedure_world import filed_case
from tests.web.test_document_pages import inquiry_post, local
from tests.web.test_pages import form_data


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def logged_in(username: str = "zhang") -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def summary_items(body: str) -> list[tuple[str, str]]:
    summary = body.split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    return [
        (field, re.sub(r"<[^>]+>", "", text))
        for field, text in re.findall(r'<li data-summary-field="([^"]+)">(.*?)</li>', summary)
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


# --- document forms: identity numbers and times (#16 found on the way 6) ---------------------

INQUIRY = "inquiry_transcript"


def _filed_hours_ago(world: World, monkeypatch: pytest.MonkeyPatch, hours: float) -> Case:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now - timedelta(hours=hours))
    case = filed_case(world)
    monkeypatch.setattr(clock, "now", lambda: now)
    return case


def _inquiry_errors(world: World, case: Case, **changes: Any) -> dict[str, str]:
    response = logged_in().post(
        reverse("document-create", args=[case.pk, INQUIRY]), inquiry_post(world, **changes)
    )
    assert response.status_code == 200, "the form must refuse"
    assert not Document.objects.exists()
    return dict(summary_items(response.content.decode()))


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (
            "410324197503121231",
            "被询问人身份证件号码：校验码不符（GB 11643-1999 公民身份号码校验码）",
        ),
        ("410324197502301235", "被询问人身份证件号码：出生日期“19750230”不存在"),
        ("ABC", "被询问人身份证件号码：“ABC”不是有效的证件号码"),
    ],
)
def test_a_wrong_identity_number_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, number: str, expected: str
) -> None:
    case = _filed_hours_ago(world, monkeypatch, 3)
    errors = _inquiry_errors(world, case, interviewee_id_number=number)
    assert errors["interviewee_id_number"].startswith(expected)


def test_a_passport_number_is_accepted(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    case = _filed_hours_ago(world, monkeypatch, 3)
    response = logged_in().post(
        reverse("document-create", args=[case.pk, INQUIRY]),
        inquiry_post(world, interviewee_id_number="E12345678"),
    )
    assert response.status_code == 302


def test_times_in_the_future_and_backwards_are_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _filed_hours_ago(world, monkeypatch, 3)
    errors = _inquiry_errors(world, case, started_at=local(-24 * 365), ended_at=local(1))
    assert errors["started_at"].startswith("询问开始时间：")
    assert "记录的时间不能是将来的时间" in errors["started_at"]
    errors = _inquiry_errors(world, case, started_at=local(1), ended_at=local(2))
    assert errors["ended_at"].startswith("询问结束时间：不能早于询问开始时间")


def test_a_few_minutes_ahead_is_tolerated(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    case = _filed_hours_ago(world, monkeypatch, 3)
    response = logged_in().post(
        reverse("document-create", args=[case.pk, INQUIRY]),
        inquiry_post(world, started_at=local(1), ended_at=local(-0.05)),
    )
    assert response.status_code == 302


def test_an_inquiry_before_the_filing_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _filed_hours_ago(world, monkeypatch, 1)
    errors = _inquiry_errors(world, case, started_at=local(2), ended_at=local(0.5))
    assert errors["started_at"].startswith("询问开始时间：")
    assert "早于本案立案时间" in errors["started_at"]
    assert "第五十四条" in errors["started_at"]


def test_the_document_form_names_every_error_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _filed_hours_ago(world, monkeypatch, 3)
    errors = _inquiry_errors(
        world, case, place="", interviewee_name="", interviewee_id_number="ABC"
    )
    assert errors["place"].startswith("询问地点：必须填写")
    assert errors["interviewee_name"].startswith("被询问人姓名：必须填写")
    assert "interviewee_id_number" in errors


def test_a_document_textarea_states_its_limit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _filed_hours_ago(world, monkeypatch, 3)
    body = logged_in().get(reverse("document-create", args=[case.pk, INQUIRY])).content.decode()
    assert 'maxlength="50000"' in body
    assert "不超过 50000 字。" in body
    too_long = "问" * 50001
    errors = _inquiry_errors(world, case, questions_answers=too_long)
    assert errors["questions_answers"].startswith("问答记录：")
    assert "不能超过 50000 个字" in errors["questions_answers"]
