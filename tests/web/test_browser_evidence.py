"""In Debian's Chromium: the upload form starts from the uploader as 制作人 and the file's own
time (#16 item 13); a registered video plays in the recording's page and seeks by HTTP range
requests (#16 item 8)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django import Settings

from casetrail import clock
from tests.evidence.av import make_mp4, register, store_bytes
from tests.evidence.test_upload_page import jpeg
from tests.personas import build_world, open_case
from tests.web.test_browser import login

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def page(browser: Browser, settings: Settings, tmp_path: Path) -> Iterator[Page]:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    context = browser.new_context(locale="zh-CN", timezone_id="UTC")  # not the form's zone
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_upload_form_starts_from_the_uploader_and_the_files_time(
    live_server: Any, page: Page, transactional_db: None, tmp_path: Path
) -> None:
    world = build_world()
    case = open_case(world)
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg(64 * 1024))
    taken = (clock.now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    os.utime(photo, (taken.timestamp(), taken.timestamp()))
    login(page, live_server.url, "li")
    page.goto(f"{live_server.url}/uploads/cases/{case.pk}/recordings/new")
    expect(page.get_by_label("制作人")).to_have_value(str(world.li.pk))
    page.locator("#evidence-file").set_input_files(photo)
    beijing = taken.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    expect(page.get_by_label("录制开始时间")).to_have_value(beijing)


def test_a_video_plays_and_seeks_by_range_requests(
    live_server: Any, page: Page, transactional_db: None, tmp_path: Path
) -> None:
    world = build_world()
    case = open_case(world)
    data = make_mp4(tmp_path / "clip.mp4", "2026-01-01T00:00:00Z")
    start = clock.now() - timedelta(hours=1)
    register(
        world,
        case,
        store_bytes(data, "执法记录仪.mp4"),
        recorded_start_at=start,
        recorded_end_at=start + timedelta(seconds=1),
    )
    ranges: list[str] = []
    page.on(
        "request",
        lambda request: (
            ranges.append(request.headers.get("range", ""))
            if "/recordings/" in request.url and request.url.endswith("/file")
            else None
        ),
    )
    login(page, live_server.url, "zhang")
    page.goto(f"{live_server.url}{reverse('case-detail', args=[case.pk])}")
    page.get_by_test_id("open-recording").click()
    video = page.locator("video.evidence")
    expect(video).to_be_visible()
    # The page's CSP forbids eval, so wait through element properties, not wait_for_function.
    expect(video).not_to_have_js_property("readyState", 0)
    duration = page.evaluate("document.querySelector('video.evidence').duration")
    assert duration > 0.5
    page.evaluate("document.querySelector('video.evidence').currentTime = 0.8")
    expect(video).to_have_js_property("seeking", False)
    expect(video).not_to_have_js_property("currentTime", 0)
    assert any(value.startswith("bytes=") for value in ranges), ranges
