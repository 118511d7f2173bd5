"""审批待办 and the procedure on the case page, through Django's test client: approval chains
signed from the inbox (Seed B art. 33), ending the investigation (Seed B art. 10), the case's
gates (行政处罚法 第57条 第2款、第58条) and the decision deadline (第60条)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, Settings

from casetrail import clock
from casetrail.cases.documents import Document
from casetrail.cases.models import Approval, Case
from tests.personas import PASSWORD, World, open_case
from tests.procedure_world import filed_case, issue


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def report(world: World, case: Case) -> Document:
    return issue(
        world,
        case,
        "investigation_report",
        {
            "facts": "当事人2025年度从业人员期末人数报送不实",
            "evidence": "询问笔录",
            "law_applied": "《统计法》第四十四条",
            "discretion": "首次违法",
            "proposal": "penalty",
            "proposed_penalty": "警告并处罚款",
            "proposed_fine": "5000",
            "officers": [world.zhang.pk, world.li.pk],
        },
    )


def step(chain: Case | Document, decision: str = "approve", **changes: Any) -> dict[str, Any]:
    """The inbox form of the chain's next step, as the page posts it."""
    if isinstance(chain, Document):
        data: dict[str, Any] = {
            "case": chain.case_id,
            "subject": "investigation_end",
            "document": chain.pk,
        }
    else:
        data = {"case": chain.pk, "subject": "filing", "document": ""}
    data.update({"step": "reviewer", "decision": decision, "opinion": "同意"})
    data.update(changes)
    return data


def test_the_inbox_is_for_reviewers_and_heads(world: World) -> None:
    for username in ("zhang", "supervisor"):
        assert client_for(username).get(reverse("approval-inbox")).status_code == 404
    assert client_for("reviewer").get(reverse("approval-inbox")).status_code == 200
    assert "审批待办" in client_for("head").get(reverse("case-list")).content.decode()
    assert "审批待办" not in client_for("zhang").get(reverse("case-list")).content.decode()


def test_a_filing_chain_is_signed_from_the_inbox(world: World) -> None:
    """GIVEN an opened case WHEN the reviewer then the head approve in their inboxes THEN the
    case is filed; each sees the chain only when the next step is theirs."""
    case = open_case(world)
    reviewer, head = client_for("reviewer"), client_for("head")
    inbox = reviewer.get(reverse("approval-inbox")).content.decode()
    assert case.case_number in inbox
    assert "立案审批" in inbox
    assert "建议立案。" in inbox  # the handler's opinion
    assert case.case_number not in head.get(reverse("approval-inbox")).content.decode()

    response = reviewer.post(reverse("approval-inbox"), step(case), follow=True)
    assert "已签署“同意”意见" in response.content.decode()
    assert case.case_number not in reviewer.get(reverse("approval-inbox")).content.decode()
    head.post(reverse("approval-inbox"), step(case, step="approver", opinion="同意立案"))
    assert Case.objects.get(pk=case.pk).stage == "investigation"


def test_the_investigation_ends_after_its_chain(world: World) -> None:
    case = filed_case(world)
    document = report(world, case)
    zhang = client_for("zhang")
    page = zhang.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "进入审查决定阶段前还缺少" in page
    assert "调查终结报告尚未经负责人批准" in page
    assert "规则 17" in page

    propose = reverse("document-propose", args=[case.pk, document.pk])
    zhang.post(propose, {"opinion": "调查终结，提请审批"})
    inbox = client_for("reviewer").get(reverse("approval-inbox")).content.decode()
    assert "调查终结审批" in inbox
    assert reverse("document-detail", args=[case.pk, document.pk]) in inbox
    assert "调查终结，提请审批" in inbox
    client_for("reviewer").post(reverse("approval-inbox"), step(document))
    client_for("head").post(reverse("approval-inbox"), step(document, step="approver"))

    response = zhang.post(reverse("case-close-investigation", args=[case.pk]), follow=True)
    assert "调查已终结" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == "review"


def test_an_empty_opinion_is_refused_next_to_the_field(world: World) -> None:
    case = filed_case(world)
    document = report(world, case)
    zhang = client_for("zhang")
    response = zhang.post(reverse("document-propose", args=[case.pk, document.pk]), {})
    body = response.content.decode()
    assert 'data-field="opinion"' in body
    assert "意见：必须填写" in body
    zhang.post(reverse("document-propose", args=[case.pk, document.pk]), {"opinion": "提请"})
    before = Approval.objects.count()
    response = client_for("reviewer").post(reverse("approval-inbox"), step(document, opinion=""))
    body = response.content.decode()
    assert 'data-field="opinion"' in body
    assert "栾川县制度第十条" in body  # the reviewer's agency: 栾川 (rule 20)
    assert "兴隆台区办法" not in body
    assert Approval.objects.count() == before


def test_skipping_the_reviewer_is_refused(world: World) -> None:
    case = open_case(world)
    response = client_for("head").post(reverse("approval-inbox"), step(case, step="approver"))
    assert "不得越级审批" in response.content.decode()
    assert case.approvals.count() == 1


def test_closing_without_an_approved_report_is_refused(world: World) -> None:
    case = filed_case(world)
    response = client_for("zhang").post(
        reverse("case-close-investigation", args=[case.pk]), follow=True
    )
    assert "缺少调查终结报告" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == "investigation"


def test_flagging_the_gates(world: World) -> None:
    case = filed_case(world)
    gates = reverse("case-gates", args=[case.pk])
    refused = client_for("zhang").post(gates, {"major": "on"}, follow=True)
    assert "理由：必须填写" in refused.content.decode()
    client_for("reviewer").post(gates, {"major": "on", "reason": "拟处较大数额罚款"})
    case = Case.objects.get(pk=case.pk)
    assert case.major
    assert case.legal_review_required
    page = client_for("zhang").get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "重大案件" in page
    assert "须法制审核" in page


def test_the_decision_deadline_and_its_alerts(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """行政处罚法 第60条: 90 days from filing under 栾川's profile; alerts at 15 and 5 days."""
    case = filed_case(world)
    url = reverse("case-detail", args=[case.pk])
    page = client_for("zhang").get(url).content.decode()
    assert 'data-testid="decision-deadline" data-level="ok"' in page
    left = re.search(r"尚余 <strong>(\d+)</strong> 天", page)
    assert left is not None
    assert 90 <= int(left.group(1)) <= 93  # a last day off moves to the next working day

    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=80))
    page = client_for("zhang").get(url).content.decode()
    assert 'data-level="alert"' in page
    assert "到期前15天的提醒期" in page
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=95))
    page = client_for("zhang").get(url).content.decode()
    assert 'data-level="overdue"' in page
    assert "已超期" in page


def test_a_colleague_of_another_agency_gets_nothing(world: World) -> None:
    """赵磊 is reviewer and head of 兴统: 栾统's chains are not in his inbox, and signing one
    is a 404, as if the case did not exist."""
    case = open_case(world)
    colleague = client_for("colleague")
    assert case.case_number not in colleague.get(reverse("approval-inbox")).content.decode()
    assert colleague.post(reverse("approval-inbox"), step(case)).status_code == 404
    for name in ("case-close-investigation", "case-gates", "case-extension"):
        assert colleague.post(reverse(name, args=[case.pk]), {"reason": "x"}).status_code == 404
    assert case.approvals.count() == 1


def test_the_supervisor_cannot_act_on_the_case(world: World) -> None:
    case = filed_case(world)
    supervisor = client_for("supervisor")
    for name in ("case-close-investigation", "case-gates", "case-extension"):
        response = supervisor.post(reverse(name, args=[case.pk]), {"major": "on", "reason": "x"})
        assert response.status_code == 403
    assert not Case.objects.get(pk=case.pk).major


def test_the_inbox_query_count_is_flat(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(5):
        open_case(world)
    client = client_for("reviewer")
    with django_assert_max_num_queries(15):
        body = client.get(reverse("approval-inbox")).content.decode()
    assert body.count("立案审批 ·") == 5
