"""In Debian's Chromium: a decision is issued, its PDF downloaded by its handler, and the QR
code on it leads anyone (no login) to the verification page, which says genuine and accepts
the downloaded file as the issued original."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django import Settings

from casetrail.cases.management.demo_procedure import Walk
from casetrail.cases.models import Case
from casetrail.documents.models import IssuedPdf
from casetrail.ledger.checkpoints import publish
from casetrail.ledger.selectors import agency_log
from tests.documents import pdftools
from tests.personas import PASSWORD, build_world
from tests.procedure_world import SIGNATURE_PNG, filed_case

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


def test_issue_a_decision_download_it_and_verify_it_from_its_qr_code(
    live_server: Any,
    page: Page,
    transactional_db: None,
    settings: Settings,
    tmp_path: Path,
    pdf_tools: None,
) -> None:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_PUBLIC_URL = live_server.url
    world = build_world()
    case = filed_case(world)
    walk = Walk(case, (world.zhang, world.li), world.reviewer, world.head, SIGNATURE_PNG)
    decision = walk.run(finalise_decision=False)  # drafted and signed; issued in the browser

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/{case.pk}/documents/{decision.pk}/")
    page.get_by_role("button", name="定稿", exact=True).click()
    expect(page.get_by_test_id("document-status")).to_have_text("已定稿")
    assert Case.objects.get(pk=case.pk).stage == "decided"
    issued = IssuedPdf.objects.get(document=decision)
    expect(page.get_by_test_id("verification-code")).to_have_text(issued.verification_code)
    publish(agency_log(world.lc))
    with page.expect_download() as download_info:
        page.get_by_test_id("document-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"{decision.final.number}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdftools.squeezed("行政处罚决定书") in pdftools.squeezed(pdftools.text(pdf))

    [url] = pdftools.qr_codes(pdf)
    assert url == f"{live_server.url}/v/{issued.verification_code}"
    stranger = page.context.browser.new_context(locale="zh-CN")  # type: ignore[union-attr]
    visitor = stranger.new_page()
    visitor.goto(url)
    expect(visitor.locator('[data-verdict="genuine"]')).to_contain_text("真实")
    facts = visitor.get_by_test_id("document-facts")
    expect(facts).to_contain_text(decision.final.number)
    expect(facts).to_contain_text("栾川县统计局")
    expect(visitor.get_by_test_id("pdf-sha256")).to_have_text(issued.sha256)
    expect(visitor.get_by_test_id("checkpoint")).to_contain_text(agency_log(world.lc).origin)

    visitor.get_by_label("上传收到的PDF文件").set_input_files(str(download.path()))
    visitor.get_by_role("button", name="核验文件").click()
    expect(visitor.locator('[data-verdict="identical"]')).to_contain_text("一致")
    stranger.close()
