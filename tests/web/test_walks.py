"""In Debian's Chromium, pages only: an ordinary case of the demo agency from login to 已结案,
the fine paid on time (#16, the first walk).

GIVEN `casetrail demo` (栾川县统计局 and its people) WHEN the handler opens a case, the reviewer
and the head approve it from their inbox, the handlers upload a photo, write and sign an
inquiry, end the investigation, serve the 事先告知书, take the waiver, have the decision
approved, signed and served, record the payment and the 结案审批表 THEN the case reads 已结案,
every final document's PDF carries its 文号, and the field pages fit a 390 px phone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser
from pytest_django import Settings

from casetrail.cases.models import Case
from tests.documents.conftest import pdf_tools as pdf_tools  # the fixture, shared
from tests.evidence.test_upload_page import jpeg
from tests.procedure_world import SIGNATURE_PNG
from tests.web.walk_browser import SHANGHAI, Walk, WalkClock

pytestmark = pytest.mark.browser

START = datetime(2026, 12, 8, 8, 30, tzinfo=SHANGHAI)  # a Tuesday


@pytest.fixture
def walk(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Walk]:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_PUBLIC_URL = live_server.url
    walk_clock = WalkClock(monkeypatch, START)
    call_command("demo", stdout=io.StringIO())
    shots = tmp_path / "screenshots"
    shots.mkdir()
    walk = Walk(browser, live_server.url, walk_clock, shots)
    yield walk
    walk.close_pages()


@pytest.mark.usefixtures("pdf_tools")
def test_ordinary_case_fine_paid_on_time(walk: Walk, tmp_path: Path) -> None:
    scan = tmp_path / "签收页.png"
    scan.write_bytes(SIGNATURE_PNG)
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg(256 * 1024))
    clock = walk.clock

    clock.at(date(2026, 12, 8), 9)
    walk.open_ex_officio_case()
    clock.advance(minutes=20)
    walk.approve_filing()

    clock.at(date(2026, 12, 8), 10)
    walk.upload_evidence(photo)
    clock.at(date(2026, 12, 8), 11, 30)
    walk.inquiry()
    walk.check_phone(
        "zhangwei",
        [f"/cases/{walk.case_id}/", f"/uploads/cases/{walk.case_id}/recordings/new"],
        "investigation",
    )
    clock.at(date(2026, 12, 8), 15)
    walk.end_investigation()

    clock.at(date(2026, 12, 9), 9)
    walk.prior_notice_served(scan)
    clock.advance(hours=1)
    walk.waiver()

    clock.at(date(2026, 12, 10), 10)
    walk.decision_served(scan)

    clock.at(date(2026, 12, 15), 10)
    walk.payment_recorded()
    clock.advance(hours=1)
    walk.closing_report()
    walk.close_case()

    assert Case.objects.get(pk=walk.case_id).stage == "closed"
    walk.check_pdfs()
    walk.check_phone(
        "zhangwei",
        [f"/cases/{walk.case_id}/", f"/cases/{walk.case_id}/performance/"],
        "closed",
    )


@pytest.mark.usefixtures("pdf_tools")
def test_ordinary_case_not_paid_enforced_by_the_court(walk: Walk, tmp_path: Path) -> None:
    """The fine is not paid: 催告书 after the payment period, served directly; after 10 working
    days and the lawsuit period the 行政强制执行申请书 (signed by the head from the inbox), the
    court's ruling and its execution recorded, the 结案审批表 says 经人民法院强制执行 → 已结案."""
    scan = tmp_path / "签收页.png"
    scan.write_bytes(SIGNATURE_PNG)
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg(256 * 1024))
    clock = walk.clock

    clock.at(date(2026, 12, 8), 9)
    walk.open_ex_officio_case()
    clock.advance(minutes=20)
    walk.approve_filing()
    clock.at(date(2026, 12, 8), 10)
    walk.upload_evidence(photo)
    clock.at(date(2026, 12, 8), 11, 30)
    walk.inquiry()
    clock.at(date(2026, 12, 8), 15)
    walk.end_investigation()
    clock.at(date(2026, 12, 9), 9)
    walk.prior_notice_served(scan)
    clock.advance(hours=1)
    walk.waiver()
    clock.at(date(2026, 12, 10), 10)
    walk.decision_served(scan)

    clock.at(date(2026, 12, 28), 10)  # the 15 days ran unpaid
    walk.demand_served(scan)
    clock.at(date(2027, 6, 21), 10)  # demand + 10 working days, lawsuit period over
    walk.court_application()
    clock.at(date(2027, 7, 1), 10)
    walk.court_result()
    clock.advance(hours=1)
    walk.closing_report("经人民法院强制执行", "经栾川县人民法院裁定准予执行，罚款已扣划到位")
    walk.close_case()

    assert Case.objects.get(pk=walk.case_id).stage == "closed"
    walk.check_pdfs()
    walk.check_phone("zhangwei", [f"/cases/{walk.case_id}/performance/"], "court")
