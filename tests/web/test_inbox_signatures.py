"""审批待办 lists the drafts waiting for the viewer's signature block (#16 found on the way 7):
the 处罚决定书 and the 结案审批表 carry a 负责人 (and 审核人) block that no approval chain
announces, so the head never saw them (Seed B art. 33)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, Settings

from casetrail.cases.actions.documents import do_sign_document
from casetrail.cases.documents import Document
from tests.personas import PASSWORD, World
from tests.procedure_world import create, filed_case


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def inbox(username: str, client: Client | None = None) -> str:
    response = (client or client_for(username)).get(reverse("approval-inbox"))
    assert response.status_code == 200
    return response.content.decode()


def closing_report(world: World) -> Document:
    case = filed_case(world)
    return create(
        world,
        case,
        "closing_report",
        {
            "outcome": "withdrawn",
            "summary": "违法事实不能成立，撤销案件",
            "documents_complete": True,
            "officers": [world.zhang.pk, world.li.pk],
        },
    )


def test_a_draft_waiting_for_the_heads_block_is_in_the_heads_inbox(world: World) -> None:
    report = closing_report(world)
    link = f"/cases/{report.case_id}/documents/{report.pk}/"
    head = inbox("head")
    assert 'data-testid="inbox-signatures"' in head
    assert link in head
    assert "机关负责人签名" in head
    assert "承办机构负责人签名" in inbox("reviewer")

    do_sign_document(acting_user=world.head.user, document=report, signer="head")
    assert link not in inbox("head")
    assert link in inbox("reviewer")


def test_the_inbox_with_drafts_keeps_its_query_count_flat(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(4):
        closing_report(world)
    client = client_for("head")
    with django_assert_max_num_queries(15):
        body = inbox("head", client)
    assert body.count("机关负责人签名") == 4
