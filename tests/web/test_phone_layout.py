"""In Debian's Chromium, the demo data (`casetrail demo`) at a 390 px phone and at 1280 px (#16
item 17).

GIVEN the demo agency 栾川县统计局 WHEN each person opens the pages of field work on a phone
(home, case overview, upload, the 询问笔录 form, the signature pad, deadlines, approvals inbox)
THEN nothing scrolls sideways, tables read as lists of labelled lines, the menu folds behind
菜单 until opened, and the upload page offers the phone's camera besides the file chooser.
At 1280 px the menu sits open in the bar and tables stay tables.

Screenshots of every page are written to the test's tmp folder (or to
$CASETRAIL_SCREENSHOT_DIR when set) for a person to look at.
"""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django import Settings

from casetrail.cases.management.commands.demo import DEMO_PASSWORD
from casetrail.cases.models import Case
from tests.evidence.test_upload_page import jpeg
from tests.web.procedure_browser import fill_document, logout, save_draft, sign_on_screen
from tests.web.walk_browser import (
    DESKTOP,
    PHONE,
    REPRESENTATIVE,
    REPRESENTATIVE_ID,
    SHANGHAI,
    WalkClock,
    officer,
)

pytestmark = pytest.mark.browser

HANDLER, HEAD, REVIEWER = "zhangwei", "liujing", "wangqiang"
DEMO_LOADED = datetime(2026, 12, 8, 8, 30, tzinfo=SHANGHAI)  # a Tuesday
MIN_CELL = 60  # px: a table cell narrower than this wraps a case number a character a line
COMPACT_BAR = 70  # px: the closed menu bar is one line

# Facts of one page as laid out: sideways overflow, the narrowest visible table cell of a table
# laid out as a table, how the tables and the menu are displayed.
LAYOUT = """() => {
  const MIN_CELL = %MIN_CELL%;
  const visible = (el) => el.checkVisibility({ visibilityProperty: true });
  const cells = Array.from(document.querySelectorAll("td")).filter((td) =>
    visible(td) && getComputedStyle(td.closest("table")).display === "table");
  const narrow = cells.filter((td) => td.getBoundingClientRect().width < MIN_CELL)
    .map((td) => td.textContent.trim().slice(0, 20));
  const lists = Array.from(document.querySelectorAll("table.list")).filter(visible);
  const bar = document.querySelector("header.top");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    narrow: narrow,
    tableDisplays: lists.map((t) => getComputedStyle(t).display),
    headsShown: lists.some((t) => t.tHead && visible(t.tHead)),
    unlabelled: lists.flatMap((t) => Array.from(t.querySelectorAll("tbody td")))
      .filter((td) => visible(td) && td.colSpan === 1 && !td.dataset.label).length,
    labelOnly: lists.flatMap((t) => Array.from(t.querySelectorAll("tbody td")))
      .filter((td) => visible(td) && !td.textContent.trim() && !td.querySelector("button, img"))
      .length,
    bar: bar.getBoundingClientRect().height,
    links: Array.from(document.querySelectorAll("header.top nav a")).filter(visible).length,
  };
}""".replace("%MIN_CELL%", str(MIN_CELL))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> WalkClock:
    return WalkClock(monkeypatch, DEMO_LOADED)


@pytest.fixture
def demo(
    live_server: Any,
    transactional_db: None,
    settings: Settings,
    tmp_path: Path,
    clock: WalkClock,
) -> str:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_PUBLIC_URL = live_server.url
    call_command("demo", stdout=io.StringIO())
    return str(live_server.url)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CASETRAIL_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Desk:
    """A person logged in on a phone (touch, 390 px) or at a desktop (1280 px)."""

    def __init__(self, browser: Browser, url: str, viewport: ViewportSize, shots: Path) -> None:
        self.browser, self.url, self.viewport, self.shots = browser, url, viewport, shots
        self.phone = viewport["width"] == PHONE["width"]
        self.pages: dict[str, Page] = {}

    def __getitem__(self, username: str) -> Page:
        if username not in self.pages:
            context = self.browser.new_context(
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                viewport=self.viewport,
                is_mobile=self.phone,
                has_touch=self.phone,
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{self.url}/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page.locator("header.top details.menu")).to_be_attached()
            self.pages[username] = page
        return self.pages[username]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()

    def layout(self, page: Page, name: str) -> dict[str, Any]:
        """The page's layout facts, after a screenshot of the whole page. (A full_page
        screenshot would drop the touch emulation; the viewport is stretched instead.)"""
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": self.viewport["width"], "height": height})
        width = "phone" if self.phone else "desktop"
        page.screenshot(path=str(self.shots / f"{name}-{width}.png"))
        page.set_viewport_size(self.viewport)
        facts: dict[str, Any] = page.evaluate(LAYOUT)
        return facts

    def visit(self, username: str, path: str, name: str) -> tuple[Page, dict[str, Any]]:
        page = self[username]
        response = page.goto(f"{self.url}{path}")
        assert response is not None, path
        assert response.ok, (path, response.status)
        return page, self.layout(page, name)


def field_pages() -> list[tuple[str, str, str]]:
    """(person, path, name) of the pages of field work in the demo data."""
    decided = Case.objects.get(stage="decided")
    filing = Case.objects.filter(agency=decided.agency, stage="filing_review")
    pending = filing.order_by("pk").first()
    assert pending is not None
    return [
        (HANDLER, "/", "home-handler"),
        (HANDLER, f"/cases/{decided.pk}/", "case-decided"),
        (HANDLER, f"/cases/{pending.pk}/", "case-filing"),
        (HANDLER, f"/uploads/cases/{pending.pk}/recordings/new", "upload"),
        (HANDLER, f"/cases/{decided.pk}/documents/new/inquiry_transcript/", "inquiry-form"),
        (HANDLER, "/deadlines/", "deadlines"),
        (REVIEWER, "/approvals/", "approvals-reviewer"),
        (HEAD, "/approvals/", "approvals-head"),
        (HEAD, "/", "home-head"),
    ]


def test_field_pages_fit_a_phone(browser: Browser, demo: str, shots: Path) -> None:
    desk = Desk(browser, demo, PHONE, shots)
    try:
        tables = 0
        for username, path, name in field_pages():
            _, facts = desk.visit(username, path, name)
            assert facts["scrollWidth"] <= PHONE["width"], (name, facts)
            assert facts["narrow"] == [], (name, facts)
            assert set(facts["tableDisplays"]) <= {"block"}, (name, facts)
            assert not facts["headsShown"], (name, facts)
            assert facts["unlabelled"] == 0, (name, facts)
            assert facts["labelOnly"] == 0, (name, facts)
            assert facts["bar"] <= COMPACT_BAR, (name, facts)
            assert facts["links"] == 0, (name, facts)
            tables += len(facts["tableDisplays"])
        assert tables >= 5  # the demo's deadlines, cases, recordings and due-soon tables
    finally:
        desk.close()


def test_inquiry_written_and_signed_on_a_phone(
    browser: Browser, demo: str, shots: Path, clock: WalkClock
) -> None:
    """The 询问笔录 form filled and saved at 390 px, then the interviewee signs on the pad."""
    case = Case.objects.get(stage="investigation")
    clock.at(date(2026, 12, 8), 11)
    desk = Desk(browser, demo, PHONE, shots)
    try:
        page = desk[HANDLER]
        page.goto(f"{demo}/cases/{case.pk}/documents/new/inquiry_transcript/")
        fill_document(
            page,
            {
                "询问开始时间": clock.local(hours=1, minutes=30),
                "询问结束时间": clock.local(minutes=30),
                "询问地点": "栾川县统计局询问室",
                "询问人（执法人员）": ["张伟", "李娜"],
                "记录人": officer("李娜"),
                "被询问人姓名": REPRESENTATIVE,
                "被询问人性别": "男",
                "被询问人身份证件号码": REPRESENTATIVE_ID,
                "问答记录": "问：统计台账由谁保管？\n答：由会计保管。",
            },
        )
        save_draft(page)
        facts = desk.layout(page, "signature-pad")
        assert facts["scrollWidth"] <= PHONE["width"], facts
        assert facts["labelOnly"] == 0, facts  # no "记录：" with nothing after it
        pad = page.get_by_test_id("screen-interviewee").locator("canvas.signature-pad")
        box = pad.bounding_box()
        assert box is not None
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= PHONE["width"], box
        assert box["width"] >= 300, box  # room for a name written with a finger
        sign_on_screen(page, "interviewee")
        assert desk.layout(page, "signature-signed")["scrollWidth"] <= PHONE["width"]
    finally:
        desk.close()


def test_menu_folds_behind_a_toggle_on_a_phone(browser: Browser, demo: str, shots: Path) -> None:
    desk = Desk(browser, demo, PHONE, shots)
    try:
        page, closed = desk.visit(HEAD, "/", "menu-closed")
        toggle = page.get_by_test_id("menu-toggle")
        expect(toggle).to_be_visible()
        expect(page.get_by_role("link", name="审批待办")).to_be_hidden()
        expect(page.get_by_role("button", name="退出")).to_be_hidden()
        assert closed["bar"] <= COMPACT_BAR, closed

        toggle.click()
        opened = desk.layout(page, "menu-open")
        assert opened["links"] >= 5, opened  # 案件 启动案件 期限 审批待办 异地备份 栾统
        assert opened["bar"] == closed["bar"], opened  # the list drops over the page
        assert opened["scrollWidth"] <= PHONE["width"], opened
        link = page.get_by_role("link", name="审批待办")
        link_box = link.bounding_box()
        assert link_box is not None
        assert link_box["height"] >= 40, link_box  # a finger's size
        expect(page.get_by_role("button", name="退出")).to_be_visible()
        page.mouse.click(PHONE["width"] / 2, PHONE["height"] - 40)  # a tap outside closes it
        expect(link).to_be_hidden()
        toggle.click()
        page.keyboard.press("Escape")
        expect(link).to_be_hidden()
        toggle.click()
        link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("审批待办")
        expect(page.get_by_role("link", name="审批待办")).to_be_hidden()  # closed again
        logout(page)  # through the menu
    finally:
        desk.close()


def test_upload_offers_the_camera_and_files(
    browser: Browser, demo: str, shots: Path, tmp_path: Path
) -> None:
    """On a phone the upload page opens the camera (capture) and still takes a file; a photo
    taken there goes up like any file. A desktop shows the file chooser only."""
    case = Case.objects.filter(stage="filing_review").order_by("pk").first()
    assert case is not None
    path = f"/uploads/cases/{case.pk}/recordings/new"
    phone = Desk(browser, demo, PHONE, shots)
    desktop = Desk(browser, demo, DESKTOP, shots)
    try:
        page, _ = phone.visit(HANDLER, path, "upload-camera")
        camera = page.get_by_label("用手机当场拍摄（照片、录像或录音）")
        expect(camera).to_be_visible()
        assert camera.get_attribute("capture") == "environment"
        assert camera.get_attribute("accept") == "image/*,video/*,audio/*"
        chooser = page.get_by_label("选择照片、录音或录像文件")
        expect(chooser).to_be_visible()
        assert chooser.get_attribute("capture") is None
        photo = tmp_path / "IMG_0001.jpg"
        photo.write_bytes(jpeg(64 * 1024))
        camera.set_input_files(photo)
        expect(page.get_by_test_id("upload-percent")).to_have_text("100 %")
        expect(page.get_by_role("button", name="提交")).to_be_enabled()
        expect(page.get_by_label("类型")).to_have_value("photo")

        page, _ = desktop.visit(HANDLER, path, "upload-desktop")
        expect(page.get_by_label("用手机当场拍摄（照片、录像或录音）")).to_be_hidden()
        expect(page.get_by_label("选择照片、录音或录像文件")).to_be_visible()
    finally:
        phone.close()
        desktop.close()


def test_desktop_keeps_the_bar_and_the_tables(browser: Browser, demo: str, shots: Path) -> None:
    """At 1280 px: the menu open in one bar without a toggle, tables with their headings."""
    desk = Desk(browser, demo, DESKTOP, shots)
    try:
        tables = 0
        for username, path, name in field_pages():
            page, facts = desk.visit(username, path, name)
            assert facts["scrollWidth"] <= DESKTOP["width"], (name, facts)
            assert set(facts["tableDisplays"]) <= {"table"}, (name, facts)
            assert facts["bar"] <= COMPACT_BAR, (name, facts)
            assert facts["links"] >= 3, (name, facts)
            expect(page.get_by_test_id("menu-toggle")).to_be_hidden()
            expect(page.get_by_role("button", name="退出")).to_be_visible()
            tables += len(facts["tableDisplays"])
        assert tables >= 5
        assert facts["headsShown"]
    finally:
        desk.close()
