"""Browser helpers for the procedure pages: one logged-in page per person, the generated
document form filled by its Chinese labels, signing by login and on the signature pad."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.web.test_browser import login

Value = str | bool | list[str]


@contextmanager
def new_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        context.close()


@dataclass
class People:
    """A logged-in page per person, opened on first use, as if each sat at their own desk."""

    browser: Browser
    base_url: str
    pages: dict[str, Page] = field(default_factory=dict)

    def __getitem__(self, username: str) -> Page:
        if username not in self.pages:
            context = self.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
            page = context.new_page()
            page.set_default_timeout(20_000)
            login(page, self.base_url, username)
            self.pages[username] = page
        return self.pages[username]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def logout(page: Page) -> None:
    toggle = page.get_by_test_id("menu-toggle")
    if toggle.is_visible():  # a phone: 退出 is in the folded menu
        toggle.click()
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()


def new_document(page: Page, base_url: str, case_id: int, title: str) -> None:
    page.goto(f"{base_url}/cases/{case_id}/")
    page.get_by_role("link", name="新建文书").click()
    page.get_by_test_id("document-kinds").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def labelled(label: str) -> re.Pattern[str]:
    """The label exactly, with or without the required-field asterisk."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def fill_document(page: Page, values: Mapping[str, Value]) -> None:
    """Fill the generated form by label: text, dates, selects (by option label), checkboxes
    (True/False) and officer groups (a list of officer names to tick, the others unticked)."""
    form = page.get_by_test_id("document-form")
    for label, value in values.items():
        if isinstance(value, list):
            group = form.get_by_role("group", name=labelled(label))
            for box in group.get_by_role("checkbox").all():
                name = box.evaluate("b => b.parentElement.textContent.trim()")
                box.set_checked(any(str(name).startswith(v) for v in value))
            continue
        control = form.get_by_label(labelled(label))
        if isinstance(value, bool):
            control.set_checked(value)
        elif control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)


def save_draft(page: Page) -> int:
    """Save the form; returns the new document's id from the page it lands on."""
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("document-status")).to_have_text("草稿")
    found = re.search(r"/documents/(\d+)/$", page.url)
    assert found, page.url
    return int(found.group(1))


def open_document(page: Page, base_url: str, case_id: int, document_id: int) -> None:
    page.goto(f"{base_url}/cases/{case_id}/documents/{document_id}/")


def sign_by_login(page: Page, times: int = 1) -> None:
    """Click every 本人签名 button the viewer has (each click reloads the page)."""
    for _ in range(times):
        page.get_by_role("button", name="本人签名").first.click()
        expect(page.locator(".messages")).to_contain_text("已签名")
    expect(page.get_by_role("button", name="本人签名")).to_have_count(0)


def sign_on_screen(page: Page, signer: str) -> None:
    """Draw a signature on the pad with the mouse (pointer events) and confirm it."""
    pad_form = page.get_by_test_id(f"screen-{signer}")
    canvas = pad_form.locator("canvas.signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()  # in the viewport: the mouse moves there
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 25):
        wave = 0.25 if i % 2 else -0.2
        page.mouse.move(x + w * (0.1 + i * 0.03), y + h * (0.5 + wave), steps=3)
    page.mouse.up()
    pad_form.get_by_role("button", name="确认签名").click()
    expect(page.locator(".messages")).to_contain_text("签名已记录")


def sign_on_paper(page: Page, signer: str, scan: Path) -> None:
    paper = page.get_by_test_id(f"paper-{signer}")
    paper.get_by_label("签字页扫描件（PDF、PNG 或 JPEG）").set_input_files(str(scan))
    paper.get_by_role("button", name="上传签字页").click()
    expect(page.locator(".messages")).to_contain_text("签名已记录")


def finalise(page: Page) -> None:
    page.get_by_test_id("finalise").get_by_role("button", name="定稿").click()
    expect(page.get_by_test_id("document-status")).to_have_text("已定稿")


def propose(page: Page, opinion: str) -> None:
    chain = page.get_by_test_id("chain")
    chain.get_by_label("意见和理由").fill(opinion)
    chain.get_by_role("button", name="提请审批").click()
    expect(page.locator(".messages")).to_contain_text("已提请审批")


def approve_in_inbox(page: Page, case_number: str, subject: str, opinion: str) -> None:
    """Open 审批待办, find the chain of *subject* in the case and sign 同意 with *opinion*."""
    page.get_by_role("link", name="审批待办").click()
    item = page.locator(".inbox-item").filter(has_text=subject).filter(has_text=case_number)
    expect(item).to_have_count(1)
    item.get_by_label("同意", exact=True).check()
    item.get_by_label("意见和理由").fill(opinion)
    item.get_by_role("button", name="签署意见").click()
    expect(page.locator(".messages")).to_contain_text("已签署“同意”意见")
