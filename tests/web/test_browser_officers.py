"""In Debian's Chromium (issue 17, item 7, in part): a system administrator imports officers
from an XLSX file the test makes, sees them listed with the new accounts' activation codes,
revokes one certificate; a new officer sets their password with their code, logs in, and is
refused the revoked one as co-handler when opening a case, the refusal naming the rule
(rule 3) and its article."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from casetrail.cases.models import Case, Officer
from casetrail.ledger.models import LedgerEntry
from tests.cases.officer_files import good_rows, xlsx
from tests.personas import PASSWORD, build_world, make_officer
from tests.web.test_browser import login

pytestmark = pytest.mark.browser


def new_page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def open_case_with(page: Page, base_url: str, co_handler: str) -> None:
    page.goto(f"{base_url}/cases/new/")
    page.get_by_label("启动方式").select_option("ex_officio")
    page.get_by_label("案由").fill("提供不真实统计资料")
    page.get_by_label("共同承办人").select_option(label=co_handler)
    page.get_by_label("承办人意见（立案理由）").fill("涉嫌违反《统计法》第七条，建议立案调查。")
    page.get_by_label("当事人类型").select_option("organisation")
    page.get_by_label("当事人姓名或名称").fill("栾川县某某商贸有限公司")
    page.get_by_label("统一社会信用代码").fill("91410324MA3K2L5P55")
    page.get_by_label("法定代表人").fill("刘某某")
    page.get_by_label("地址").fill("河南省洛阳市栾川县城关镇某路18号")
    page.get_by_role("button", name="提交并签署承办人意见").click()


def test_import_revoke_and_the_revoked_officer_is_refused(
    live_server: Any, browser: Browser, transactional_db: None, tmp_path: Path
) -> None:
    world = build_world()
    make_officer(world.lc, "sysadmin", "系统管理员", ("admin",))
    roster = tmp_path / "栾统人员名单.xlsx"
    roster.write_bytes(xlsx(good_rows()))

    admin = new_page(browser)
    login(admin, live_server.url, "sysadmin")
    admin.get_by_role("link", name="人员", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("栾川县统计局 · 人员")
    admin.get_by_role("link", name="从文件导入").click()
    expect(admin.get_by_test_id("template")).to_be_visible()
    admin.get_by_label("人员名单文件（XLSX 或 CSV）").set_input_files(roster)
    admin.get_by_role("button", name="预览").click()
    expect(admin.get_by_test_id("import-plan")).to_contain_text("预览：新增 3 人")
    assert not Officer.objects.filter(user__username="wuming").exists()  # a dry run
    admin.get_by_role("button", name="确认导入").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(
        "新增 3 人，变更 0 人，无变化 0 人"
    )
    codes = admin.get_by_test_id("activation-codes")
    code = codes.locator('tr[data-username="zhouxin"]').get_by_test_id("activation-code")
    activation_code = code.inner_text().strip()
    admin.get_by_role("link", name="返回人员列表").click()
    listed = admin.get_by_test_id("officers")
    for name in ("周新", "吴明", "郑平"):
        expect(listed).to_contain_text(name)
    expect(listed.locator('tr[data-username="wuming"]')).to_contain_text("有效")

    listed.get_by_role("link", name="吴明").click()
    revoke = admin.get_by_test_id("revoke")
    revoke.get_by_label("吊销原因").fill("调离执法岗位，证件收回")
    revoke.get_by_role("button", name="吊销并记账").click()
    expect(admin.locator(".messages")).to_contain_text("吴明 的执法证件已吊销")
    expect(admin.get_by_test_id("certificate-state")).to_contain_text("已吊销")
    assert LedgerEntry.objects.filter(action="officer.revoke_certificate").count() == 1
    admin.get_by_role("link", name="栾川县统计局 · 人员").click()
    expect(admin.locator('tr[data-username="wuming"]')).to_contain_text("已吊销")
    expect(admin.get_by_test_id("certificate-warnings")).to_contain_text("吴明")
    admin.context.close()

    handler = new_page(browser)  # 周新, imported, sets a password with the code and logs in
    handler.goto(f"{live_server.url}/login/")
    handler.get_by_role("link", name="用激活码设置密码").click()
    handler.get_by_label("登录名").fill("zhouxin")
    handler.get_by_label("激活码").fill(activation_code)
    handler.locator("#id_password").fill(PASSWORD)
    handler.get_by_label("再次输入新密码").fill(PASSWORD)
    handler.get_by_role("button", name="激活并设置密码").click()
    expect(handler.locator(".messages")).to_contain_text("账号 zhouxin 已激活")
    login(handler, live_server.url, "zhouxin")
    open_case_with(handler, live_server.url, "吴明（证号 豫统执41032400032）")
    refusal = handler.locator('[data-field="co_handlers"]')
    expect(refusal).to_contain_text("吴明")
    expect(refusal).to_contain_text("执法证件已被吊销")
    expect(refusal).to_contain_text("《统计法实施条例》第三十六条")
    assert not Case.objects.exists()

    open_case_with(handler, live_server.url, "李娜（证号 LC-002）")
    expect(handler.locator(".messages")).to_contain_text("案件已启动")
    assert Case.objects.get().opened_by.name == "周新"
    handler.context.close()
