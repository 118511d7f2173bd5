"""The working-day calendar is a ledgered act (issue 14, item 5).

GIVEN forged holidays in the calendar table once moved statutory deadlines while `verify` said
intact, WHEN a year is entered it is `do_set_calendar_year` in every agency's log, with its days
inside the year's digest, THEN a forged, altered or removed day is `row_altered` and a forged
year `row_unledgered`; the page /calendar/<year>/ is the system administrator's, and the admin
site edits nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.actions.accounts import do_create_user
from casetrail.cases.actions.calendar import CalendarEntry, do_set_calendar_year
from casetrail.cases.models import CalendarDay, CalendarYear
from casetrail.cases.selectors import working_calendar
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from tests.ledger.forgery import located, run_verify, use_ledger_dirs
from tests.ledger.tamper import raw
from tests.personas import PASSWORD, World, make_officer

NEW_YEAR = CalendarEntry(date(2027, 1, 1), False, "元旦")
NOTICE = "国办发明电〔2026〕X号（测试）"


@pytest.fixture(autouse=True)
def ledger_dirs(settings: Settings, tmp_path: Path) -> None:
    use_ledger_dirs(settings, tmp_path)


def enter_2027(*days: CalendarEntry) -> CalendarYear:
    return do_set_calendar_year(acting_user=None, year=2027, source=NOTICE, days=days or [NEW_YEAR])


def due_after_new_years_eve() -> date:
    return working_calendar().add_working_days(date(2026, 12, 31), 2).due_on


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_entering_a_year_moves_the_deadlines_and_is_ledgered_in_every_log(world: World) -> None:
    assert due_after_new_years_eve() == date(2027, 1, 4)
    assert working_calendar().add_working_days(date(2026, 12, 31), 2).provisional
    row = enter_2027()
    due = working_calendar().add_working_days(date(2026, 12, 31), 2)
    assert (due.due_on, due.provisional) == (date(2027, 1, 5), False)
    entries = LedgerEntry.objects.filter(action="calendar.set_year")
    assert sorted(entries.values_list("agency_id", flat=True)) == sorted([world.lc.pk, world.xl.pk])
    for payload in entries.values_list("payload", flat=True):
        refs = json.loads(payload)["records"]
        assert [(r["table"], r["id"]) for r in refs] == [("cases_calendaryear", row.pk)]
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


def test_a_new_version_replaces_the_year_and_both_stay(world: World) -> None:
    enter_2027()
    enter_2027(CalendarEntry(date(2027, 1, 4), False, "元旦补休"))
    assert due_after_new_years_eve() == date(2027, 1, 5)  # Jan 1 works again, Jan 4 is off
    assert CalendarYear.objects.filter(year=2027).count() == 2
    assert run_verify()[0] == 0


@pytest.mark.parametrize(
    ("year", "days", "field", "words"),
    [
        (1999, [], "year", "2000"),
        (2027, [CalendarEntry(date(2028, 1, 1), False, "元旦")], "days", "不在 2027 年内"),
        (2027, [NEW_YEAR, NEW_YEAR], "days", "不止一次"),
        (2027, [CalendarEntry(date(2027, 1, 1), False, " ")], "days", "节日名称"),
    ],
)
def test_a_bad_year_is_refused_and_nothing_is_written(
    world: World, year: int, days: list[CalendarEntry], field: str, words: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        do_set_calendar_year(acting_user=None, year=year, source=NOTICE, days=days)
    assert (refused.value.field, words in refused.value.message) == (field, True)
    assert not CalendarYear.objects.exists()
    assert not LedgerEntry.objects.filter(action="calendar.set_year").exists()


def test_a_forged_holiday_is_found(world: World) -> None:
    row = enter_2027()
    raw(
        "INSERT INTO cases_calendarday (calendar_id, day, is_working_day, name) "
        "VALUES (%s, %s, %s, %s)",
        [row.pk, date(2027, 1, 4), False, "伪造"],
    )
    assert due_after_new_years_eve() == date(2027, 1, 6)  # the forgery moves the deadline
    code, document = run_verify()
    assert code == 1
    assert [f["id"] for f in located(document, "row_altered", "cases_calendaryear")] == [row.pk]


def test_an_altered_or_removed_day_is_found(world: World) -> None:
    row = enter_2027(NEW_YEAR, CalendarEntry(date(2027, 1, 2), False, "元旦"))
    first, second = CalendarDay.objects.filter(calendar=row).order_by("day")
    raw(
        "UPDATE cases_calendarday SET is_working_day = %s WHERE id = %s",
        [True, first.pk],
        tables=["cases_calendarday"],
    )
    raw("DELETE FROM cases_calendarday WHERE id = %s", [second.pk], tables=["cases_calendarday"])
    code, document = run_verify()
    assert code == 1
    assert [f["id"] for f in located(document, "row_altered", "cases_calendaryear")] == [row.pk]


def test_a_forged_year_is_found(world: World) -> None:
    raw(
        "INSERT INTO cases_calendaryear (year, source, entered_at) VALUES (%s, %s, %s)",
        [2027, "伪造", "2026-12-01 00:00:00+00:00"],
    )
    forged = CalendarYear.objects.get(year=2027)
    assert due_after_new_years_eve() == date(2027, 1, 4)
    code, document = run_verify()
    assert code == 1
    assert [f["id"] for f in located(document, "row_unledgered", "cases_calendaryear")] == [
        forged.pk
    ]


@pytest.fixture
def admin_client(world: World) -> Client:
    make_officer(world.lc, "sysadmin", "系统管理员", ("admin",))
    return client_for("sysadmin")


def test_the_page_enters_a_year(world: World, admin_client: Client) -> None:
    url = reverse("calendar-year", args=[2027])
    assert "放假与调休" in admin_client.get(url).content.decode()
    days = "2027-01-01 休 元旦\n2027-02-07 班 春节调休\n"
    response = admin_client.post(url, {"source": NOTICE, "days": days})
    assert response.status_code == 302
    row = CalendarYear.objects.get(year=2027)
    assert row.entered_by is not None
    assert row.entered_by.username == "sysadmin"
    assert [(d.day, d.is_working_day) for d in row.days.order_by("day")] == [
        (date(2027, 1, 1), False),
        (date(2027, 2, 7), True),
    ]
    assert "2027-02-07 班 春节调休" in admin_client.get(url).content.decode()
    assert run_verify()[0] == 0


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("2027-01-01 元旦", "第 1 行应为"),
        ("2027-01-01 休 元旦\n2027-13-01 休 元旦", "第 2 行的日期“2027-13-01”"),
        ("2028-01-01 休 元旦", "不在 2027 年内"),
    ],
)
def test_the_page_refuses_bad_lines_naming_them(
    world: World, admin_client: Client, days: str, message: str
) -> None:
    response = admin_client.post(
        reverse("calendar-year", args=[2027]), {"source": NOTICE, "days": days}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_only_a_system_administrator_may_open_the_page(world: World) -> None:
    url = reverse("calendar-year", args=[2027])
    assert client_for("zhang").get(url).status_code == 403
    assert client_for("head").post(url, {"source": NOTICE, "days": ""}).status_code == 403
    assert Client().get(url).status_code == 302
    assert not CalendarYear.objects.exists()


def test_the_admin_site_edits_nothing(world: World) -> None:
    do_create_user(
        acting_user=None,
        username="root",
        name="超级用户",
        password=PASSWORD,
        is_staff=True,
        is_superuser=True,
    )
    client = client_for("root")
    enter_2027()
    for url in (
        "/admin/cases/calendarday/add/",
        "/admin/cases/calendaryear/add/",
        "/admin/auth/user/add/",
        "/admin/auth/group/add/",
    ):
        assert client.get(url, follow=True).status_code in (403, 404), url
    day = CalendarDay.objects.get()
    response = client.post(
        f"/admin/cases/calendarday/{day.pk}/change/",
        {"day": "2027-01-04", "is_working_day": "", "name": "伪造"},
    )
    assert response.status_code in (200, 403)
    assert CalendarDay.objects.get().day == date(2027, 1, 1)
    zhang = world.zhang.user
    client.post(
        f"/admin/auth/user/{zhang.pk}/change/",
        {"username": "zhang", "first_name": "伪造", "is_superuser": "on", "is_active": "on"},
    )
    zhang.refresh_from_db()
    assert (zhang.first_name, zhang.is_superuser) == ("张伟", False)
    assert client.get("/admin/auth/user/").status_code == 200
