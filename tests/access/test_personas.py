"""Who may see and do what, asked of every page (casetrail/access/)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from casetrail.cases.models import Case
from tests.personas import PASSWORD, World, open_case


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def case(world: World) -> Case:
    return open_case(world)


@pytest.mark.parametrize("username", ["zhang", "li", "reviewer", "head", "supervisor"])
def test_those_who_may_see_the_case_see_it(world: World, case: Case, username: str) -> None:
    response = client_for(username).get(reverse("case-detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.case_number in response.content.decode()


@pytest.mark.parametrize("username", ["colleague", "bystander"])
def test_others_get_404_and_no_trace(world: World, case: Case, username: str) -> None:
    client = client_for(username)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    listing = client.get(reverse("case-list"), {"scope": "agency"}).content.decode()
    assert case.case_number not in listing
    decision = {"step": "reviewer", "decision": "approve", "opinion": "同意"}
    assert client.post(reverse("case-filing", args=[case.pk]), decision).status_code == 404


def test_the_colleague_in_another_agency_cannot_approve_even_as_head(
    world: World, case: Case
) -> None:
    client = client_for("colleague")
    decision = {"step": "reviewer", "decision": "approve", "opinion": "同意"}
    assert client.post(reverse("case-filing", args=[case.pk]), decision).status_code == 404
    assert case.approvals.count() == 1


def test_supervisor_is_read_only(world: World, case: Case) -> None:
    client = client_for("supervisor")
    decision = {"step": "reviewer", "decision": "approve", "opinion": "同意"}
    assert client.post(reverse("case-filing", args=[case.pk]), decision).status_code == 403
    assert case.approvals.count() == 1
    assert client.get(reverse("case-open")).status_code == 404


def test_reviewer_signs_through_the_page(world: World, case: Case) -> None:
    client = client_for("reviewer")
    decision = {"step": "reviewer", "decision": "approve", "opinion": "同意立案"}
    response = client.post(reverse("case-filing", args=[case.pk]), decision, follow=True)
    assert "审批意见已签署" in response.content.decode()
    assert case.approvals.count() == 2


def test_anonymous_users_are_sent_to_login(world: World, case: Case) -> None:
    response = Client().get(reverse("case-detail", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_agency_page_is_for_its_members(world: World) -> None:
    assert client_for("zhang").get(reverse("agency-detail", args=[world.lc.pk])).status_code == 200
    assert (
        client_for("colleague").get(reverse("agency-detail", args=[world.lc.pk])).status_code == 404
    )


def test_case_list_query_count_is_flat(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(5):
        open_case(world)
    client = client_for("head")
    with django_assert_max_num_queries(12):
        client.get(reverse("case-list"), {"scope": "agency"})
