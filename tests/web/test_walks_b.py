"""In Debian's Chromium, pages only: more paths of a case of the demo agency from login to
已结案 (#16): the decision posted and returned, then served by public notice; the emergency
start; no penalty and withdrawal; the transfer of a suspected crime.

Each walk logs in as the demo agency's people, does every step through the pages, moves only the
clock (`WalkClock`), ends with the case at 已结案, opens the PDF of every final document and
finds its 文号 there, and looks at its field pages at a 390 px phone width.
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

from casetrail.cases.documents import Service
from casetrail.cases.models import Case
from tests.documents.conftest import pdf_tools as pdf_tools  # the fixture, shared
from tests.evidence.test_upload_page import jpeg
from tests.procedure_world import SIGNATURE_PNG
from tests.web.walk_browser import SHANGHAI, WalkClock
from tests.web.walks_b import WalkB

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
) -> Iterator[WalkB]:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_PUBLIC_URL = live_server.url
    walk_clock = WalkClock(monkeypatch, START)
    call_command("demo", stdout=io.StringIO())
    shots = tmp_path / "screenshots"
    shots.mkdir()
    walk = WalkB(browser, live_server.url, walk_clock, shots)
    yield walk
    walk.close_pages()


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    scan = tmp_path / "签收页.png"
    scan.write_bytes(SIGNATURE_PNG)
    return scan


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg(256 * 1024))
    return photo


def investigated(walk: WalkB, photo: Path) -> None:
    """Opened ex officio, approved, investigated, the investigation ended (08–12-08)."""
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


def investigated_proposing(walk: WalkB, photo: Path, proposal: str) -> None:
    """Opened, approved, investigated; the investigation ends proposing *proposal*."""
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
    walk.end_investigation_proposing(
        proposal,
        "当事人2025年度统计年报从业人员期末人数报送不实",
        "《统计法》第七条、第四十一条",
    )


@pytest.mark.usefixtures("pdf_tools")
def test_decision_posted_returned_then_public_notice(
    walk: WalkB, tmp_path: Path, scan: Path, photo: Path
) -> None:
    """The decision is sent by EMS and the letter comes back (未能送达, with the reason); the
    送达公告 is issued and posted with a photo; the page says it counts as served 30 days after
    publication; after that day the payment is recorded and the case closes."""
    clock = walk.clock
    investigated(walk, photo)
    clock.at(date(2026, 12, 9), 9)
    walk.prior_notice_served(scan)
    clock.advance(hours=1)
    walk.waiver()
    clock.at(date(2026, 12, 10), 10)
    walk.decision_issued()

    clock.at(date(2026, 12, 10), 16)
    walk.posted_and_returned("行政处罚决定书", scan)
    walk.check_phone(
        "zhangwei",
        [f"/cases/{walk.case_id}/documents/{walk.finals['行政处罚决定书'][0]}/"],
        "postal",
    )

    clock.at(date(2026, 12, 15), 9)
    walk.public_notice_issued("行政处罚决定书")
    posting = tmp_path / "张贴公告.jpg"
    posting.write_bytes(jpeg(200 * 1024))
    clock.at(date(2026, 12, 15), 11)
    walk.upload_recording(posting, "送达公告在当事人住所地张贴的情况", minutes_ago=40)
    row = walk.served_by_public_notice("行政处罚决定书", posting.name)
    assert "2027-01-14" in row, row  # 2026-12-15 + 30 days (民事诉讼法 第九十五条)
    walk.public_notice_record("栾川县统计局公告栏；当事人住所地门口", posting.name)
    walk.check_phone(
        "zhangwei",
        [f"/cases/{walk.case_id}/", f"/cases/{walk.case_id}/performance/"],
        "public-notice",
    )
    service = Service.objects.get(method="public_notice")
    assert service.served_on == date(2027, 1, 14)

    clock.at(date(2027, 1, 20), 10)
    walk.payment_recorded()
    clock.advance(hours=1)
    walk.closing_report(
        performance="公告送达期满后，当事人已于期限内全额缴纳罚款",
    )
    walk.close_case()

    assert Case.objects.get(pk=walk.case_id).stage == "closed"
    walk.check_pdfs()


@pytest.mark.usefixtures("pdf_tools")
def test_emergency_start_with_the_filing_backfilled(walk: WalkB, scan: Path, photo: Path) -> None:
    """情况紧急: the handler opens the case straight into 调查取证, takes the photo and the
    inquiry that same morning (on a phone for the field steps), the reviewer and the head sign
    the filing approval the next working day (栾川县制度第六条: within 2 working days), and the
    case goes on to the decision, the payment and 已结案."""
    clock = walk.clock
    clock.at(date(2026, 12, 11), 8, 40)  # a Friday
    walk.open_emergency_case("当事人正在销毁原始统计台账，不立即调查证据将灭失")
    clock.at(date(2026, 12, 11), 9, 30)
    walk.upload_evidence(photo)
    clock.at(date(2026, 12, 11), 11, 30)
    walk.inquiry()
    walk.check_phone(
        "zhangwei",
        [f"/cases/{walk.case_id}/", f"/uploads/cases/{walk.case_id}/recordings/new"],
        "emergency-field",
    )
    clock.at(date(2026, 12, 14), 9)  # Monday, the first working day after
    walk.backfill_filing()
    clock.at(date(2026, 12, 14), 15)
    walk.end_investigation()
    clock.at(date(2026, 12, 15), 9)
    walk.prior_notice_served(scan)
    clock.advance(hours=1)
    walk.waiver()
    clock.at(date(2026, 12, 16), 10)
    walk.decision_served(scan)
    clock.at(date(2026, 12, 21), 10)
    walk.payment_recorded()
    clock.advance(hours=1)
    walk.closing_report()
    walk.close_case()

    case = Case.objects.get(pk=walk.case_id)
    assert (case.stage, case.start_type) == ("closed", "emergency")
    walk.check_pdfs()
    walk.check_phone("zhangwei", [f"/cases/{walk.case_id}/"], "emergency-closed")


@pytest.mark.usefixtures("pdf_tools")
def test_no_penalty_decision_to_closed(walk: WalkB, scan: Path, photo: Path) -> None:
    """First violation, corrected: the investigation proposes 不予行政处罚, the approval form
    says so, the head signs the 不予行政处罚决定书 from the inbox, it is served, and the 结案审批表
    states 不予行政处罚 → 已结案."""
    clock = walk.clock
    investigated_proposing(walk, photo, "不予行政处罚")
    clock.at(date(2026, 12, 9), 10)
    walk.no_penalty_decision_served(scan)
    walk.check_phone(
        "zhangwei",
        [f"/cases/{walk.case_id}/documents/{walk.finals['不予行政处罚决定书'][0]}/"],
        "no-penalty",
    )
    clock.advance(hours=2)
    number = walk.finals["不予行政处罚决定书"][1]
    walk.closing_report_for(
        "不予行政处罚",
        f"{number} 不予行政处罚决定书",
        "立案调查，当事人初次违法且及时改正，经审批作出不予行政处罚决定并已送达",
    )
    walk.close_from_case_page("履行与执行", f"{number}：不予行政处罚，2026-12-09送达")

    assert Case.objects.get(pk=walk.case_id).stage == "closed"
    walk.check_pdfs()


@pytest.mark.usefixtures("pdf_tools")
def test_case_withdrawn_during_investigation(walk: WalkB, photo: Path) -> None:
    """The facts do not stand: in 调查取证 the handlers write the 撤案审批表, the reviewer and the
    head sign it from their inbox; the case page then offers 结案, the 结案审批表 says 撤销案件,
    and the case closes from 调查取证 (no decision, nothing to serve)."""
    clock = walk.clock
    clock.at(date(2026, 12, 8), 9)
    walk.open_ex_officio_case()
    clock.advance(minutes=20)
    walk.approve_filing()
    clock.at(date(2026, 12, 8), 10)
    walk.upload_evidence(photo)
    clock.at(date(2026, 12, 8), 11, 30)
    walk.inquiry()
    walk.check_phone("zhangwei", [f"/cases/{walk.case_id}/"], "withdrawal-field")

    clock.at(date(2026, 12, 10), 9)
    label = walk.withdrawal_approved()
    page = walk.open_case_page("zhangwei")
    walk.shot(page, "withdrawn-case-page")
    clock.advance(hours=1)
    walk.closing_report_for(
        "撤销案件", label, "立案调查后查明违法事实不能成立，经负责人批准撤销案件"
    )
    walk.close_from_case_page("结案", "经批准撤销案件（违法事实不能成立）")

    assert Case.objects.get(pk=walk.case_id).stage == "closed"
    walk.check_pdfs()
    walk.check_phone("zhangwei", [f"/cases/{walk.case_id}/"], "withdrawn-closed")


@pytest.mark.usefixtures("pdf_tools")
def test_suspected_crime_transferred(walk: WalkB, photo: Path) -> None:
    """A suspected crime: the investigation proposes 移送司法机关, the head signs the 涉嫌犯罪案件
    移送书 from the inbox, it is numbered (移字), and the case closes from 审查决定 with the
    结案审批表 stating 移送司法机关 — no penalty replaces the transfer."""
    clock = walk.clock
    investigated_proposing(walk, photo, "移送司法机关")
    clock.at(date(2026, 12, 9), 10)
    walk.transfer_letter()
    walk.check_phone(
        "zhangwei",
        [f"/cases/{walk.case_id}/", f"/cases/{walk.case_id}/performance/"],
        "transfer",
    )
    clock.advance(hours=2)
    number = walk.finals["涉嫌犯罪案件移送书"][1]
    assert "移字" in number, number
    walk.closing_report_for(
        "移送司法机关",
        f"{number} 涉嫌犯罪案件移送书",
        "立案调查发现当事人涉嫌犯罪，经负责人批准移送栾川县公安局",
    )
    walk.close_from_case_page("结案", f"{number}：已移送栾川县公安局")

    assert Case.objects.get(pk=walk.case_id).stage == "closed"
    walk.check_pdfs()
