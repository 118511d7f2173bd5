"""In Debian's Chromium: a final document left at the address (留置送达).

GIVEN a filed case of 栾川县统计局 with a final 统计执法检查通知书 and a video of the service
registered through the real action, WHEN 张伟 records a 留置送达 in the browser with the refusal
reason and the scanned receipt but neither witness nor recording, THEN the page refuses it next
to the witness field (民事诉讼法 第89条; Seed B art. 20) and writes nothing; WHEN he adds the
witness and picks the recording, THEN the service is recorded and listed as served with the
receipt's SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.documents import Service
from tests.evidence.av import register, store_bytes, unique_mp4
from tests.personas import build_world
from tests.procedure_world import SIGNATURE_PNG, filed_case, issue
from tests.web.procedure_browser import People, labelled, open_document
from tests.web.service_browser import (
    choose_method,
    fill_service,
    record_service,
    refused_next_to,
    service_form,
)

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-11-24"  # a Tuesday; the holiday schedule of 2026 is known
WITNESS = "见证人姓名（在送达回证上签名的基层组织或单位代表）"
RECORDING = "音像记录（留置过程或张贴公告的录像、照片）"
RECEIPT = "注明拒收事由、日期的送达回证（扫描件）"


@pytest.fixture
def people(browser: Browser, live_server: Any) -> Iterator[People]:
    people = People(browser, live_server.url)
    yield people
    people.close()


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"{DAY}T{hour:02d}:{minute:02d}").replace(tzinfo=SHANGHAI)


def test_left_at_address_in_the_browser(
    live_server: Any,
    people: People,
    transactional_db: None,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    monkeypatch.setattr(clock, "now", lambda: at(9).astimezone(UTC))
    world = build_world()
    case = filed_case(world)
    notice = issue(
        world,
        case,
        "inspection_notice",
        {
            "unit": "某某矿业有限公司",
            "legal_basis": "《统计法》第三十八条",
            "period_content": "2025年度统计报表",
            "materials": "统计台账",
            "officers": [world.zhang.pk, world.li.pk],
            "inspection_on": "2026-11-26",
            "contact": "张伟",
        },
    )
    monkeypatch.setattr(clock, "now", lambda: at(15).astimezone(UTC))
    recording = register(
        world,
        case,
        store_bytes(unique_mp4("left-at-address"), "留置送达过程.mp4"),
        recorded_start_at=at(14),
        recorded_end_at=at(14, 10),
        proves="留置送达过程：当事人拒收，居委会陈某在场见证",
    )
    receipt = tmp_path / "送达回证.png"
    receipt.write_bytes(SIGNATURE_PNG)
    zhang = people["zhang"]
    open_document(zhang, live_server.url, case.pk, notice.pk)
    form = service_form(zhang)

    # Direct service is the default: the 留置 inputs stay hidden until the method is chosen
    expect(form.get_by_label(labelled(WITNESS))).to_be_hidden()
    choose_method(zhang, "留置送达")
    expect(form.get_by_label(labelled(WITNESS))).to_be_visible()
    expect(form.get_by_label(labelled("签收人"))).to_be_hidden()
    expect(form.get_by_label("未能送达", exact=False)).to_be_disabled()  # 民事诉讼法 第89条

    # Neither witness nor recording: refused next to the witness field, nothing written
    fill_service(
        zhang,
        texts={"拒收事由": "当事人法定代表人刘某拒绝签收，称对检查有异议"},
        files={RECEIPT: receipt},
    )
    record_service(zhang)
    refused_next_to(zhang, "witness_name", "留置送达：须有见证人签名，或者以音像记录留置过程")
    refused_next_to(zhang, "witness_name", "第八十九条")
    assert not Service.objects.exists()
    zhang.screenshot(path=str(tmp_path / "service-refused.png"), full_page=True)

    # With the witness and the video of the service, and the receipt chosen again
    expect(form.get_by_label(labelled("送达方式"))).to_have_value("left_at_address")
    fill_service(
        zhang,
        texts={WITNESS: "居委会 陈某"},
        selects={RECORDING: "留置送达过程.mp4"},
        files={RECEIPT: receipt},
    )
    record_service(zhang)
    expect(zhang.locator(".messages")).to_contain_text("送达已记录")
    row = zhang.get_by_test_id("services").locator('tr[data-method="left_at_address"]')
    expect(row).to_have_attribute("data-outcome", "served")
    expect(row).to_contain_text("留置送达")
    expect(row).to_contain_text("已送达")
    expect(row).to_contain_text(DAY)
    expect(row).to_contain_text("见证人 居委会 陈某")
    expect(row).to_contain_text("音像记录 留置送达过程.mp4")
    digest = hashlib.sha256(SIGNATURE_PNG).hexdigest()
    expect(row.locator(f'code[data-sha256="{digest}"]')).to_be_visible()
    zhang.screenshot(path=str(tmp_path / "service-recorded.png"), full_page=True)

    service = Service.objects.get()
    assert (service.method, service.served_on.isoformat() if service.served_on else "") == (
        "left_at_address",
        DAY,
    )
    assert service.details["recording"] == recording.pk
    assert service.details["witness_name"] == "居委会 陈某"
    assert service.details["receipt"] == digest
