"""The performance and enforcement page of a decided case, and closing it, through Django's
test client (行政处罚法 第67条、第72条; 行政强制法 第35条、第53–54条; rules 32–35, 40).

GIVEN the ordinary 栾统 case decided on 2026-12-15 (a fine of 50 000 元) WHEN its decision is
served, the fine is not paid, the demand is served and the court window runs THEN the page
shows the due day, the surcharge as of today, the window and whether an application is allowed
today, and 结案 is refused with every missing item until the file is complete.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.documents import Document
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Case
from casetrail.procedure.rules.enforcement import court_window
from casetrail.procedure.rules.performance import fine_due, late_surcharge
from tests.cases.test_procedure_end_to_end import Clock, decide
from tests.personas import PASSWORD, World
from tests.procedure_world import SIGNATURE_PNG, filed_case, issue, serve

FINE = Decimal(50000)


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


@pytest.fixture
def time(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def decided(world: World, time: Clock) -> tuple[Case, Document]:
    return decide(world, time)


def page(case: Case, username: str = "zhang") -> str:
    response = client_for(username).get(reverse("case-performance", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def serve_by_post(world: World, case: Case, decision: Document, day: date) -> None:
    """The decision goes by EMS; the return receipt dates the service (民事诉讼法 第91条)."""
    response = client_for("zhang").post(
        reverse("document-service", args=[case.pk, decision.pk]),
        {
            "method": "postal",
            "outcome": "served",
            "recipient": "某某矿业有限公司",
            "served_on": day.isoformat(),
            "mail_type": "ems",
            "tracking_number": "EA100200300CN",
            "document_list": f"行政处罚决定书 {decision.final.number}",
            "posting_proof": _scan(),
            "return_receipt": _scan(),
            "action": "record",
        },
    )
    assert response.status_code == 302, response.content.decode()


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("回执.png", SIGNATURE_PNG, content_type="image/png")


def demand(world: World, case: Case, decision: Document) -> Document:
    party = case.parties.get()
    return issue(
        world,
        case,
        "demand_notice",
        {
            "decision": decision.pk,
            "party": party.pk,
            "obligation": "缴纳罚款5万元",
            "perform_by": "2027-01-15",
            "method": "到指定银行缴纳",
            "fine_due": "50000",
            "surcharge": "0",
            "payment_method": "中国工商银行栾川支行 账号 xxxx",
            "statement_right": "可在收到本催告书之日起三日内陈述、申辩",
            "consequence": "逾期仍不履行的，本机关将依法申请人民法院强制执行",
            "issued_on": "2027-01-05",
        },
    )


def test_before_service_the_page_says_the_period_has_not_started(
    world: World, decided: tuple[Case, Document]
) -> None:
    case, decision = decided
    body = page(case)
    assert decision.final.number in body
    assert "尚未送达" in body
    assert "尚无送达凭证" in body  # the closing gate of rule 40, with its article
    # a 栾川 case cites 栾川's article on the file (rule 40), never 兴隆台's
    assert "栾川县制度第十四条第一款；《档案法》第十四条；规则 40" in body
    assert "兴隆台区办法" not in body
    for title in ("行政处罚执行情况记录", "催告书", "行政强制执行申请书", "结案审批表"):
        assert f">{title}</a>" in body  # the generated forms of this stage
    assert reverse("document-create", args=[case.pk, "performance_record"]) in body


def test_the_surcharge_as_of_today_and_the_court_window(
    world: World, decided: tuple[Case, Document], time: Clock
) -> None:
    """3 % of the fine a day after the 15 days (第67条、第72条); the court window after the
    demand and the lawsuit period (行政强制法 第53–54条), computed by the rules."""
    case, decision = decided
    time.to(date(2026, 12, 18))
    serve_by_post(world, case, decision, date(2026, 12, 17))
    facts = case_facts(case)
    due = fine_due(date(2026, 12, 17), facts.profile, facts.calendar).due_on
    assert due == date(2027, 1, 1)
    time.to(date(2027, 1, 5))
    body = page(case)
    assert "2026-12-17" in body
    assert 'data-testid="fine-due">2027-01-01' in body
    surcharge = late_surcharge(FINE, due_on=due, until=date(2027, 1, 5))
    assert surcharge == Decimal("6000.00")
    assert f"<strong>{surcharge} 元</strong>" in body
    assert "逾期 4 天未缴纳" in body
    assert "暂定期限" in body  # 2027's holidays are not published
    assert "催告书送达后计算申请期间" in body

    serve(world, demand(world, case, decision), date(2027, 1, 5))
    window = court_window(
        demand_served_on=date(2027, 1, 5),
        decision_served_on=date(2026, 12, 17),
        remedy_stated=True,
        profile=facts.profile,
        calendar=facts.calendar,
    )
    time.to(date(2027, 2, 1))
    body = page(case)
    assert f"{window.opens_on:%Y-%m-%d} 至 {window.closes_on:%Y-%m-%d}" in body
    assert "不可申请" in body
    assert f"{window.opens_on.isoformat()}起方可申请" in body
    assert "<strong>46500.00 元</strong>" in body  # 31 days late
    time.to(date(2027, 3, 1))
    assert "<strong>50000.00 元</strong>" in page(case)  # never more than the fine
    time.to(window.opens_on)
    assert "可以申请" in page(case)


def test_closing_is_refused_with_every_missing_item_then_allowed(
    world: World, decided: tuple[Case, Document], time: Clock
) -> None:
    case, decision = decided
    time.to(date(2026, 12, 18))
    serve_by_post(world, case, decision, date(2026, 12, 17))
    time.to(date(2027, 1, 5))
    issue(
        world,
        case,
        "performance_record",
        {
            "decision": decision.pk,
            "performance": "paid_late",
            "amount_paid": "50000",
            "paid_on": "2027-01-05",
            "payment_proof": "回单 0001",
            "surcharge": "6000",
            "details": "当事人逾期后缴纳罚款及加处罚款",
            "recorded_on": "2027-01-05",
            "handler": world.zhang.pk,
        },
    )
    close = reverse("case-close", args=[case.pk])
    response = client_for("zhang").post(close)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="close-refusal"' in body
    assert "缺少经审核人、负责人签署的结案审批表" in body
    assert "栾川县制度第十条；《行政处罚法》第五十七条" in body  # rule 20, 栾川's own article
    assert "兴隆台区办法" not in body
    assert Case.objects.get(pk=case.pk).stage == "decided"
    assert "已缴纳" in page(case)
    issue(
        world,
        case,
        "closing_report",
        {
            "outcome": "penalty_performed",
            "decision": decision.pk,
            "summary": "当事人已缴纳罚款及加处罚款",
            "performance": "2027-01-05 缴纳",
            "documents_complete": True,
            "officers": [world.zhang.pk, world.li.pk],
        },
    )
    assert "结案条件已齐备" in page(case)
    response = client_for("zhang").post(close)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == "closed"
    timeline = client_for("zhang").get(reverse("case-detail", args=[case.pk])).content.decode()
    for label in ("结案", "送达", "文书定稿", "签署审批意见", "调查终结", "设置审查要求"):
        assert f"<strong>{label}</strong>" in timeline


def test_a_decision_served_late_is_flagged_on_its_page(
    world: World, decided: tuple[Case, Document], time: Clock
) -> None:
    """行政处罚法 第61条: within 7 working days; a later service is recorded and flagged."""
    case, decision = decided
    time.to(date(2027, 1, 8))
    serve_by_post(world, case, decision, date(2027, 1, 7))
    body = (
        client_for("zhang")
        .get(reverse("document-detail", args=[case.pk, decision.pk]))
        .content.decode()
    )
    assert 'data-testid="service-late"' in body
    assert "晚于法定送达期限" in body


def test_an_undecided_case_has_no_decision_yet(world: World) -> None:
    case = filed_case(world)
    body = page(case)
    assert 'data-testid="no-decision"' in body
    assert "作出处理决定后，或者经批准撤销案件、移送司法机关后，方可结案" in body


# --- who may do what ------------------------------------------------------------------------


def test_others_get_404_and_the_supervisor_reads_but_cannot_close(
    decided: tuple[Case, Document],
) -> None:
    case, _ = decided
    for username in ("colleague", "bystander"):
        client = client_for(username)
        assert client.get(reverse("case-performance", args=[case.pk])).status_code == 404
        assert client.post(reverse("case-close", args=[case.pk])).status_code == 404
    body = page(case, "supervisor")
    assert 'data-testid="closing-problems"' in body
    assert 'data-testid="create-links"' not in body
    assert 'action="/cases/' not in body  # no 结案 button
    response = client_for("supervisor").post(reverse("case-close", args=[case.pk]))
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).stage == "decided"
