"""待办 (#16 found on the way 7): every person's home page lists everything waiting for them —
their approval steps, the drafts waiting for their role's signature (机关负责人) and the drafts
that name them as a signer (法制审核人员, 执法人员) — each with the deadline it answers to, and
the count of queries does not grow with the number of items."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, Settings

from casetrail.cases.actions.documents import do_sign_document
from casetrail.cases.documents import Document
from casetrail.cases.models import Case, Obligation
from casetrail.web.todo import waiting_for
from tests.cases.test_decision import _case_in_review
from tests.personas import PASSWORD, World, open_case
from tests.procedure_world import create, filed_case, inquiry_fields, legal_review_fields


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def home(username: str) -> str:
    """The page a person lands on after login (`/home/` follows their role)."""
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def legal_review_draft(world: World) -> Document:
    case = _case_in_review(world)
    return create(
        world, case, "legal_review_opinion", legal_review_fields(world.reviewer, "2026-01-05")
    )


def decision_limit(case: Case) -> Obligation:
    return Obligation.objects.get(case=case, kind="decision_limit")


def test_the_legal_reviewer_named_in_a_draft_finds_it_at_home_with_its_deadline(
    world: World,
) -> None:
    draft = legal_review_draft(world)
    due = decision_limit(draft.case).due_on
    page = home("reviewer")  # a reviewer lands on the approval inbox
    assert 'data-testid="inbox-signature"' in page
    assert "法制审核意见书 · 法制审核人员签名" in page
    assert reverse("document-detail", args=[draft.case_id, draft.pk]) in page
    assert "作出处理决定期限" in page
    assert due.isoformat() in page
    # nobody else is named: the handler's home has no such item
    assert "法制审核人员签名" not in home("zhang")

    do_sign_document(acting_user=world.reviewer.user, document=draft, signer="reviewer")
    assert "法制审核人员签名" not in home("reviewer")


def test_the_officers_home_lists_the_records_waiting_for_their_signature(world: World) -> None:
    case = filed_case(world)
    transcript = create(world, case, "inquiry_transcript", inquiry_fields(world))
    link = reverse("document-detail", args=[case.pk, transcript.pk])
    assert link in home("zhang")
    assert "询问（调查）笔录 · 询问人签名" in home("zhang")

    do_sign_document(acting_user=world.zhang.user, document=transcript, signer="officers")
    assert "询问（调查）笔录 · 询问人签名" not in home("zhang")
    # 李娜 is named twice (询问人 and 记录人): both of her blocks wait
    li = home("li")
    assert "询问（调查）笔录 · 询问人签名" in li
    assert "询问（调查）笔录 · 记录人签名" in li


def test_the_heads_home_lists_approvals_and_signatures_nearest_deadline_first(
    world: World,
) -> None:
    open_case(world)  # its filing waits for the reviewer, not the head
    draft = legal_review_draft(world)
    report = create(
        world,
        draft.case,
        "closing_report",
        {
            "outcome": "withdrawn",
            "summary": "违法事实不能成立，撤销案件",
            "documents_complete": True,
            "officers": [world.zhang.pk, world.li.pk],
        },
    )
    todo = waiting_for(world.head.user)
    titles = [item.title for item in todo.items]
    assert "结案审批表 · 机关负责人签名" in titles
    assert not any(title.startswith("立案审批") for title in titles)
    reviewer = waiting_for(world.reviewer.user)
    assert any(item.title.startswith("立案审批 · 审核人意见") for item in reviewer.items)
    assert reviewer.approvals_total == 1
    dated = [item.deadline.due_on for item in reviewer.items if item.deadline]
    assert dated == sorted(dated)
    assert "结案审批表 · 机关负责人签名" in home("head")
    assert report.pk


def test_the_todo_keeps_its_query_count_flat(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    def count() -> int:
        with django_assert_max_num_queries(100) as captured:
            waiting_for(world.reviewer.user)
        return len(captured)

    legal_review_draft(world)
    open_case(world)
    count()  # the first call loads the profiles and calendars the process then keeps
    small = count()
    for _ in range(3):
        legal_review_draft(world)
        open_case(world)
    assert count() == small
    assert len(waiting_for(world.reviewer.user).items) == 8
