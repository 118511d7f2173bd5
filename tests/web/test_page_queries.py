"""Issue 24 item 2: every list page runs the same number of queries with 3 cases as with 12,
and the case lists are paged (50 a page, keyset), through Django's test client."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.actions.documents import do_edit_draft
from casetrail.cases.models import Case
from casetrail.web import paging
from tests.evidence.av import MP4_NAME, register, store_bytes, unique_mp4
from tests.investigation_world import approve, report_fields
from tests.personas import PASSWORD, World, company, open_case
from tests.procedure_world import create, filed_case, inquiry_fields, issue
from tests.web.test_recording_pages import recently

SMALL, LARGE = 3, 12


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    client.get(url, params or {})  # the first request warms the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def counts_at_two_sizes(
    world: World, username: str, url: str, params: dict[str, str] | None = None
) -> tuple[int, int]:
    client = client_for(username)
    while Case.objects.count() < SMALL:
        open_case(world, parties=[company(name=f"某某矿业{Case.objects.count()}有限公司")])
    small = queries(client, url, params)
    while Case.objects.count() < LARGE:
        open_case(world, parties=[company(name=f"某某矿业{Case.objects.count()}有限公司")])
    return small, queries(client, url, params)


LISTS = [
    ("head", {}),
    ("head", {"scope": "agency"}),
    ("supervisor", {"scope": "agency"}),
    ("head", {"scope": "agency", "q": "矿业"}),
    ("head", {"scope": "agency", "q": "栾统立"}),
]


@pytest.mark.parametrize(("username", "params"), LISTS, ids=lambda v: str(v))
def test_the_case_lists_do_not_grow_with_the_cases(
    world: World, username: str, params: dict[str, str]
) -> None:
    small, large = counts_at_two_sizes(world, username, reverse("case-list"), params)
    assert small == large


def test_the_officers_home_page_does_not_grow_with_the_cases(world: World) -> None:
    small, large = counts_at_two_sizes(world, "zhang", reverse("case-list"))
    assert small == large


def test_the_approval_inbox_does_not_grow_with_the_chains(world: World) -> None:
    small, large = counts_at_two_sizes(world, "reviewer", reverse("approval-inbox"))
    assert small == large


def test_the_case_page_does_not_grow_with_the_agencys_cases(world: World) -> None:
    first = filed_case(world)
    issue(world, first, "inquiry_transcript", inquiry_fields(world))
    url = reverse("case-detail", args=[first.pk])
    small, large = counts_at_two_sizes(world, "head", url)
    assert small == large
    assert large <= CASE_PAGE_QUERIES


# Issue 24: the case page stays under ~20 queries (a confidential case's page adds its ledgered
# read, and a configured replica store the count of files not copied there).
CASE_PAGE_QUERIES = 20


def add_to_the_file(world: World, case: Case, tag: str) -> None:
    """A transcript signed by all and one refused, a draft saved twice, a report through its
    approval chain, and two recordings: rows in every table the case page reads."""
    issue(world, case, "inquiry_transcript", inquiry_fields(world))
    issue(world, case, "inquiry_transcript", inquiry_fields(world), refuse="interviewee")
    draft = create(world, case, "inquiry_transcript", inquiry_fields(world))
    do_edit_draft(acting_user=world.zhang.user, document=draft, fields=inquiry_fields(world))
    officers = [world.zhang.pk, world.li.pk]
    report = issue(world, case, "investigation_report", report_fields(officers))
    people = {"handler": world.zhang, "reviewer": world.reviewer, "head": world.head}
    approve(case, "investigation_end", report, **people)
    for n in range(2):
        register(world, case, store_bytes(unique_mp4(f"{tag}{n}"), MP4_NAME), **recently())


@pytest.mark.parametrize("username", ["zhang", "head", "supervisor"])
def test_the_case_page_does_not_grow_with_its_documents_approvals_and_recordings(
    world: World, username: str
) -> None:
    """GIVEN a filed case with one of each (documents, approval chains, recordings) WHEN it
    gains more THEN its page, for its handler, the head and the supervisor, runs as many
    queries, and no more than 20."""
    case = filed_case(world)
    add_to_the_file(world, case, "small")
    client = client_for(username)
    url = reverse("case-detail", args=[case.pk])
    small = queries(client, url)
    add_to_the_file(world, case, "large")
    large = queries(client, url)
    assert large == small <= CASE_PAGE_QUERIES


@pytest.mark.parametrize("name", ["backup-list", "agency-detail"])
def test_the_audit_pages_do_not_grow_with_the_cases(world: World, name: str) -> None:
    url = reverse(name, args=[world.lc.pk]) if name == "agency-detail" else reverse(name)
    small, large = counts_at_two_sizes(world, "head", url)
    assert small == large


def test_the_case_list_is_paged_newest_first(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    cases = [open_case(world) for _ in range(5)]  # opened one after another: newest last
    client = client_for("head")
    first = client.get(reverse("case-list"), {"scope": "agency"})
    assert list(first.context["cases"]) == [cases[4], cases[3]]
    body = first.content.decode()
    assert 'data-testid="case-pager"' in body
    assert "下一页（较早）" in body
    assert "上一页（较新）" not in body
    second = client.get(reverse("case-list") + first.context["older_url"])
    assert list(second.context["cases"]) == [cases[2], cases[1]]
    third = client.get(reverse("case-list") + second.context["older_url"])
    assert list(third.context["cases"]) == [cases[0]]
    assert third.context["older_url"] == ""
    back = client.get(reverse("case-list") + third.context["newer_url"])
    assert list(back.context["cases"]) == [cases[2], cases[1]]
    assert "scope=agency" in back.context["first_url"]


def test_a_forged_cursor_shows_the_first_page(world: World) -> None:
    case = open_case(world)
    response = client_for("head").get(reverse("case-list"), {"scope": "agency", "before": "x-1"})
    assert list(response.context["cases"]) == [case]


def test_the_inbox_is_paged(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from casetrail.web import approvals

    monkeypatch.setattr(approvals, "INBOX_PAGE", 2)
    cases = [open_case(world) for _ in range(3)]
    client = client_for("reviewer")
    first = client.get(reverse("approval-inbox")).content.decode()
    assert cases[0].case_number in first
    assert cases[2].case_number not in first
    assert "第 1 页，共 2 页（3 项待签署）" in first
    second = client.get(reverse("approval-inbox"), {"page": "2"}).content.decode()
    assert cases[2].case_number in second
    assert cases[0].case_number not in second
