"""The deadline list and the home page's due-soon box run a fixed number of queries whatever the
number of cases (issue 24): they read the `Obligation` rows, paginated 50 a page, instead of
computing each case's facts on every request.

GIVEN 栾统 with 2 emergency starts handled by 张伟, then 8, WHEN the officer, the head and the
supervisor open /deadlines/ and 张伟 his home page's due-soon box THEN each runs as many queries at
8 cases as at 2, and the list shows every row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, Settings

from casetrail.cases.models import Case
from casetrail.web.deadlines_page import due_soon
from tests.evidence.av import at, travel_to
from tests.personas import PASSWORD, World, open_case

USERS = ("zhang", "head", "supervisor")


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def logged_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def open_cases(world: World, count: int) -> list[Case]:
    return [open_case(world, start_type="emergency") for _ in range(count)]


def deadline_queries(client: Client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("deadline-list"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_deadline_list_runs_as_many_queries_at_8_cases_as_at_2(
    world: World, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    travel_to(monkeypatch, at(2026, 11, 24, 9))
    clients = {name: logged_in(name) for name in USERS}
    first = open_cases(world, 2)
    counted = {}
    for name, client in clients.items():
        counted[name], body = deadline_queries(client)
        assert all(case.case_number in body for case in first), name
    more = open_cases(world, 6)
    for name, client in clients.items():
        with django_assert_num_queries(counted[name]):
            response = client.get(reverse("deadline-list"))
        body = response.content.decode()
        assert all(case.case_number in body for case in first + more), name


def test_the_due_soon_box_runs_one_query_at_any_size(
    world: World, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    travel_to(monkeypatch, at(2026, 11, 24, 9))
    open_cases(world, 2)
    with django_assert_num_queries(1):
        assert len(due_soon(world.zhang)) == 2
    open_cases(world, 6)
    with django_assert_num_queries(1):
        assert len(due_soon(world.zhang)) == 8


def test_the_home_page_with_its_due_soon_box_runs_as_many_queries_at_8_cases_as_at_2(
    world: World, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    travel_to(monkeypatch, at(2026, 11, 24, 9))
    client = logged_in("zhang")
    open_cases(world, 2)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("case-list")).content.decode()
    assert body.count('data-kind="emergency_backfill"') == 2
    open_cases(world, 6)
    with django_assert_num_queries(len(queries)):
        body = client.get(reverse("case-list")).content.decode()
    assert body.count('data-kind="emergency_backfill"') == 8


def test_the_list_is_paginated_50_a_page(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    travel_to(monkeypatch, at(2026, 11, 24, 9))
    cases = open_cases(world, 51)
    client = logged_in("head")
    first = client.get(reverse("deadline-list")).content.decode()
    assert first.count("<tr data-kind") == 50
    # same due day: in the order the cases were opened (9号 before 10号, not after)
    shown = re.findall(r'<tr data-kind.*?<a href="[^"]+">([^<]+)</a>', first, re.S)
    assert shown == [case.case_number for case in cases[:50]]
    assert "第 1 / 2 页，共 51 项" in first
    second = client.get(reverse("deadline-list") + "?page=2").content.decode()
    assert second.count("<tr data-kind") == 1
    assert 'rel="prev"' in second
