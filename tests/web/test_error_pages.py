"""Error pages in zh-Hans with a way back; a long form is accepted; the menu offers only what
the person may do; each role lands on what it works on (#16 found on the way 9 and 16)."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.models import Case
from casetrail.web import errors
from tests.personas import PASSWORD, World, open_case
from tests.web.test_pages import form_data

ENGLISH = ("Not Found", "Forbidden", "Bad Request", "Server Error", "CSRF verification failed")


def logged_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def assert_chinese_error_page(body: str, status: int) -> None:
    assert 'lang="zh-Hans"' in body
    assert f'data-status="{status}"' in body
    assert ">返回</a>" in body
    for english in ENGLISH:
        assert english not in body


def test_404_is_chinese_with_a_way_back(world: World) -> None:
    response = logged_in("zhang").get("/cases/999999/", HTTP_REFERER="http://testserver/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_chinese_error_page(body, 404)
    assert "案件不存在或您无权查看" in body
    assert 'href="http://testserver/"' in body


def test_an_unknown_address_is_chinese(world: World) -> None:
    response = logged_in("zhang").get("/no-such-page/")
    assert response.status_code == 404
    assert_chinese_error_page(response.content.decode(), 404)


def test_an_english_404_message_is_not_shown(world: World) -> None:
    """get_object_or_404 says `No Agency matches the given query.`: the page says it in Chinese."""
    response = logged_in("zhang").get("/agencies/999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "matches the given query" not in body
    assert "页面不存在" in body


def test_a_back_link_to_another_site_is_not_followed(world: World) -> None:
    response = logged_in("zhang").get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in response.content.decode()


def test_403_is_chinese(world: World) -> None:
    case = open_case(world)
    response = logged_in("supervisor").post(
        reverse("case-filing", args=[case.pk]), {"step": "reviewer"}
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert_chinese_error_page(body, 403)
    assert "只有查看权限" in body


def test_500_is_chinese() -> None:
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert_chinese_error_page(response.content.decode(), 500)


def test_a_csrf_failure_is_chinese(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("case-open"), form_data(world))
    assert response.status_code == 403
    body = response.content.decode()
    assert_chinese_error_page(body, 403)
    assert "页面已过期" in body


def test_a_long_summary_is_accepted(world: World) -> None:
    """3 MB of 案情摘要 passed Django's 2.5 MB default and came back as `Bad Request (400)`:
    the form states its limit, and a body under CASETRAIL_FORM_MAX_MB reaches the form."""
    summary = "某" * 1_100_000  # 3.3 MB in UTF-8, over the limit the form states
    response = logged_in("zhang").post(reverse("case-open"), form_data(world, summary=summary))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field="summary"' in body
    assert "案情摘要" in body
    assert not Case.objects.exists()


def test_a_body_over_the_limit_says_so_in_chinese(world: World, settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    summary = "某" * 400_000
    response = logged_in("zhang").post(reverse("case-open"), form_data(world, summary=summary))
    assert response.status_code == 400
    body = response.content.decode()
    assert_chinese_error_page(body, 400)
    assert "超过了 1 MB" in body


def test_the_summary_states_its_limit_before_submit(world: World) -> None:
    body = logged_in("zhang").get(reverse("case-open")).content.decode()
    assert 'name="summary"' in body
    assert 'maxlength="20000"' in body


def test_the_supervisor_is_not_offered_to_open_a_case(world: World) -> None:
    body = logged_in("supervisor").get(reverse("case-list")).content.decode()
    assert reverse("case-open") not in body
    officer = logged_in("zhang").get(reverse("case-list")).content.decode()
    assert reverse("case-open") in officer


def test_each_role_lands_on_what_it_works_on(world: World) -> None:
    case = open_case(world)
    landings = {}
    for username in ("zhang", "reviewer", "head", "supervisor"):
        response = Client().post(reverse("login"), {"username": username, "password": PASSWORD})
        assert response.status_code == 302
        landings[username] = Client().get(response["Location"])
    assert landings["zhang"].status_code == 302  # /home/ without a session: to the login page
    for username, expected in (
        ("zhang", reverse("case-list")),
        ("reviewer", reverse("approval-inbox")),
        ("head", reverse("approval-inbox")),
        ("supervisor", reverse("case-list")),
    ):
        client = logged_in(username)
        assert client.get(reverse("home"))["Location"] == expected, username
    supervisor = logged_in("supervisor").get(reverse("case-list")).content.decode()
    assert case.case_number in supervisor
    assert "没有符合条件的案件" not in supervisor


def test_there_is_a_favicon(world: World) -> None:
    """#16 found on the way 15: our own icon, linked from every page and at /favicon.ico."""
    body = logged_in("zhang").get(reverse("case-list")).content.decode()
    assert 'rel="icon" href="/static/casetrail/favicon.svg"' in body
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/casetrail/favicon.svg"
    icon = Client().get("/static/casetrail/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)  # type: ignore[attr-defined]
