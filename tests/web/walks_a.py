"""Steps of the walks with a hearing, with a statement and defence, in the summary procedure
and with an order to correct (#16), on top of the shared steps of `walk_browser.Walk`.

Each step is what a person does in Chromium; the amounts, penalties and texts the shared steps
fix (a 5,000 yuan fine, a waiver) are parameters here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.procedure_browser import (
    Value,
    approve_in_inbox,
    fill_document,
    finalise,
    labelled,
    new_document,
    propose,
    save_draft,
    sign_by_login,
    sign_on_paper,
    sign_on_screen,
)
from tests.web.walk_browser import (
    ADDRESS,
    CO_HANDLER,
    COMPANY,
    COMPANY_USCC,
    HANDLER,
    HEAD,
    PHONE,
    REMEDY,
    REPRESENTATIVE,
    REPRESENTATIVE_ID,
    REVIEWER,
    Walk,
    officer,
)

RIGHTS = (
    "当事人可以亲自参加听证，也可以委托一至二人代理；认为主持人与本案有直接利害关系的，有权申请回避"
)
# 王强 is the agency's 法制审核人员 and did not investigate: he chairs the hearing.
CHAIR = REVIEWER


@dataclass
class Penalty:
    """What the notice announces and the decision imposes."""

    kind: str  # the decision form's choice label: 警告 / 罚款 / 警告并处罚款
    fine: str = ""  # yuan; empty for a warning alone

    @property
    def words(self) -> str:
        return f"{self.kind}{self.fine}元" if self.fine else self.kind


@dataclass
class WalkA(Walk):
    """The walks of issue #16 that hear the party, decide on the spot or order a correction."""

    summary: str = "立案调查，事先告知后当事人放弃陈述申辩，作出行政处罚决定"

    @contextmanager
    def on_phone(self, username: str) -> Iterator[Page]:
        """*username*'s session on a 390 px phone, for a step done in the field."""
        context = self.browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=PHONE,
            is_mobile=True,
            storage_state=self[username].context.storage_state(),
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            context.close()

    # --- 调查终结 -------------------------------------------------------------------------

    def end_investigation_proposing(self, penalty: Penalty) -> None:
        """调查终结报告 proposing *penalty*, signed by both handlers, approved, investigation
        ended (the shared step proposes 5,000 yuan)."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "调查终结报告")
        values: dict[str, Value] = {
            "查明的违法事实": "当事人2025年度统计年报从业人员期末人数报送不实",
            "证据清单": "询问笔录、现场照片",
            "适用的法律依据": "《统计法》第七条、第四十四条",
            "裁量分析": "虚报人数较多，影响统计数据质量",
            "处理意见": "给予行政处罚",
            "拟处罚种类和幅度": penalty.kind,
        }
        if penalty.fine:
            values["拟罚款金额（元）"] = penalty.fine
        fill_document(page, values)
        report_id = save_draft(page)
        sign_by_login(page)
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{report_id}/")
        sign_by_login(co)
        page.reload()
        finalise(page)
        propose(page, "调查终结，事实清楚，证据确凿，提请审批")
        approve_in_inbox(self[REVIEWER], self.case_number, "调查终结审批", "同意终结调查")
        approve_in_inbox(self[HEAD], self.case_number, "调查终结审批", "同意")
        page = self.open_case_page(HANDLER)
        page.get_by_role("button", name="终结调查").click()
        expect(page.locator(".messages")).to_contain_text("调查已终结")
        expect(page.locator(".toolbar .stage")).to_have_text("审查决定")

    # --- 告知 -----------------------------------------------------------------------------

    def notice_served(self, scan: Path, penalty: Penalty, *, hearing: bool = False) -> None:
        """事先告知书 announcing *penalty* (and the hearing right when it reaches the
        threshold), finalised, served directly."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "行政处罚事先告知书")
        values: dict[str, Value] = {
            "违法事实": "当事人2025年度统计年报从业人员期末人数报送不实",
            "理由": "违反《统计法》第七条",
            "依据": "《统计法》第四十四条",
            "拟作出的行政处罚": penalty.words,
            "告知申请回避的权利": True,
            "联系人及电话": "张伟 0379-66820000",
        }
        if penalty.fine:
            values["拟罚款金额（元）"] = penalty.fine
        if hearing:
            values["告知要求听证的权利及期限（符合听证条件时必填）"] = (
                "你（单位）有权要求举行听证，可在收到本告知书之日起5个工作日内向本机关提出"
            )
        fill_document(page, values)
        save_draft(page)
        finalise(page)
        self.issued(page, "行政处罚事先告知书")
        self.serve_here(page, scan)

    # --- 听证 -----------------------------------------------------------------------------

    def hearing_requested(self, scan: Path) -> None:
        """The party's written request, signed on paper and scanned, within the period."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "听证申请书")
        fill_document(
            page,
            {
                "申请人": COMPANY,
                "提出听证要求的日期": self.clock.day,
                "申请事项和理由": "对拟处罚款数额有异议，要求举行听证",
                "委托代理人（至多两人，每行一人）": "赵某某（本单位会计）",
            },
        )
        save_draft(page)
        sign_on_paper(page, "applicant", scan)
        finalise(page)

    def hearing_noticed(self, scan: Path, hearing_day: date) -> None:
        """听证通知书: the chair offered is an officer who did not investigate; numbered when
        issued and served directly, at least 7 working days before *hearing_day*."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "听证通知书")
        chair = page.get_by_test_id("document-form").get_by_label("听证主持人")
        for name in ("张伟", "李娜"):  # the investigators are not offered as chair
            expect(chair.locator("option", has_text=name)).to_have_count(0)
        fill_document(
            page,
            {
                "听证时间": f"{hearing_day.isoformat()}T09:30",
                "听证地点": "栾川县统计局三楼会议室",
                "听证主持人": officer("王强"),
                "公开举行": True,
                "权利告知（委托一至二人代理、申请回避）": RIGHTS,
                "无正当理由拒不出席的后果": "无正当理由拒不出席听证的，视为放弃听证权利，"
                "本机关终止听证",
            },
        )
        save_draft(page)
        finalise(page)
        self.issued(page, "听证通知书")
        self.serve_here(page, scan)

    def hearing_held(self, *, party_signs: bool) -> None:
        """听证笔录 of the hearing: the chair and the recorder sign by login; the party signs
        on the pad, or refuses and the chair notes it."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "听证笔录")
        fill_document(
            page,
            {
                "听证时间": self.clock.local(hours=2),
                "地点": "栾川县统计局三楼会议室",
                "主持人": officer("王强"),
                "记录人": officer("李娜"),
                "调查人员": ["张伟"],
                "当事人或代理人": REPRESENTATIVE,
                "调查人员已出示执法证件": True,
                "当事人确认已看清执法证件": True,
                "调查人员提出的事实、证据和处罚建议": "当事人虚报从业人员期末人数，有询问笔录、"
                "工资册为证，建议处罚款60000元",
                "当事人的申辩和质证": "当事人承认报送数据有误，称系会计疏忽，请求从轻处罚",
            },
        )
        transcript_id = save_draft(page)
        for username in (CHAIR, CO_HANDLER):
            other = self[username]
            other.goto(f"{self.case_url}documents/{transcript_id}/")
            sign_by_login(other)
        page.reload()
        if party_signs:
            sign_on_screen(page, "party")
        else:
            refusal = page.get_by_test_id("refusal-party")
            refusal.get_by_label("拒签理由或情况").fill("当事人对笔录无异议，但拒绝签名")
            refusal.get_by_label("拒签时间").fill(self.clock.local(minutes=30))
            refusal.get_by_label("或：见证的执法人员").select_option(label=officer("王强"))
            refusal.get_by_role("button", name="记录拒签").click()
            expect(page.locator(".messages")).to_contain_text("拒签")
        finalise(page)
        self.issued(page, "听证笔录")

    def hearing_reported(self) -> None:
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "听证报告")
        fill_document(
            page,
            {
                "听证认定的事实": "当事人报送不真实统计资料的事实清楚，当事人承认并请求从轻",
                "处理意见": "维持拟作出的处罚",
                "主持人": officer("王强"),
            },
        )
        report_id = save_draft(page)
        chair = self[CHAIR]
        chair.goto(f"{self.case_url}documents/{report_id}/")
        sign_by_login(chair)
        page.reload()
        finalise(page)

    def legal_review(self) -> None:
        """法制审核 after the hearing (第58条): the form offers only qualified reviewers who
        do not handle the case; the reviewer signs his opinion."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "法制审核意见书")
        reviewer = page.get_by_test_id("document-form").get_by_label("法制审核人员")
        expect(reviewer.locator("option")).to_have_count(2)  # —— and 王强
        fill_document(
            page,
            {
                "法制审核人员": officer("王强"),
                "执法主体合法": True,
                "执法程序合法": True,
                "事实清楚、证据确凿": True,
                "适用法律准确": True,
                "裁量基准运用适当": True,
                "审核意见": "经听证，事实清楚，程序合法，同意拟作出的处罚",
                "审核结论": "同意（通过）",
                "审核日期": self.clock.day,
            },
        )
        review_id = save_draft(page)
        reviewer_page = self[REVIEWER]
        reviewer_page.goto(f"{self.case_url}documents/{review_id}/")
        sign_by_login(reviewer_page)
        page.reload()
        finalise(page)

    # --- 陈述申辩、复核 ---------------------------------------------------------------------

    def statement_heard(self) -> None:
        """陈述申辩笔录: both handlers sign by login, the representative on the pad."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "陈述申辩笔录")
        fill_document(
            page,
            {
                "陈述申辩时间": self.clock.local(hours=1),
                "地点": "栾川县统计局询问室",
                "陈述申辩人": REPRESENTATIVE,
                "执法人员": ["张伟", "李娜"],
                "执法人员已表明身份、出示执法证件": True,
                "陈述申辩人确认已看清执法证件": True,
                "陈述申辩内容": "报送错误系新任会计不熟悉指标口径所致，已于12月9日主动更正，"
                "请求从轻处罚",
                "提交的证据": "更正后的统计年报、会计任职文件",
            },
        )
        statement_id = save_draft(page)
        sign_by_login(page)
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{statement_id}/")
        sign_by_login(co)
        with self.on_phone(HANDLER) as phone:  # the speaker signs on the officer's phone
            phone.goto(f"{self.case_url}documents/{statement_id}/")
            sign_on_screen(phone, "speaker")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.reload()
        finalise(page)

    def re_examined(self) -> None:
        """复核意见 on the statement (picked by itself: the case's one final statement)."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "复核意见")
        fill_document(
            page,
            {
                "复核情况": "经复核，当事人已主动更正统计资料，符合从轻处罚情形",
                "陈述申辩理由是否成立": "部分成立",
                "复核人": ["张伟", "李娜"],
            },
        )
        opinion_id = save_draft(page)
        sign_by_login(page)
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{opinion_id}/")
        sign_by_login(co)
        page.reload()
        finalise(page)

    # --- 决定、送达 -------------------------------------------------------------------------

    def decided_and_served(
        self, scan: Path, penalty: Penalty, *, heard: bool = False, performance: str = ""
    ) -> None:
        """决定审批表 approved by reviewer and head, 处罚决定书 signed by the head from the
        inbox, finalised and served directly (the shared step fixes a 5,000 yuan fine)."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "行政处罚决定审批表")
        values: dict[str, Value] = {
            "拟作出的决定": "行政处罚",
            "处罚种类和幅度": penalty.kind,
            "事实、理由和依据": "当事人提供不真实统计资料，依《统计法》第四十四条",
            "审核和讨论情况": "法制审核通过" if heard else "审核人审核同意",
            "承办人": officer("张伟"),
        }
        if penalty.fine:
            values["罚款金额（元）"] = penalty.fine
        fill_document(page, values)
        save_draft(page)
        sign_by_login(page)
        finalise(page)
        approval_label = f"行政处罚决定审批表（{self.clock.day}）"
        propose(page, f"拟{penalty.words}，提请审批")
        approve_in_inbox(self[REVIEWER], self.case_number, "处罚决定审批", "同意")
        approve_in_inbox(self[HEAD], self.case_number, "处罚决定审批", f"同意，{penalty.words}")

        new_document(page, self.url, self.case_id, "行政处罚决定书")
        values = {
            "行政处罚决定审批表": approval_label,
            "当事人": COMPANY,
            "当事人地址": ADDRESS,
            "违法事实": "经查，当事人2025年度统计年报从业人员期末人数报送不实。",
            "证据": "询问笔录、现场照片",
            "违反的规定": "《中华人民共和国统计法》第七条",
            "行政处罚的种类": penalty.kind,
            "处罚依据": "《统计法》第四十四条",
            "履行方式和期限": performance or "自收到本决定书之日起15日内到指定银行缴纳罚款",
            "申请行政复议、提起行政诉讼的途径和期限": REMEDY,
            "作出决定的日期": self.clock.day,
        }
        if penalty.fine:
            values["罚款金额（元）"] = penalty.fine
        fill_document(page, values)
        if heard:  # the case's one final transcript, offered by itself
            picker = page.get_by_test_id("document-form").get_by_label("听证笔录（经听证的）")
            expect(picker).to_have_value(str(self.finals["听证笔录"][0]))
        decision_id = save_draft(page)
        self.sign_from_inbox(HEAD, "行政处罚决定书", decision_id)
        page.reload()
        finalise(page)
        self.issued(page, "行政处罚决定书")
        self.serve_here(page, scan)
        page = self.open_case_page(HANDLER)
        expect(page.locator(".toolbar .stage")).to_have_text("送达执行")

    # --- 简易程序 ---------------------------------------------------------------------------

    def open_summary_case(self) -> None:
        """当场处罚: the case is opened in the summary procedure, no filing approval."""
        page = self[HANDLER]
        page.goto(f"{self.url}/")
        page.get_by_role("link", name="启动案件").first.click()
        page.get_by_label("启动方式").select_option("ex_officio")
        page.get_by_label(labelled("程序")).select_option("summary")
        page.get_by_label("案由").fill("迟报统计资料")
        page.get_by_label("案情摘要").fill("2026年11月月报逾期5日报送，事实清楚，当事人承认。")
        page.get_by_label("共同承办人").select_option(label=officer("李娜"))
        page.get_by_label("承办人意见（立案理由）").fill("违法事实确凿，适用简易程序当场处罚。")
        page.get_by_label("当事人类型").select_option("organisation")
        page.get_by_label("当事人姓名或名称").fill(COMPANY)
        page.get_by_label("统一社会信用代码").fill(COMPANY_USCC)
        page.get_by_label("法定代表人").fill(REPRESENTATIVE)
        page.get_by_label("地址").fill(ADDRESS)
        page.get_by_label("联系电话").fill("0379-66821234")
        page.get_by_role("button", name="提交并签署承办人意见").click()
        expect(page.locator(".messages")).to_contain_text("案件已启动")
        self.case_number = page.get_by_role("heading", level=1).inner_text().strip()
        found = re.search(r"/cases/(\d+)/", page.url)
        assert found, page.url
        self.case_id = int(found.group(1))
        expect(page.locator(".toolbar .stage")).to_have_text("调查取证")

    def decided_on_the_spot(self, scan: Path, form_number: str, fine: str) -> None:
        """当场行政处罚决定书 on the pre-numbered form: both officers sign by login, the
        representative on the pad; finalised (the case is decided) and handed over."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "当场行政处罚决定书")
        fill_document(
            page,
            {
                "预定格式决定书编号": form_number,
                "违法行为": "2026年11月统计月报逾期5日报送",
                "处罚种类": "罚款",
                "罚款金额（元）": fine,
                "处罚依据": "《统计法》第四十五条",
                "时间": self.clock.local(minutes=10),
                "地点": ADDRESS,
                "执法人员": ["张伟", "李娜"],
                "执法人员已出示执法证件": True,
                "已当场口头告知拟处罚的事实、理由、依据和陈述申辩权": True,
                "申请行政复议、提起行政诉讼的途径和期限": REMEDY,
                "当场收缴罚款": False,
            },
        )
        decision_id = save_draft(page)
        sign_by_login(page)
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{decision_id}/")
        sign_by_login(co)
        with self.on_phone(HANDLER) as phone:  # on the spot: the party signs on the phone
            phone.goto(f"{self.case_url}documents/{decision_id}/")
            sign_on_screen(phone, "party")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            self.shot(phone, "summary-signed-phone")
        page.reload()
        finalise(page)
        self.issued(page, "当场行政处罚决定书")
        self.serve_here(page, scan)
        page = self.open_case_page(HANDLER)
        expect(page.locator(".toolbar .stage")).to_have_text("送达执行")

    def summary_filed(self) -> None:
        """当场处罚备案记录: the handler files the decision, the head signs it from the inbox."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "当场处罚备案记录")
        picker = page.get_by_test_id("document-form").get_by_label("当场行政处罚决定书")
        expect(picker).to_have_value(str(self.finals["当场行政处罚决定书"][0]))
        fill_document(page, {"备案日期": self.clock.day, "备注": "当场处罚决定书存根联已交回"})
        record_id = save_draft(page)
        self.sign_from_inbox(HEAD, "当场处罚备案记录", record_id)
        page.reload()
        finalise(page)

    def paid(self, decision_title: str, amount: str) -> None:
        """行政处罚执行情况记录 against the case's one decision of *decision_title*."""
        page = self.open_case_page(HANDLER)
        page.get_by_role("link", name="履行与执行").click()
        page.get_by_test_id("create-links").get_by_role("link", name="行政处罚执行情况记录").click()
        picker = page.get_by_test_id("document-form").get_by_label(labelled("行政处罚决定书"))
        expect(picker).to_have_value(str(self.finals[decision_title][0]))
        fill_document(
            page,
            {
                "履行情况": "已按期全额缴纳",
                "已缴纳金额（元）": amount,
                "缴纳日期": self.clock.day,
                "缴款凭证（银行回单）编号": "豫农信2026121500031",
                "履行情况说明": f"当事人已于{self.clock.day}通过指定银行全额缴纳罚款",
                "记录日期": self.clock.day,
                "记录人": officer("张伟"),
            },
        )
        save_draft(page)
        sign_by_login(page)
        finalise(page)

    # --- 责令改正、复查 ---------------------------------------------------------------------

    def correction_ordered(self, scan: Path, correct_by: date) -> None:
        """责令（限期）改正通知书, numbered when issued, served directly."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "责令（限期）改正通知书")
        fill_document(
            page,
            {
                "违法行为": "2025年度统计年报从业人员期末人数报送不实",
                "依据": "《统计法》第四十四条",
                "改正期限": correct_by.isoformat(),
                "改正方式和要求": "按工资册核实从业人员期末人数，更正统计年报并报送本局",
            },
        )
        save_draft(page)
        finalise(page)
        self.issued(page, "责令（限期）改正通知书")
        self.serve_here(page, scan)

    def correction_checked(self) -> None:
        """改正情况核查记录 (复查) of the order, written and signed at the party's premises on
        the handler's phone; the co-handler signs at the desk."""
        with self.on_phone(HANDLER) as page:
            check_id = self._correction_check(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            self.shot(page, "correction-check-phone")
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{check_id}/")
        sign_by_login(co)
        page = self[HANDLER]
        page.goto(f"{self.case_url}documents/{check_id}/")
        finalise(page)

    def _correction_check(self, page: Page) -> int:
        new_document(page, self.url, self.case_id, "改正情况核查记录")
        picker = page.get_by_test_id("document-form").get_by_label("责令改正通知书")
        expect(picker).to_have_value(str(self.finals["责令（限期）改正通知书"][0]))
        fill_document(
            page,
            {
                "核查日期": self.clock.day,
                "核查结果": "已改正",
                "核查情况": "当事人已更正2025年度统计年报并重新报送，经核对与工资册一致",
                "核查人": ["张伟", "李娜"],
            },
        )
        check_id = save_draft(page)
        sign_by_login(page)
        return check_id

    # --- 结案 -----------------------------------------------------------------------------

    def closing_approved(self, decision_title: str, performance: str = "") -> None:
        """结案审批表 naming the case's decision, signed by both handlers, the reviewer and
        the head (from the inbox), finalised."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "结案审批表")
        picker = page.get_by_test_id("document-form").get_by_label("处理决定文书")
        expect(picker).to_have_value(str(self.finals[decision_title][0]))
        fill_document(
            page,
            {
                "案件处理结果": "作出行政处罚决定并已履行",
                "案件办理情况": self.summary,
                "履行或者强制执行情况": performance,
                "文书齐全，卷宗材料完整": True,
                "承办人": ["张伟", "李娜"],
            },
        )
        report_id = save_draft(page)
        sign_by_login(page)
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{report_id}/")
        sign_by_login(co)
        self.sign_from_inbox(REVIEWER, "结案审批表", report_id)
        self.sign_from_inbox(HEAD, "结案审批表", report_id)
        page.reload()
        finalise(page)


__all__ = ["CHAIR", "REPRESENTATIVE_ID", "Penalty", "WalkA"]
