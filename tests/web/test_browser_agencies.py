"""In Debian's Chromium (issue 17, items 1, 6 and 7 in part): the deployment's administrator
creates a county agency under its city bureau through the pages, with a built-in profile
previewed before confirming; the county appears in the list under its parent, and its audit
page shows the creation act."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from casetrail.cases.actions.accounts import do_create_user
from casetrail.cases.actions.setup import do_create_agency
from casetrail.cases.models import Agency
from tests.personas import PASSWORD
from tests.web.test_browser import login

pytestmark = pytest.mark.browser


def new_page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_an_administrator_creates_a_county_under_its_city(
    live_server: Any, browser: Browser, transactional_db: None
) -> None:
    do_create_agency(
        acting_user=None,
        name="洛阳市统计局",
        short_name="洛统",
        code="luoyang-tjj",
        profile_key="luanchuan-2020",
    )
    do_create_user(
        acting_user=None, username="root", name="部署管理员", password=PASSWORD, is_staff=True
    )

    page = new_page(browser)
    login(page, live_server.url, "root")
    page.get_by_role("link", name="机关", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("执法机关")
    page.get_by_role("link", name="新建机关").click()
    page.get_by_label("机关名称").fill("嵩县统计局")
    page.get_by_label("简称").fill("嵩统")
    page.get_by_label("机关代码").fill("songxian-tjj")
    page.get_by_label("统一社会信用代码").fill("114103250053396368")
    page.get_by_label("地址").fill("河南省洛阳市嵩县城关镇")
    page.get_by_label("上级机关").select_option(label="洛阳市统计局")
    page.get_by_label("执法全过程记录制度配置").select_option("luanchuan-2020")
    page.get_by_role("button", name="预览").click()
    preview = page.get_by_test_id("profile-preview")
    expect(preview).to_contain_text("{short}立〔{year}〕{seq}号")
    expect(preview).to_contain_text("栾川县统计局行政执法全过程记录制度")
    assert not Agency.objects.filter(code="songxian-tjj").exists()
    page.get_by_role("button", name="确认创建并记账").click()
    expect(page.locator(".messages")).to_contain_text("已创建 嵩县统计局（songxian-tjj）")

    county = page.get_by_test_id("agencies").locator('tr[data-code="songxian-tjj"]')
    expect(county).to_contain_text("嵩县统计局")
    expect(county).to_contain_text("luoyang-tjj")
    assert Agency.objects.get(code="songxian-tjj").parent == Agency.objects.get(code="luoyang-tjj")
    county.get_by_role("link", name="管理记录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("嵩县统计局 · 管理记录")
    created = page.get_by_test_id("audit").locator('tr[data-action="agency.create"]')
    expect(created).to_contain_text("创建机关")
    expect(created).to_contain_text("部署管理员")
    expect(created).to_contain_text("parent：luoyang-tjj")
    page.context.close()
