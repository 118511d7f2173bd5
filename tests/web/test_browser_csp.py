"""In Debian's Chromium: the main pages load under the Content-Security-Policy without a single
violation (no inline script or style, nothing from elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Page
from pytest_django import Settings

from tests.personas import build_world
from tests.procedure_world import create, filed_case, inquiry_fields
from tests.web.test_browser import login

pytestmark = pytest.mark.browser


@pytest.fixture
def watched_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page and the list of CSP violations Chromium reports on its console."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    yield page, violations
    context.close()


def test_the_main_pages_load_without_a_csp_violation(
    live_server: Any,
    watched_page: tuple[Page, list[str]],
    transactional_db: None,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    page, violations = watched_page
    world = build_world()
    case = filed_case(world)
    document = create(world, case, "inquiry_transcript", inquiry_fields(world))
    paths = [
        reverse("case-list"),
        reverse("case-open"),
        reverse("case-detail", args=[case.pk]),
        reverse("document-new", args=[case.pk]),
        reverse("document-create", args=[case.pk, "inquiry_transcript"]),
        reverse("document-detail", args=[case.pk, document.pk]),
        reverse("recording-new", args=[case.pk]),
        reverse("deadline-list"),
        reverse("agency-detail", args=[world.lc.pk]),
    ]
    login(page, live_server.url, "zhang")  # the login page itself is loaded here
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.ok, f"{path}: {response.status}"
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    for path in (reverse("verify-lookup"), "/v/ZZZZ-ZZZZ-ZZZZ"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        # The public page's styles come from its stylesheet, not an inline block.
        assert page.locator("main").evaluate("e => getComputedStyle(e).maxWidth") != "none"
    assert violations == []
