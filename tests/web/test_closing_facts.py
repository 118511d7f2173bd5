"""Closing a case whose fine is not paid says what comes next, and the 结案审批表 states only what
the file records (#16, found on the way 1; 行政处罚法 第67条; 行政强制法 第35条; rule 40).

GIVEN the ordinary 栾统 case decided on 2026-12-15 (a fine of 50 000 元), its decision served
WHEN 结案 is tried before the payment period ends, or after it without a demand THEN the refusal
names the next step (record the payment; or 催告, then the court), not a missing court ruling;
and a 结案审批表 that says 已履行 cannot be finalised before the payment is recorded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.documents import Document
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Case
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules.performance import fine_due
from tests.cases.test_procedure_end_to_end import Clock, decide
from tests.personas import World
from tests.procedure_world import issue
from tests.web.test_performance_pages import client_for, serve_by_post

SERVED_ON = date(2026, 12, 17)


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


@pytest.fixture
def served(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[Case, Document, Clock]:
    time = Clock(monkeypatch)
    case, decision = decide(world, time)
    time.to(date(2026, 12, 18))
    serve_by_post(world, case, decision, SERVED_ON)
    return case, decision, time


def due_on(case: Case) -> date:
    facts = case_facts(case)
    return fine_due(SERVED_ON, facts.profile, facts.calendar).due_on


def close_refusal(case: Case) -> str:
    response = client_for("zhang").post(reverse("case-close", args=[case.pk]))
    assert response.status_code == 200
    found = response.content.decode().split('data-testid="close-refusal">', 1)
    assert len(found) == 2
    return found[1].split("</p>", 1)[0]


def performance(world: World, case: Case, decision: Document, day: date) -> None:
    issue(
        world,
        case,
        "performance_record",
        {
            "decision": decision.pk,
            "performance": "paid",
            "amount_paid": "50000",
            "paid_on": day.isoformat(),
            "payment_proof": "回单 0001",
            "details": "当事人按期缴纳罚款",
            "recorded_on": day.isoformat(),
            "handler": world.zhang.pk,
        },
    )


def closing_fields(world: World, decision: Document, outcome: str) -> dict[str, object]:
    return {
        "outcome": outcome,
        "decision": decision.pk,
        "summary": "作出警告并处罚款的决定",
        "performance": "当事人已缴纳罚款",
        "documents_complete": True,
        "officers": [world.zhang.pk, world.li.pk],
    }


def test_before_the_due_date_closing_says_record_the_payment_or_wait(
    world: World, served: tuple[Case, Document, Clock]
) -> None:
    case, _, _ = served
    refusal = close_refusal(case)
    assert f"罚款尚未缴纳，缴纳期限至{due_on(case).isoformat()}" in refusal
    assert "制作行政处罚执行情况记录" in refusal
    assert "催告书" in refusal
    assert "人民法院强制执行裁定" not in refusal
    assert Case.objects.get(pk=case.pk).stage == "decided"


def test_after_the_due_date_without_a_demand_closing_says_demand_first(
    world: World, served: tuple[Case, Document, Clock]
) -> None:
    case, _, time = served
    time.to(date(2027, 1, 20))
    refusal = close_refusal(case)
    assert f"罚款逾期未缴纳（缴纳期限{due_on(case).isoformat()}）" in refusal
    assert "先制作催告书并直接送达" in refusal
    assert "人民法院强制执行裁定" not in refusal


def test_a_closing_report_saying_performed_needs_the_payment_recorded(
    world: World, served: tuple[Case, Document, Clock]
) -> None:
    case, decision, time = served
    with pytest.raises(RuleViolation) as refused:
        issue(world, case, "closing_report", closing_fields(world, decision, "penalty_performed"))
    assert refused.value.field == "outcome"
    assert "尚无已缴纳的行政处罚执行情况记录" in refused.value.message

    time.to(date(2026, 12, 21))
    performance(world, case, decision, date(2026, 12, 21))
    issue(world, case, "closing_report", closing_fields(world, decision, "penalty_performed"))
    response = client_for("zhang").post(reverse("case-close", args=[case.pk]))
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == "closed"


@pytest.mark.parametrize(
    ("outcome", "field", "message"),
    [
        ("penalty_enforced", "outcome", "案卷尚无已定稿的人民法院强制执行裁定及执行情况记录"),
        ("no_penalty", "decision", "处理决定文书与案件处理结果不符"),
    ],
)
def test_a_closing_report_agrees_with_the_file(
    world: World, served: tuple[Case, Document, Clock], outcome: str, field: str, message: str
) -> None:
    case, decision, _ = served
    with pytest.raises(RuleViolation) as refused:
        issue(world, case, "closing_report", closing_fields(world, decision, outcome))
    assert (refused.value.rule, refused.value.field) == ("40", field)
    assert message in refused.value.message
