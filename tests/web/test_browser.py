"""In Debian's Chromium: log in, open a case with an invalid then a valid party ID, and see it
in the list and its timeline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django import Settings

from casetrail.ledger.checkpoints import publish, verifier
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.merkle import leaf_hash, verify_inclusion
from casetrail.ledger.note import Verifier, open_note, parse_checkpoint
from casetrail.ledger.selectors import agency_log
from tests.personas import PASSWORD, VALID_RESIDENT_ID, build_world, open_case

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_open_a_case_in_the_browser(live_server: Any, page: Page, transactional_db: None) -> None:
    build_world()
    login(page, live_server.url, "zhang")

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


def test_download_an_inclusion_proof_and_check_it_offline(
    live_server: Any, page: Page, transactional_db: None, settings: Settings, tmp_path: Path
) -> None:
    """An act is integrated right after it commits (待发布), 已发布 once a checkpoint covers
    it; its proof downloads from the case page and verifies offline with the public key."""
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    world = build_world()
    case = open_case(world)
    log = agency_log(world.lc)
    login(page, live_server.url, "li")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_test_id("timeline")).to_contain_text("待发布")

    publish(log)
    page.reload()
    expect(page.get_by_test_id("timeline")).to_contain_text("已发布")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载证明").first.click()
    document = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    inclusion = document["inclusion"]
    text, signers = open_note(
        inclusion["checkpoint"], [Verifier.from_key_string(document["public_key"])]
    )
    body = parse_checkpoint(text)
    leaf = leaf_hash(document["payload"].encode("utf-8"), ledger_hash())
    verify_inclusion(
        leaf,
        document["index"],
        body.size,
        [bytes.fromhex(p) for p in inclusion["proof"]],
        body.root_hash,
        ledger_hash(),
    )
    assert signers == [log.origin]

    page.goto(f"{live_server.url}/agencies/{world.lc.pk}/")
    expect(page.get_by_test_id("public-key")).to_have_text(verifier(log).key_string())
    expect(page.get_by_test_id("checkpoint")).to_contain_text(log.origin)


def login(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # Each role lands on what it works on (reviewers and heads: 审批待办); the tests start
    # from the case list.
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    if not page.get_by_role("heading", name="案件", exact=True).is_visible():
        page.goto(f"{base_url}/")
    expect(page.get_by_role("heading", name="案件", exact=True)).to_be_visible()
