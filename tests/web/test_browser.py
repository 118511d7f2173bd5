"""In Debian's Chromium: log in, open a case with an invalid then a valid party ID, and see it
in the list and its timeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.personas import PASSWORD, VALID_RESIDENT_ID, build_world

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_open_a_case_in_the_browser(live_server: Any, page: Page, transactional_db: None) -> None:
    build_world()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="案件")).to_be_visible()

    page.get_by_role("link", name="启动案件").first.click()
    page.get_by_label("启动方式").select_option("ex_officio")
    page.get_by_label("案由").fill("提供不真实统计资料")
    page.get_by_label("共同承办人").select_option(label="李娜（证号 LC-002）")
    page.get_by_label("承办人意见（立案理由）").fill("涉嫌违反统计法，建议立案。")
    page.get_by_label("当事人类型").select_option("person")
    page.get_by_label("当事人姓名或名称").fill("王某")
    page.get_by_label("性别").select_option("male")
    page.get_by_label("证件类型").select_option("resident_id")
    page.get_by_label("证件号码").fill(VALID_RESIDENT_ID[:-1] + "0")
    page.get_by_label("地址").fill("栾川县某村")
    page.get_by_role("button", name="提交并签署承办人意见").click()

    error = page.locator('[data-field="party_id_number"]')
    expect(error).to_contain_text("GB 11643")

    page.get_by_label("证件号码").fill(VALID_RESIDENT_ID)
    page.get_by_role("button", name="提交并签署承办人意见").click()
    expect(page.locator(".messages")).to_contain_text("案件已启动")
    number = page.get_by_role("heading", level=1).inner_text()
    assert number.startswith("栾统立〔")
    expect(page.get_by_test_id("timeline")).to_contain_text("启动案件")
    expect(page.get_by_test_id("timeline")).to_contain_text("张伟")

    page.get_by_role("link", name="案件", exact=True).click()
    expect(page.get_by_role("link", name=number)).to_be_visible()
