"""In Debian's Chromium: upload a recording by tus (progress bar to 100 %), register it, and
resume an upload after a page reload."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, Route, expect
from pytest_django import Settings

from casetrail import clock
from casetrail.evidence.models import Recording, Upload
from tests.evidence.samples import SAMPLES
from tests.evidence.test_upload_page import jpeg
from tests.personas import build_world, open_case
from tests.web.test_browser import login

pytestmark = pytest.mark.browser

CHUNK = 256 * 1024


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def photo(tmp_path: Path, settings: Settings) -> Path:
    """A real JPEG on disk (a file keeps its modification time, which tus fingerprints)."""
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    path = tmp_path / "现场照片.jpg"
    path.write_bytes(jpeg(2 * 1024 * 1024))
    return path


def test_upload_a_photo_and_register_it(
    live_server: Any, page: Page, transactional_db: None, photo: Path
) -> None:
    world = build_world()
    case = open_case(world)
    login(page, live_server.url, "zhang")
    page.goto(f"{live_server.url}/uploads/cases/{case.pk}/recordings/new")
    submit = page.get_by_role("button", name="提交")
    expect(submit).to_be_disabled()

    page.locator("#evidence-file").set_input_files(photo)
    expect(page.get_by_test_id("upload-percent")).to_have_text("100 %")
    expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_contain_text("上传完成")
    expect(page.get_by_label("类型")).to_have_value("photo")

    page.get_by_label("制作方法").fill("执法记录仪拍摄")
    page.get_by_label("录制开始时间").fill(recent(hours=2))
    page.get_by_label("制作人").select_option(label="李娜（证号 LC-002）")
    page.get_by_label("证明对象").fill("现场检查时统计台账的存放情况")
    expect(submit).to_be_enabled()
    submit.click()

    expect(page.locator(".messages")).to_contain_text("音像记录已登记：现场照片.jpg")
    expect(page.get_by_role("heading", level=1)).to_have_text(case.case_number)
    recordings = page.get_by_test_id("recordings")
    expect(recordings).to_contain_text("现场照片.jpg")
    expect(recordings).to_contain_text("李娜")
    expect(recordings).to_contain_text("现场检查时统计台账的存放情况")
    recording = Recording.objects.get(case=case)
    assert (recording.kind, recording.maker_name) == ("photo", "李娜")
    assert recording.blob.size == photo.stat().st_size


def test_a_reload_resumes_the_upload(
    live_server: Any, page: Page, transactional_db: None, photo: Path
) -> None:
    """GIVEN an upload in 256 KiB chunks cut off after two chunks WHEN the page is reloaded
    and the same file chosen again THEN it continues the same upload to 100 %."""
    world = build_world()
    case = open_case(world)
    login(page, live_server.url, "zhang")
    url = f"{live_server.url}/uploads/cases/{case.pk}/recordings/new"
    page.goto(url)
    page.locator("#recording-upload").evaluate(f"el => el.dataset.chunkSize = '{CHUNK}'")
    patches: list[str] = []

    def cut_after_two_chunks(route: Route) -> None:
        if route.request.method == "PATCH":
            patches.append(route.request.url)
            if len(patches) > 2:
                route.abort()
                return
        route.continue_()

    page.route("**/uploads/tus/**", cut_after_two_chunks)
    page.locator("#evidence-file").set_input_files(photo)
    wait_for(page, lambda: Upload.objects.filter(offset=2 * CHUNK).exists())
    page.unroute("**/uploads/tus/**")

    page.reload()
    page.locator("#evidence-file").set_input_files(photo)
    expect(page.get_by_test_id("upload-percent")).to_have_text("100 %")
    expect(page.get_by_role("status")).to_contain_text("上传完成")
    upload = Upload.objects.get()
    assert upload.completed_at is not None
    assert upload.length == photo.stat().st_size


def test_a_refused_file_shows_the_reason(
    live_server: Any, page: Page, transactional_db: None, photo: Path
) -> None:
    """tus-js-client hands a 4xx answer to the last PATCH to onError, body included: the page
    shows the server's reason and keeps 提交 disabled."""
    world = build_world()
    case = open_case(world)
    renamed = photo.with_name("询问笔录.jpg")
    renamed.write_bytes(SAMPLES["application/pdf"][1])
    login(page, live_server.url, "zhang")
    page.goto(f"{live_server.url}/uploads/cases/{case.pk}/recordings/new")
    page.locator("#evidence-file").set_input_files(renamed)
    alert = page.locator("#upload-error")
    expect(alert).to_contain_text("文件未被接收")
    expect(alert).to_contain_text("扩展名 .jpg 与文件内容（PDF 文档）不符")
    expect(page.get_by_role("button", name="提交")).to_be_disabled()
    assert Upload.objects.get().metadata["refused"]


def test_a_program_is_refused_in_plain_words_and_the_bar_stops(
    live_server: Any, page: Page, transactional_db: None, photo: Path
) -> None:
    """#16 found on the way 14: an .exe is named as a program, the accepted formats listed,
    and the progress bar does not stand at 100 %."""
    world = build_world()
    case = open_case(world)
    program = photo.with_name("现场照片.exe")
    program.write_bytes(b"MZ" + bytes(4096))
    login(page, live_server.url, "zhang")
    page.goto(f"{live_server.url}/uploads/cases/{case.pk}/recordings/new")
    page.locator("#evidence-file").set_input_files(program)
    alert = page.locator("#upload-error")
    expect(alert).to_contain_text("文件未被接收：这是Windows 程序文件")
    expect(alert).to_contain_text("允许的格式——照片：JPEG")
    expect(alert).not_to_contain_text("文件未被接收：文件：")
    bar = page.locator("#upload-progress")
    expect(bar).to_have_class("failed")
    assert bar.evaluate("b => b.value") == 0
    expect(page.locator("#upload-percent")).to_have_text("未接收")


def recent(*, hours: int) -> str:
    """A datetime-local value ``hours`` ago, in the site's (and the browser's) time zone."""
    return timezone.localtime(clock.now() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def wait_for(page: Page, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Poll through Playwright's clock, so that its event loop runs the route handlers."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def checksum_of(body: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(body).digest()).decode()


def test_the_page_sends_chunks_with_their_sha256(
    live_server: Any, page: Page, transactional_db: None, photo: Path
) -> None:
    """GIVEN 256 KiB chunks WHEN a 2 MiB photo is uploaded THEN every PATCH carries the SHA-256
    of its own bytes (tus checksum extension) and the stored file is the photo."""
    world = build_world()
    case = open_case(world)
    login(page, live_server.url, "zhang")
    page.goto(f"{live_server.url}/uploads/cases/{case.pk}/recordings/new")
    page.locator("#recording-upload").evaluate(f"el => el.dataset.chunkSize = '{CHUNK}'")
    patches: list[tuple[str | None, bytes]] = []

    def record(route: Route) -> None:
        if route.request.method == "PATCH":
            body = route.request.post_data_buffer or b""
            patches.append((route.request.headers.get("upload-checksum"), body))
        route.continue_()

    page.route("**/uploads/tus/**", record)
    page.locator("#evidence-file").set_input_files(photo)
    expect(page.get_by_role("status")).to_contain_text("上传完成")
    size = photo.stat().st_size
    assert [len(body) for _, body in patches] == [CHUNK] * (size // CHUNK)
    assert [header for header, _ in patches] == [checksum_of(body) for _, body in patches]
    upload = Upload.objects.get()
    assert upload.blob_sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()


def test_a_corrupted_chunk_is_refused_and_sent_again(
    live_server: Any, page: Page, transactional_db: None, photo: Path
) -> None:
    """GIVEN the third chunk altered on the way (its checksum kept) WHEN the server answers 460
    THEN the page sends that chunk again and the stored file is the photo, byte for byte."""
    world = build_world()
    case = open_case(world)
    login(page, live_server.url, "zhang")
    page.goto(f"{live_server.url}/uploads/cases/{case.pk}/recordings/new")
    page.locator("#recording-upload").evaluate(f"el => el.dataset.chunkSize = '{CHUNK}'")
    answers: list[int] = []

    def corrupt_the_third(route: Route) -> None:
        if route.request.method != "PATCH":
            route.continue_()
            return
        body = route.request.post_data_buffer or b""
        if len(answers) == 2:
            body = body[:-1] + bytes([body[-1] ^ 0xFF])
        response = route.fetch(post_data=body)
        answers.append(response.status)
        route.fulfill(response=response)

    page.route("**/uploads/tus/**", corrupt_the_third)
    page.locator("#evidence-file").set_input_files(photo)
    expect(page.get_by_role("status")).to_contain_text("上传完成")
    assert answers[2] == 460
    assert answers.count(204) == photo.stat().st_size // CHUNK
    upload = Upload.objects.get()
    assert upload.blob_sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
