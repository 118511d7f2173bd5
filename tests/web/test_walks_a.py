"""In Debian's Chromium, pages only: four more paths of a case of the demo agency from login to
已结案 (#16) — a hearing, a statement and defence with 复核, the summary procedure, and an order
to correct with its follow-up check. The clock is the only thing moved outside the pages.

Every final document's PDF is opened and checked for its 文号; each walk's field pages are
looked at on a 390 px phone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, expect
from pytest_django import Settings

from casetrail.cases.models import Case
from tests.documents.conftest import pdf_tools as pdf_tools  # the fixture, shared
from tests.evidence.test_upload_page import jpeg
from tests.procedure_world import SIGNATURE_PNG
from tests.web.walk_browser import HANDLER, SHANGHAI, WalkClock
from tests.web.walks_a import Penalty, WalkA

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
) -> Iterator[WalkA]:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_PUBLIC_URL = live_server.url
    walk_clock = WalkClock(monkeypatch, START)
    call_command("demo", stdout=io.StringIO())
    shots = tmp_path / "screenshots"
    shots.mkdir()
    walk = WalkA(browser, live_server.url, walk_clock, shots)
    yield walk
    walk.close_pages()


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    path = tmp_path / "签收页.png"
    path.write_bytes(SIGNATURE_PNG)
    return path


def investigated(walk: WalkA, tmp_path: Path, penalty: Penalty) -> None:
    """Opened, approved, a photo and an inquiry recorded, the investigation ended (Dec 8)."""
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
    walk.end_investigation_proposing(penalty)


def closed(walk: WalkA, phone_paths: list[str], name: str) -> None:
    assert Case.objects.get(pk=walk.case_id).stage == "closed"
    walk.check_pdfs()
    walk.check_phone(HANDLER, phone_paths, name)


@pytest.mark.usefixtures("pdf_tools")
def test_ordinary_case_with_a_hearing(walk: WalkA, tmp_path: Path, scan: Path) -> None:
    """GIVEN a notice of a 60,000 yuan fine (above the 50,000 hearing threshold of an
    organisation) WHEN the party asks for a hearing within 5 working days, the 听证通知书 names
    a chair who did not investigate and is served 7 working days ahead, the hearing is held and
    the party refuses to sign the 听证笔录 (the chair notes it), the legal review passes, the
    decision cites the transcript, is served and the fine paid THEN the case reads 已结案."""
    fine = Penalty("警告并处罚款", "60000")
    investigated(walk, tmp_path, fine)
    clock = walk.clock
    walk.summary = "立案调查，事先告知后当事人要求听证，经听证和法制审核作出警告并处罚款的决定"

    clock.at(date(2026, 12, 9), 9)
    walk.notice_served(scan, fine, hearing=True)
    clock.at(date(2026, 12, 14), 10)  # 3 working days later: inside the 5
    walk.hearing_requested(scan)
    clock.at(date(2026, 12, 15), 9)
    walk.hearing_noticed(scan, date(2026, 12, 24))  # served Dec 15, 7 working days before
    walk.check_phone(HANDLER, [f"/cases/{walk.case_id}/"], "hearing-noticed")

    clock.at(date(2026, 12, 24), 11, 30)
    walk.hearing_held(party_signs=False)
    walk.check_phone(
        HANDLER,
        [f"/cases/{walk.case_id}/documents/{walk.finals['听证笔录'][0]}/"],
        "hearing-record",
    )
    clock.advance(hours=2)
    walk.hearing_reported()
    clock.at(date(2026, 12, 25), 9)
    walk.legal_review()
    clock.advance(hours=1)
    walk.decided_and_served(scan, fine, heard=True)

    clock.at(date(2026, 12, 30), 10)
    walk.payment_recorded("60000")
    clock.advance(hours=1)
    walk.closing_approved("行政处罚决定书", "当事人已按期全额缴纳罚款60000元")
    walk.close_case()
    closed(walk, [f"/cases/{walk.case_id}/", f"/cases/{walk.case_id}/performance/"], "hearing")


@pytest.mark.usefixtures("pdf_tools")
def test_statement_and_defence_re_examined_lighter_penalty(
    walk: WalkA, tmp_path: Path, scan: Path
) -> None:
    """GIVEN a notice of a 5,000 yuan fine WHEN the party states its defence (陈述申辩笔录,
    signed by both officers and the representative on the pad), the handlers re-examine it
    (复核意见: 部分成立) and the decision, after the statement period, imposes a lighter 3,000
    yuan fine THEN the decision is served, the fine paid and the case reads 已结案."""
    announced, decided = Penalty("警告并处罚款", "5000"), Penalty("警告并处罚款", "3000")
    investigated(walk, tmp_path, announced)
    clock = walk.clock
    walk.summary = "立案调查，事先告知后当事人陈述申辩，经复核部分采纳，从轻作出处罚决定"

    clock.at(date(2026, 12, 9), 9)
    walk.notice_served(scan, announced)
    clock.at(date(2026, 12, 10), 15)
    walk.statement_heard()
    walk.check_phone(
        HANDLER, [f"/cases/{walk.case_id}/documents/new/statement_transcript/"], "statement"
    )
    clock.at(date(2026, 12, 11), 10)
    walk.re_examined()
    clock.at(date(2026, 12, 15), 10)  # the 3 working days from Dec 9 ran on Dec 14
    walk.decided_and_served(scan, decided)

    clock.at(date(2026, 12, 21), 10)
    walk.payment_recorded("3000")
    clock.advance(hours=1)
    walk.closing_approved("行政处罚决定书", "当事人已按期全额缴纳罚款3000元")
    walk.close_case()
    closed(walk, [f"/cases/{walk.case_id}/"], "statement")


@pytest.mark.usefixtures("pdf_tools")
def test_summary_procedure_on_the_spot(walk: WalkA, scan: Path) -> None:
    """GIVEN a late report, clear facts and a 1,000 yuan fine for an organisation (within the
    3,000 yuan cap of 第51条) WHEN the officers open a summary case, fill the pre-numbered
    当场行政处罚决定书, both sign, the representative signs on the pad and gets it on the spot,
    the head signs the 备案 within 2 working days, the fine is paid and the 结案审批表 signed
    THEN the case reads 已结案."""
    clock = walk.clock
    walk.summary = "简易程序当场处罚，罚款1000元，已报本机关备案"
    clock.at(date(2026, 12, 8), 10)
    walk.open_summary_case()
    clock.advance(minutes=30)
    walk.decided_on_the_spot(scan, "豫统当罚No.4103240128", "1000")
    walk.check_phone(
        HANDLER,
        [
            f"/cases/{walk.case_id}/",
            f"/cases/{walk.case_id}/documents/{walk.finals['当场行政处罚决定书'][0]}/",
            f"/cases/{walk.case_id}/documents/new/summary_decision/",
        ],
        "summary",
    )
    clock.at(date(2026, 12, 9), 16)  # 备案 the next working day (within 2)
    walk.summary_filed()

    clock.at(date(2026, 12, 15), 10)
    walk.paid("当场行政处罚决定书", "1000")
    page = walk.open_case_page(HANDLER)
    page.get_by_role("link", name="履行与执行").click()  # the on-the-spot decision and its fine
    expect(page.get_by_test_id("decision")).to_contain_text("当场行政处罚决定书")
    expect(page.get_by_test_id("decision-served")).to_have_text("2026-12-08")
    expect(page.get_by_test_id("fine-due")).to_contain_text("2026-12-23")
    expect(page.get_by_test_id("decision")).to_contain_text("已缴纳")
    clock.advance(hours=1)
    walk.closing_approved("当场行政处罚决定书", "当事人已按期全额缴纳罚款1000元")
    walk.close_case()
    closed(walk, [f"/cases/{walk.case_id}/performance/"], "summary-closed")
    on_the_spot = walk.pdf_text(walk.finals["当场行政处罚决定书"][0])
    assert "豫统当罚No.4103240128" in on_the_spot  # the pre-printed form's number


@pytest.mark.usefixtures("pdf_tools")
def test_order_to_correct_checked_before_closing(walk: WalkA, tmp_path: Path, scan: Path) -> None:
    """GIVEN a warning decided after the waiver WHEN a 责令（限期）改正通知书 is served with a
    deadline THEN 结案 is refused until the follow-up check (改正情况核查记录) is recorded; after
    it the case reads 已结案."""
    warning = Penalty("警告")
    investigated(walk, tmp_path, warning)
    clock = walk.clock
    walk.summary = "立案调查，当事人放弃陈述申辩，给予警告，责令限期改正，经复查已改正"

    clock.at(date(2026, 12, 9), 9)
    walk.notice_served(scan, warning)
    clock.advance(hours=1)
    walk.waiver()
    clock.at(date(2026, 12, 10), 10)
    walk.decided_and_served(scan, warning, performance="本决定书送达之日起生效，无须缴纳")
    clock.advance(hours=1)
    walk.correction_ordered(scan, date(2026, 12, 24))

    page = walk.open_case_page(HANDLER)
    page.get_by_role("link", name="履行与执行").click()
    expect(page.get_by_test_id("closing-problems")).to_contain_text("尚无改正情况核查记录")
    expect(page.get_by_test_id("no-demand")).to_have_text("本决定未处罚款，无须催告。")
    walk.shot(page, "correction-pending")

    clock.at(date(2026, 12, 28), 10)
    walk.correction_checked()
    walk.check_phone(HANDLER, [f"/cases/{walk.case_id}/"], "correction-checked")
    clock.advance(hours=1)
    walk.closing_approved("行政处罚决定书", "警告已执行；责令改正事项经复查已改正")
    walk.close_case()
    closed(walk, [f"/cases/{walk.case_id}/performance/"], "correction")
