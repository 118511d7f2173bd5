"""Browser helpers for the service form (送达): choose the method, fill its inputs by their
Chinese labels, attach the scans, and record or check."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.web.procedure_browser import labelled


def service_form(page: Page) -> Locator:
    return page.get_by_test_id("service-form")


def choose_method(page: Page, method: str) -> None:
    """Pick the method by its name (留置送达 …); the page shows that method's inputs only."""
    service_form(page).get_by_label(labelled("送达方式")).select_option(label=method)


def fill_service(
    page: Page,
    texts: Mapping[str, str] | None = None,
    selects: Mapping[str, str] | None = None,
    files: Mapping[str, Path] | None = None,
) -> None:
    """Text inputs by label; selects by the start of an option's text; files by label."""
    form = service_form(page)
    for label, value in (texts or {}).items():
        form.get_by_label(labelled(label)).fill(value)
    for label, start in (selects or {}).items():
        select = form.get_by_label(labelled(label))
        options = select.locator("option").all_inner_texts()
        matching = [text for text in options if text.startswith(start)]
        assert len(matching) == 1, (start, options)
        select.select_option(label=matching[0])
    for label, path in (files or {}).items():
        form.get_by_label(labelled(label)).set_input_files(str(path))


def record_service(page: Page) -> None:
    service_form(page).get_by_role("button", name="记录送达").click()


def refused_next_to(page: Page, field: str, message: str) -> None:
    expect(service_form(page).locator(f'[data-field="{field}"]')).to_contain_text(message)
