"""In Debian's Chromium: the backup page and the case page show the last successful off-site
copy, and the case page warns once it is older than the profile allows (Seed A art. 14)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django import Settings

from casetrail.cases.backup_run import run_backup
from tests.evidence.av import at, travel_to
from tests.evidence.backup_world import case_with_recording, the_replica, use_stores
from tests.personas import build_world
from tests.web.test_browser import login

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_last_copy_and_the_overdue_warning(
    live_server: Any,
    page: Page,
    transactional_db: None,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_stores(settings, tmp_path)
    world = build_world()
    case = case_with_recording(world, monkeypatch)  # the clock: 2026-09-30 11:00
    assert run_backup(the_replica()).ok
    login(page, live_server.url, "head")

    page.goto(f"{live_server.url}/backups/")
    expect(page.get_by_role("heading", level=1)).to_have_text("异地备份与文件修复")
    expect(page.get_by_test_id("backup-runs")).to_contain_text("成功")
    expect(page.get_by_test_id("backup-last")).to_have_text("2026-09-30 11:00")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    status = page.get_by_test_id("backup-status")
    expect(status).to_contain_text("最近一次成功的异地备份于 2026-09-30 11:00")
    expect(status).to_contain_text("下次应于 2026-10-07 11:00 前完成")
    expect(page.get_by_test_id("backup-overdue")).to_have_count(0)

    travel_to(monkeypatch, at(2026, 10, 9))  # 9 days later; luanchuan-2020 allows 7
    page.reload()
    expect(page.get_by_test_id("backup-overdue")).to_have_text("已超期：")
    expect(status).to_contain_text("应于 2026-10-07 11:00 前再次备份")
