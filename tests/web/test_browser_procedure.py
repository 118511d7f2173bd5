"""In Debian's Chromium: the investigation and decision of a case, page by page.

GIVEN a filed case of 栾川县统计局 WHEN its handlers, the reviewer and the head do every act of
the investigation and the decision in the browser — an inquiry signed by both officers and on
screen by the interviewee, the closing report approved from the inbox, the prior notice issued,
served and waived, a legal review, the decision approval and the decision signed by the head —
THEN the case reaches 送达执行 and each refused step showed its rule next to the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django import Settings

from casetrail import clock
from casetrail.cases.documents import Document, Signature
from casetrail.cases.models import Case
from tests.personas import build_world
from tests.procedure_world import SIGNATURE_PNG, filed_case
from tests.web.procedure_browser import (
    People,
    Value,
    approve_in_inbox,
    fill_document,
    finalise,
    logout,
    new_document,
    open_document,
    propose,
    save_draft,
    sign_by_login,
    sign_on_screen,
)
from tests.web.test_browser import login

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-11-24"  # a Tuesday; the holiday schedule of 2026 is known
REMEDY = "如不服本决定，可在收到本决定书之日起60日内申请行政复议，或者6个月内向人民法院提起行政诉讼"


@pytest.fixture
def people(browser: Browser, live_server: Any) -> Iterator[People]:
    people = People(browser, live_server.url)
    yield people
    people.close()


def at(hour: int) -> datetime:
    return datetime.fromisoformat(f"{DAY}T{hour:02d}:00").replace(tzinfo=SHANGHAI)


def test_investigation_and_decision_in_the_browser(
    live_server: Any,
    people: People,
    transactional_db: None,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    scan = tmp_path / "签收页.png"
    scan.write_bytes(SIGNATURE_PNG)
    monkeypatch.setattr(clock, "now", lambda: at(9).astimezone(UTC))
    world = build_world()
    case = filed_case(world)  # 立案 at 09:00: handler → reviewer → head
    monkeypatch.setattr(clock, "now", lambda: at(15).astimezone(UTC))
    url = live_server.url
    zhang = people["zhang"]

    # --- 询问笔录: the generated form refuses one officer (rule 1), then saves --------------
    new_document(zhang, url, case.pk, "询问（调查）笔录")
    inquiry: dict[str, Value] = {
        "询问开始时间": f"{DAY}T10:00",
        "询问结束时间": f"{DAY}T11:00",
        "询问地点": "栾川县统计局询问室",
        "询问人（执法人员）": ["张伟"],
        "记录人": "李娜（证号 LC-002）",
        "被询问人姓名": "刘某",
        "被询问人性别": "男",
        "被询问人身份证件号码": "410324198503121235",
        "执法人员已表明身份、出示执法证件": True,
        "被询问人确认已看清执法证件": True,
        "已告知陈述申辩权和申请回避权": True,
        "问答记录": "问：你单位2025年统计报表由谁填报？\n答：由我本人填报。",
    }
    fill_document(zhang, inquiry)
    zhang.get_by_role("button", name="保存草稿").click()
    expect(zhang.locator('[data-field="officers"]')).to_contain_text("执法人员不得少于2人")
    expect(zhang.locator('[data-field="officers"]')).to_contain_text("第四十二条")
    assert not Document.objects.exists()
    fill_document(zhang, {"询问人（执法人员）": ["张伟", "李娜"]})
    inquiry_id = save_draft(zhang)
    expect(zhang.get_by_test_id("document-fields")).to_contain_text("2026-11-24 10:00")
    zhang.screenshot(path=str(tmp_path / "inquiry-draft.png"), full_page=True)

    # 张伟 signs by login, 刘某 on the signature pad; finalising before 李娜 signs is refused
    sign_by_login(zhang)
    sign_on_screen(zhang, "interviewee")
    signature = Signature.objects.get(signer="interviewee")
    assert signature.method == "screen"
    assert signature.image is not None
    assert signature.image.media_type == "image/png"
    zhang.get_by_test_id("finalise").get_by_role("button", name="定稿").click()
    expect(zhang.get_by_test_id("finalise-refusal")).to_contain_text("记录人")
    expect(zhang.get_by_test_id("finalise-refusal")).to_contain_text("栾川县制度第九条")
    zhang.screenshot(path=str(tmp_path / "inquiry.png"), full_page=True)

    logout(zhang)
    login(zhang, url, "li")
    open_document(zhang, url, case.pk, inquiry_id)
    sign_by_login(zhang, times=2)  # 询问人 and 记录人
    logout(zhang)
    login(zhang, url, "zhang")
    open_document(zhang, url, case.pk, inquiry_id)
    expect(zhang.locator('[data-signer="interviewee"]')).to_contain_text("已签名")
    finalise(zhang)

    # --- 调查终结报告, proposed; reviewer and head approve from 审批待办 ---------------------
    li = people["li"]
    report_id = _investigation_report(zhang, li, url, case.pk)
    open_document(zhang, url, case.pk, report_id)
    propose(zhang, "调查终结，事实清楚，提请审批")
    people["reviewer"].get_by_role("link", name="审批待办").click()
    people["reviewer"].screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
    approve_in_inbox(people["reviewer"], case.case_number, "调查终结审批", "同意终结调查")
    approve_in_inbox(people["head"], case.case_number, "调查终结审批", "同意")
    zhang.goto(f"{url}/cases/{case.pk}/")
    expect(zhang.get_by_test_id("gate-problems")).to_contain_text("无")
    zhang.get_by_role("button", name="终结调查").click()
    expect(zhang.locator(".messages")).to_contain_text("调查已终结")
    expect(zhang.locator(".toolbar .stage")).to_have_text("审查决定")
    expect(zhang.get_by_test_id("gate-problems")).to_contain_text("事先告知书")

    # --- 须法制审核: flagged by the handler, reviewed by the reviewer -------------------------
    gates = zhang.get_by_test_id("gates-form")
    gates.get_by_label("须经法制审核（第五十八条）").check()
    gates.get_by_label("理由").fill("拟处罚款，报法制审核")
    gates.get_by_role("button", name="设置审查要求").click()
    expect(zhang.get_by_test_id("gate-problems")).to_contain_text("须经法制审核")
    zhang.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    _legal_review(people["reviewer"], url, case.pk)

    # --- 事先告知书: signed on paper, served directly; the party waives its statement -------
    party = case.parties.get()
    new_document(zhang, url, case.pk, "行政处罚事先告知书")
    fill_document(
        zhang,
        {
            "违法事实": "当事人2025年度从业人员期末人数报送不实",
            "理由": "违反《统计法》第七条",
            "依据": "《统计法》第四十四条",
            "拟作出的行政处罚": "警告并处罚款5000元",
            "拟罚款金额（元）": "5000",
            "告知陈述、申辩权利及期限": "可在收到本告知书之日起3个工作日内陈述、申辩",
            "告知申请回避的权利": True,
            "联系人及电话": "张伟 0379-66820000",
        },
    )
    save_draft(zhang)
    finalise(zhang)  # numbered unsigned; the receipt is the service's
    expect(zhang.get_by_test_id("document-number")).to_have_text("栾统罚告字〔2026〕1号")
    service = zhang.get_by_test_id("service")
    service.get_by_label("受送达人", exact=True).fill(party.name)
    service.get_by_label("签收人", exact=True).fill("刘某")
    service.get_by_label("签收人与受送达人的关系（本人、法定代表人等）").fill("法定代表人")
    service.get_by_label("送达日期").fill(DAY)
    service.get_by_label("签收的送达回证（扫描件）").set_input_files(str(scan))
    service.get_by_role("button", name="记录送达", exact=True).click()
    expect(zhang.locator(".messages")).to_contain_text("送达已记录")
    expect(zhang.get_by_test_id("service")).to_contain_text("签收人 刘某")

    new_document(zhang, url, case.pk, "放弃陈述申辩记录")
    fill_document(
        zhang,
        {
            "当事人": party.name,
            "日期": DAY,
            "放弃的权利": "放弃陈述申辩",
            "当事人书面确认": True,
        },
    )
    save_draft(zhang)
    sign_on_screen(zhang, "party")
    finalise(zhang)

    # --- 行政处罚决定审批表 and its chain; the decision signed by the head ---------------------
    new_document(zhang, url, case.pk, "行政处罚决定审批表")
    fill_document(
        zhang,
        {
            "拟作出的决定": "行政处罚",
            "处罚种类和幅度": "警告并处罚款",
            "罚款金额（元）": "5000",
            "事实、理由和依据": "当事人提供不真实统计资料，依《统计法》第四十四条",
            "审核和讨论情况": "法制审核通过",
            "承办人": "张伟（证号 LC-001）",
        },
    )
    save_draft(zhang)
    sign_by_login(zhang)
    finalise(zhang)
    propose(zhang, "拟警告并处罚款5000元，提请审批")
    approve_in_inbox(people["reviewer"], case.case_number, "处罚决定审批", "同意")
    approve_in_inbox(people["head"], case.case_number, "处罚决定审批", "同意，警告并处罚款")

    new_document(zhang, url, case.pk, "行政处罚决定书")
    fill_document(
        zhang,
        {
            "行政处罚决定审批表": f"行政处罚决定审批表（{DAY}）",
            "当事人": party.name,
            "当事人地址": party.address,
            "违法事实": "当事人提供不真实统计资料",
            "证据": "询问笔录",
            "违反的规定": "《统计法》第七条",
            "行政处罚的种类": "警告并处罚款",
            "罚款金额（元）": "5000",
            "处罚依据": "《统计法》第四十四条",
            "履行方式和期限": "自收到本决定书之日起15日内到指定银行缴纳罚款",
            "申请行政复议、提起行政诉讼的途径和期限": REMEDY,
            "作出决定的日期": DAY,
        },
    )
    decision_id = save_draft(zhang)
    head = people["head"]
    open_document(head, url, case.pk, decision_id)
    sign_by_login(head)
    open_document(zhang, url, case.pk, decision_id)
    finalise(zhang)
    expect(zhang.get_by_test_id("document-number")).to_have_text("栾统罚决字〔2026〕1号")

    zhang.get_by_role("link", name=case.case_number).click()
    expect(zhang.locator(".toolbar .stage")).to_have_text("送达执行")
    expect(zhang.get_by_test_id("documents")).to_contain_text("行政处罚决定书")
    zhang.screenshot(path=str(tmp_path / "case.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).stage == "decided"


def _investigation_report(zhang: Page, li: Page, url: str, case_id: int) -> int:
    new_document(zhang, url, case_id, "调查终结报告")
    fill_document(
        zhang,
        {
            "查明的违法事实": "当事人2025年度从业人员期末人数报送不实",
            "证据清单": "询问笔录",
            "适用的法律依据": "《统计法》第四十四条",
            "裁量分析": "首次违法，及时改正",
            "处理意见": "给予行政处罚",
            "拟处罚种类和幅度": "警告并处罚款",
            "拟罚款金额（元）": "5000",
        },
    )
    report_id = save_draft(zhang)
    sign_by_login(zhang)
    open_document(li, url, case_id, report_id)
    sign_by_login(li)
    zhang.reload()
    finalise(zhang)
    return report_id


def _legal_review(reviewer: Page, url: str, case_id: int) -> None:
    """The reviewer writes, signs and finalises the legal review opinion (第五十八条)."""
    new_document(reviewer, url, case_id, "法制审核意见书")
    fill_document(
        reviewer,
        {
            "法制审核人员": "王审核（证号 LC-010）",
            "执法主体合法": True,
            "执法程序合法": True,
            "事实清楚、证据确凿": True,
            "适用法律准确": True,
            "裁量基准运用适当": True,
            "审核意见": "主体合法，程序合法，事实清楚",
            "审核结论": "同意（通过）",
            "审核日期": DAY,
        },
    )
    save_draft(reviewer)
    sign_by_login(reviewer)
    finalise(reviewer)
