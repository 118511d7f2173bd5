"""Deadlines on the pages, through Django's test client: the agency's list with its filters, the
case page's own deadlines, each officer's home page with what is due within five days or
overdue, and who sees which rows (Seed A art. 6; 行政处罚法 第60条; REFERENCE rule 46).

GIVEN 栾统 on 2026-11-24 with an emergency start of 2026-11-02 never backfilled (overdue), an
emergency start of today (due in 2 working days) and a filed ordinary case (decision within 90
days, into 2027, so provisional), all handled by 张伟, and a case of 兴统 handled by 赵磊.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.actions.accounts import do_create_user
from casetrail.cases.models import Case
from tests.evidence.av import at, travel_to
from tests.personas import PASSWORD, World, company, make_officer, open_case
from tests.procedure_world import filed_case


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


@pytest.fixture
def cases(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, Case]:
    travel_to(monkeypatch, at(2026, 11, 2, 9))
    forgotten = open_case(world, start_type="emergency")
    travel_to(monkeypatch, at(2026, 11, 24, 9))
    return {
        "forgotten": forgotten,
        "fresh": open_case(world, start_type="emergency"),
        "filed": filed_case(world),
        "other": open_case(
            world,
            start_type="emergency",
            acting_user=world.colleague.user,
            agency=world.xl,
            co_handlers=[make_officer(world.xl, "qian", "钱明", ("officer",), cert="XL-002")],
            parties=[company(name="某某化工有限公司")],
        ),
    }


def listing(username: str, query: str = "") -> str:
    response = client_for(username).get(reverse("deadline-list") + query)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(body: str, case: Case) -> list[str]:
    """The table rows that name *case*."""
    return [
        row for row in re.findall(r"<tr data-kind.*?</tr>", body, re.S) if case.case_number in row
    ]


def test_the_list_shows_status_days_left_and_provisional_marks(cases: dict[str, Case]) -> None:
    body = listing("zhang")
    [overdue] = rows_of(body, cases["forgotten"])
    assert 'data-status="overdue"' in overdue
    assert '<span class="badge late">已超期</span>' in overdue
    assert "2026-11-04" in overdue  # 2 working days after 2026-11-02
    assert "超期 20 天" in overdue
    [fresh] = rows_of(body, cases["fresh"])
    assert "2 天" in fresh
    assert "未到期" in fresh
    [decision] = rows_of(body, cases["filed"])
    assert "作出处理决定期限" in decision
    assert "（暂定）" in decision  # 2027's holidays are not published yet
    assert cases["other"].case_number not in body


def test_the_overdue_filter(cases: dict[str, Case]) -> None:
    body = listing("zhang", "?overdue=on")
    assert rows_of(body, cases["forgotten"])
    assert not rows_of(body, cases["fresh"])
    assert not rows_of(body, cases["filed"])


def test_the_agency_filter_and_other_agencies(world: World, cases: dict[str, Case]) -> None:
    mine = listing("colleague", f"?agency={world.xl.pk}")
    assert rows_of(mine, cases["other"])
    assert cases["forgotten"].case_number not in mine
    response = client_for("colleague").get(reverse("deadline-list") + f"?agency={world.lc.pk}")
    assert response.status_code == 404
    assert client_for("zhang").get(reverse("deadline-list") + "?agency=x").status_code == 404


def test_an_officer_sees_only_the_rows_of_cases_they_may_see(cases: dict[str, Case]) -> None:
    body = listing("bystander")  # an officer of 栾统 on none of these cases
    for case in ("forgotten", "fresh", "filed"):
        assert cases[case].case_number not in body


def test_the_supervisor_reads_every_row_of_their_agency(cases: dict[str, Case]) -> None:
    body = listing("supervisor")
    assert rows_of(body, cases["forgotten"])
    assert rows_of(body, cases["filed"])
    assert '<form method="post"' not in body.split("</header>")[1]  # nothing to write


def test_no_agency_no_list(db: None) -> None:
    do_create_user(acting_user=None, username="nobody", name="无岗位", password=PASSWORD)
    assert client_for("nobody").get(reverse("deadline-list")).status_code == 404


def test_the_home_page_shows_what_is_due_soon_or_overdue(cases: dict[str, Case]) -> None:
    body = client_for("zhang").get(reverse("case-list")).content.decode()
    soon = body.split('data-testid="due-soon"')[1].split("</section>")[0]
    assert cases["forgotten"].case_number in soon
    assert cases["fresh"].case_number in soon
    assert cases["filed"].case_number not in soon  # 90 days away
    reviewer = client_for("reviewer").get(reverse("case-list")).content.decode()
    assert 'data-testid="due-soon"' not in reviewer  # handles no case


def test_the_case_page_lists_its_deadlines(cases: dict[str, Case]) -> None:
    case = cases["filed"]
    body = client_for("zhang").get(reverse("case-detail", args=[case.pk])).content.decode()
    section = body.split('data-testid="case-deadlines"')[1].split("</section>")[0]
    assert "作出处理决定期限" in section
    assert "《行政处罚法》第六十条" in section
    assert re.search(r">\d+ 天</td>", section)
