"""In Debian's Chromium: the system administrator enters next year's holiday notice on the
calendar page, and a running case's deadline moves (issue 14, item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from casetrail import clock
from casetrail.cases.models import CalendarYear
from casetrail.ledger.models import LedgerEntry
from tests.personas import build_world, make_officer, open_case
from tests.web.test_browser import login

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


NEW_YEARS_EVE = datetime(2026, 12, 31, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_entering_the_holidays_moves_a_deadline(
    live_server: Any, page: Page, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now", lambda: NEW_YEARS_EVE.astimezone(UTC))
    world = build_world()
    make_officer(world.lc, "sysadmin", "系统管理员", ("admin", "head"), cert="LC-100")
    open_case(world, start_type="emergency")
    login(page, live_server.url, "sysadmin")

    page.goto(f"{live_server.url}/deadlines/")
    backfill = page.locator('tr[data-kind="emergency_backfill"]')
    expect(backfill).to_contain_text("2027-01-04")
    expect(backfill.get_by_test_id("provisional")).to_be_visible()

    page.get_by_role("link", name="工作日历").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年工作日历")
    page.goto(f"{live_server.url}/calendar/2027/")
    page.get_by_label("依据（国务院办公厅通知文号）").fill("国办发明电〔2026〕X号（测试）")
    page.get_by_label("放假与调休").fill("2027-01-01 休 元旦\n2027-13-02 休 元旦")
    page.get_by_role("button", name="录入并记账").click()
    expect(page.locator('[data-field="days"]')).to_contain_text("第 2 行的日期")
    assert not CalendarYear.objects.exists()

    page.get_by_label("放假与调休").fill("2027-01-01 休 元旦\n")
    page.get_by_role("button", name="录入并记账").click()
    expect(page.locator(".messages")).to_contain_text("2027 年的工作日历已录入并记入账本")
    assert LedgerEntry.objects.filter(action="calendar.set_year").count() == 2

    page.goto(f"{live_server.url}/deadlines/")
    expect(backfill).to_contain_text("2027-01-05")
    expect(backfill.get_by_test_id("provisional")).to_have_count(0)
