"""A case walked through the pages, step by step, as the officers of the demo agency do it.

Each step is one thing a person does in Chromium (open a case, approve it from the inbox,
upload evidence, write and sign a record, serve a document, …) and checks what the page then
shows. Walk tests chain the steps; later walks (not paid, hearing, summary procedure, …) reuse
them. The only thing done outside the pages is moving the clock (`WalkClock`), which the live
server reads through `casetrail.clock.now`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from casetrail import clock
from casetrail.cases.management.commands.demo import DEMO_PASSWORD
from casetrail.cases.models import Officer
from casetrail.web.forms_documents import officer_label
from tests.documents import pdftools
from tests.web.procedure_browser import (
    Value,
    approve_in_inbox,
    fill_document,
    finalise,
    new_document,
    propose,
    save_draft,
    sign_by_login,
    sign_on_paper,
    sign_on_screen,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

# The demo agency 栾川县统计局 (`casetrail demo`): its people by what they do in a case.
HANDLER, CO_HANDLER, REVIEWER, HEAD = "zhangwei", "lina", "wangqiang", "liujing"
COMPANY = "栾川县某某商贸有限公司"
COMPANY_USCC = "91410324MA3K2L5P55"
REPRESENTATIVE = "刘某某"
REPRESENTATIVE_ID = "410324198503121235"
ADDRESS = "河南省洛阳市栾川县城关镇某路18号"
REMEDY = (
    "如不服本决定，可在收到本决定书之日起60日内向栾川县人民政府申请行政复议，"
    "或者6个月内向栾川县人民法院提起行政诉讼"
)


class WalkClock:
    """The application's clock, set to a Beijing wall-clock moment and moved forward by steps."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.moment = start
        monkeypatch.setattr(clock, "now", lambda: self.moment.astimezone(UTC))

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
        assert moment >= self.moment, "the clock only moves forward"
        self.moment = moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)

    @property
    def day(self) -> str:
        return self.moment.date().isoformat()

    def local(self, **before: float) -> str:
        """A `datetime-local` value some time before now."""
        return (self.moment - timedelta(**before)).strftime("%Y-%m-%dT%H:%M")


def officer(name: str) -> str:
    """An officer as the pickers name them."""
    return officer_label(Officer.objects.get(name=name))


@dataclass
class Walk:
    """One case walked through the pages by the demo agency's people, each at their own desk."""

    browser: Browser
    url: str
    clock: WalkClock
    folder: Path
    viewport: ViewportSize = field(default_factory=lambda: DESKTOP)
    pages: dict[str, Page] = field(default_factory=dict)
    case_id: int = 0
    case_number: str = ""
    finals: dict[str, tuple[int, str]] = field(default_factory=dict)  # title → (id, 文号)

    def __getitem__(self, username: str) -> Page:
        if username not in self.pages:
            context = self.browser.new_context(
                locale="zh-CN", timezone_id="Asia/Shanghai", viewport=self.viewport
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{self.url}/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page.locator("form.logout")).to_be_attached()  # folded in 菜单 on a phone
            self.pages[username] = page
        return self.pages[username]

    def close_pages(self) -> None:
        for page in self.pages.values():
            page.context.close()

    @property
    def case_url(self) -> str:
        return f"{self.url}/cases/{self.case_id}/"

    def shot(self, page: Page, name: str) -> None:
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)

    def open_case_page(self, username: str) -> Page:
        page = self[username]
        page.goto(self.case_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(self.case_number)
        return page

    def issued(self, page: Page, title: str) -> str:
        """Remember the final document on *page* (its id and 文号) for the PDF checks."""
        expect(page.get_by_test_id("document-status")).to_have_text("已定稿")
        found = re.search(r"/documents/(\d+)/", page.url)
        assert found, page.url
        numbers = page.get_by_test_id("document-number")
        number = numbers.inner_text().strip() if numbers.count() else ""
        self.finals[title] = (int(found.group(1)), number)
        return number

    # --- 程序启动 ----------------------------------------------------------------------------

    def open_ex_officio_case(self) -> None:
        page = self[HANDLER]
        page.goto(f"{self.url}/")
        page.get_by_role("link", name="启动案件").first.click()
        page.get_by_label("启动方式").select_option("ex_officio")
        page.get_by_label("案由").fill("提供不真实统计资料")
        page.get_by_label("案情摘要").fill("2025年度统计年报从业人员期末人数与工资册不符。")
        page.get_by_label("共同承办人").select_option(label=officer("李娜"))
        page.get_by_label("承办人意见（立案理由）").fill("涉嫌违反《统计法》第七条，建议立案调查。")
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

    def approve_filing(self) -> None:
        approve_in_inbox(self[REVIEWER], self.case_number, "立案审批", "同意立案")
        approve_in_inbox(self[HEAD], self.case_number, "立案审批", "同意立案调查")
        page = self.open_case_page(HANDLER)
        expect(page.locator(".toolbar .stage")).to_have_text("调查取证")

    # --- 调查取证 ----------------------------------------------------------------------------

    def upload_evidence(self, photo: Path) -> None:
        page = self.open_case_page(HANDLER)
        page.get_by_role("link", name="上传音像记录").click()
        page.locator("#evidence-file").set_input_files(photo)
        expect(page.get_by_test_id("upload-percent")).to_have_text("100 %")
        page.get_by_label("制作方法").fill("执法记录仪拍摄")
        page.get_by_label("录制开始时间").fill(self.clock.local(minutes=30))
        page.get_by_label("制作人").select_option(label=officer("李娜"))
        page.get_by_label("证明对象").fill("当事人统计台账和工资册的存放情况")
        page.get_by_role("button", name="提交").click()
        expect(page.locator(".messages")).to_contain_text(f"音像记录已登记：{photo.name}")
        expect(page.get_by_test_id("recordings")).to_contain_text(photo.name)

    def inquiry(self) -> None:
        """询问笔录: written by the handler, signed by both officers and by the interviewee on
        the signature pad, finalised."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "询问（调查）笔录")
        values: dict[str, Value] = {
            "询问开始时间": self.clock.local(hours=2),
            "询问结束时间": self.clock.local(hours=1),
            "询问地点": "栾川县统计局询问室",
            "询问人（执法人员）": ["张伟", "李娜"],
            "记录人": officer("李娜"),
            "被询问人姓名": REPRESENTATIVE,
            "被询问人性别": "男",
            "被询问人身份证件号码": REPRESENTATIVE_ID,
            "执法人员已表明身份、出示执法证件": True,
            "被询问人确认已看清执法证件": True,
            "已告知陈述申辩权和申请回避权": True,
            "问答记录": "问：你单位2025年统计年报由谁填报？\n答：由我安排会计填报，数字未核对。",
        }
        fill_document(page, values)
        inquiry_id = save_draft(page)
        sign_by_login(page)
        sign_on_screen(page, "interviewee")
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{inquiry_id}/")
        sign_by_login(co, times=2)  # 询问人 and 记录人
        page.reload()
        finalise(page)
        self.issued(page, "询问（调查）笔录")

    def end_investigation(self) -> None:
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "调查终结报告")
        fill_document(
            page,
            {
                "查明的违法事实": "当事人2025年度统计年报从业人员期末人数报送不实",
                "证据清单": "询问笔录、现场照片",
                "适用的法律依据": "《统计法》第七条、第四十一条",
                "裁量分析": "首次违法，及时改正",
                "处理意见": "给予行政处罚",
                "拟处罚种类和幅度": "警告并处罚款",
                "拟罚款金额（元）": "5000",
            },
        )
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

    # --- 审查决定 ----------------------------------------------------------------------------

    def sign_from_inbox(self, username: str, title: str, document_id: int) -> None:
        """A head or reviewer finds the draft waiting for their block in 审批待办 and signs."""
        page = self[username]
        page.goto(f"{self.url}/")
        page.get_by_role("link", name="审批待办").click()
        waiting = page.get_by_test_id("inbox-signatures")
        self.shot(page, f"inbox-{username}-{document_id}")
        waiting.locator(f'a[href$="/documents/{document_id}/"]').click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        sign_by_login(page)

    def serve_here(self, page: Page, scan: Path, *, recipient: str = COMPANY) -> None:
        """Direct service of the final document on *page*, the signed receipt uploaded."""
        service = page.get_by_test_id("service")
        service.get_by_label("受送达人", exact=True).fill(recipient)
        service.get_by_label("签收人", exact=True).fill(REPRESENTATIVE)
        service.get_by_label("签收人与受送达人的关系（本人、法定代表人等）").fill("法定代表人")
        service.get_by_label("送达日期").fill(self.clock.day)
        service.get_by_label("签收的送达回证（扫描件）").set_input_files(str(scan))
        service.get_by_role("button", name="记录送达", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("送达已记录")
        expect(page.get_by_test_id("service")).to_contain_text(f"签收人 {REPRESENTATIVE}")

    def prior_notice_served(self, scan: Path) -> None:
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "行政处罚事先告知书")
        fill_document(
            page,
            {
                "违法事实": "当事人2025年度统计年报从业人员期末人数报送不实",
                "理由": "违反《统计法》第七条",
                "依据": "《统计法》第四十一条第二款",
                "拟作出的行政处罚": "警告并处罚款5000元",
                "拟罚款金额（元）": "5000",
                "告知陈述、申辩权利及期限": "可在收到本告知书之日起3个工作日内陈述、申辩",
                "告知申请回避的权利": True,
                "联系人及电话": "张伟 0379-66820000",
            },
        )
        save_draft(page)
        finalise(page)  # numbered when issued; the party signs the 送达回证
        self.issued(page, "行政处罚事先告知书")
        self.serve_here(page, scan)

    def waiver(self) -> None:
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "放弃陈述申辩记录")
        fill_document(
            page,
            {
                "当事人": COMPANY,
                "日期": self.clock.day,
                "放弃的权利": "放弃陈述申辩",
                "当事人书面确认": True,
            },
        )
        save_draft(page)
        sign_on_screen(page, "party")
        finalise(page)

    def decision_served(self, scan: Path, fine: str = "5000") -> None:
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "行政处罚决定审批表")
        fill_document(
            page,
            {
                "拟作出的决定": "行政处罚",
                "处罚种类和幅度": "警告并处罚款",
                "罚款金额（元）": fine,
                "事实、理由和依据": "当事人提供不真实统计资料，依《统计法》第四十一条第二款",
                "审核和讨论情况": "审核人审核同意",
                "承办人": officer("张伟"),
            },
        )
        save_draft(page)
        sign_by_login(page)
        finalise(page)
        approval_label = f"行政处罚决定审批表（{self.clock.day}）"
        propose(page, f"拟警告并处罚款{fine}元，提请审批")
        approve_in_inbox(self[REVIEWER], self.case_number, "处罚决定审批", "同意")
        approve_in_inbox(self[HEAD], self.case_number, "处罚决定审批", "同意，警告并处罚款")

        new_document(page, self.url, self.case_id, "行政处罚决定书")
        fill_document(
            page,
            {
                "行政处罚决定审批表": approval_label,
                "当事人": COMPANY,
                "当事人地址": ADDRESS,
                "违法事实": "经查，当事人2025年度统计年报从业人员期末人数报送不实。",
                "证据": "询问笔录、现场照片",
                "违反的规定": "《中华人民共和国统计法》第七条",
                "行政处罚的种类": "警告并处罚款",
                "罚款金额（元）": fine,
                "处罚依据": "《统计法》第四十一条第二款",
                "履行方式和期限": "自收到本决定书之日起15日内到指定银行缴纳罚款",
                "申请行政复议、提起行政诉讼的途径和期限": REMEDY,
                "作出决定的日期": self.clock.day,
            },
        )
        decision_id = save_draft(page)
        self.sign_from_inbox(HEAD, "行政处罚决定书", decision_id)
        page.reload()
        finalise(page)
        self.issued(page, "行政处罚决定书")
        self.serve_here(page, scan)
        page = self.open_case_page(HANDLER)
        expect(page.locator(".toolbar .stage")).to_have_text("送达执行")

    # --- 送达执行、结案 ---------------------------------------------------------------------

    def payment_recorded(self, amount: str = "5000") -> None:
        page = self.open_case_page(HANDLER)
        page.get_by_role("link", name="履行与执行").click()
        page.get_by_test_id("create-links").get_by_role("link", name="行政处罚执行情况记录").click()
        decision_id, number = self.finals["行政处罚决定书"]
        picker = page.get_by_test_id("document-form").get_by_label(
            re.compile(r"^\s*行政处罚决定书\s*\*?\s*$")
        )
        expect(picker.locator("option")).to_have_count(2)  # —— and the one decision
        expect(picker).to_have_value(str(decision_id))
        fill_document(
            page,
            {
                "履行情况": "已按期全额缴纳",
                "已缴纳金额（元）": amount,
                "缴纳日期": self.clock.day,
                "缴款凭证（银行回单）编号": "豫农信2026120900018",
                "履行情况说明": f"当事人已于{self.clock.day}通过指定银行全额缴纳罚款",
                "记录日期": self.clock.day,
                "记录人": officer("张伟"),
            },
        )
        save_draft(page)
        expect(page.get_by_test_id("document-fields")).to_contain_text(number)
        sign_by_login(page)
        finalise(page)

    def closing_report(
        self,
        outcome: str = "作出行政处罚决定并已履行",
        performance: str = "当事人已按期全额缴纳罚款",
    ) -> None:
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "结案审批表")
        number = self.finals["行政处罚决定书"][1]
        fill_document(
            page,
            {
                "案件处理结果": outcome,
                "处理决定文书": f"{number} 行政处罚决定书",
                "案件办理情况": "立案调查，事先告知后当事人放弃陈述申辩，作出警告并处罚款的决定",
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

    def demand_served(self, scan: Path, fine: str = "5000") -> None:
        """催告书 after the payment period ran unpaid, signed for and served directly."""
        page = self.open_case_page(HANDLER)
        page.get_by_role("link", name="履行与执行").click()
        expect(page.get_by_test_id("decision")).to_contain_text("逾期")
        new_document(page, self.url, self.case_id, "催告书")
        perform_by = (self.clock.moment.date() + timedelta(days=10)).isoformat()
        fill_document(
            page,
            {
                "应当履行的义务": f"缴纳罚款{fine}元",
                "履行期限": perform_by,
                "履行方式": "到指定银行缴纳",
                "应缴罚款金额（元）": fine,
                "加处罚款金额（元）": "0",
                "给付方式（缴款银行、账户）": "栾川县农村信用合作联社 罚没款账户",
                "告知陈述、申辩的权利": "可在收到本催告书之日起三日内陈述、申辩",
                "逾期不履行的后果（申请人民法院强制执行）": "逾期仍不履行的，本机关将依法申请"
                "人民法院强制执行",
                "催告日期": self.clock.day,
            },
        )
        save_draft(page)
        sign_on_paper(page, "party", scan)
        finalise(page)
        self.issued(page, "催告书")
        self.serve_here(page, scan)

    def court_application(self, fine: str = "5000") -> None:
        """行政强制执行申请书: both pickers offer the case's one decision and one demand."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "行政强制执行申请书")
        form = page.get_by_test_id("document-form")
        for label, title in (("行政处罚决定书", "行政处罚决定书"), ("催告书", "催告书")):
            picker = form.get_by_label(re.compile(rf"^\s*{label}\s*\*?\s*$"))
            expect(picker).to_have_value(str(self.finals[title][0]))
        fill_document(
            page,
            {
                "受理申请的人民法院": "栾川县人民法院",
                "作出决定的事实、理由和依据": "当事人提供不真实统计资料，依据《统计法》处罚",
                "当事人在法定期限内未申请行政复议、未提起行政诉讼": True,
                "当事人的意见": "当事人在催告后未提出陈述、申辩",
                "催告情况（送达日期、履行期限届满仍未履行）": "催告书已直接送达，期满仍未履行",
                "申请强制执行的标的": f"罚款{fine}元",
                "申请执行金额（元）": fine,
                "申请日期": self.clock.day,
            },
        )
        application_id = save_draft(page)
        self.sign_from_inbox(HEAD, "行政强制执行申请书", application_id)
        page.reload()
        finalise(page)
        self.issued(page, "行政强制执行申请书")

    def court_result(self, fine: str = "5000") -> None:
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "人民法院强制执行裁定及执行情况记录")
        fill_document(
            page,
            {
                "人民法院": "栾川县人民法院",
                "裁定书文号": "（2027）豫0324行审12号",
                "裁定日期": self.clock.day,
                "裁定结果": "准予执行",
                "执行情况": f"已扣划罚款{fine}元",
                "执行到位金额（元）": fine,
                "承办人": officer("张伟"),
            },
        )
        save_draft(page)
        sign_by_login(page)
        finalise(page)

    def close_case(self) -> None:
        page = self.open_case_page(HANDLER)
        page.get_by_role("link", name="履行与执行").click()
        expect(page.get_by_test_id("closing-problems")).to_have_text("结案条件已齐备。")
        page.get_by_test_id("closing").get_by_role("button", name="结案").click()
        expect(page.locator(".messages")).to_contain_text("案件已结案")
        page = self.open_case_page(HANDLER)
        expect(page.locator(".toolbar .stage")).to_have_text("已结案")

    # --- checks on the way ------------------------------------------------------------------

    def pdf_text(self, document_id: int) -> str:
        """The PDF of a document as its handler downloads it from the document page."""
        page = self.open_case_page(HANDLER)
        page.goto(f"{self.case_url}documents/{document_id}/")
        href = page.get_by_test_id("document-pdf").get_attribute("href")
        assert href, document_id
        response = page.request.get(f"{self.url}{href}" if href.startswith("/") else href)
        assert response.ok, response.status
        assert response.headers["content-type"] == "application/pdf"
        return pdftools.squeezed(pdftools.text(response.body()))

    def check_pdfs(self) -> None:
        """Every final document remembered on the way prints its title and its 文号."""
        for title, (document_id, number) in self.finals.items():
            text = self.pdf_text(document_id)
            assert pdftools.squeezed(title) in text, title
            if number:
                assert pdftools.squeezed(number) in text, (title, number)

    def check_phone(self, username: str, paths: list[str], name: str) -> None:
        """At 390 px nothing on these pages scrolls sideways; a screenshot of each is kept."""
        context = self.browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=PHONE,
            is_mobile=True,
            storage_state=self[username].context.storage_state(),
        )
        page = context.new_page()
        try:
            for index, path in enumerate(paths):
                page.goto(f"{self.url}{path}")
                page.screenshot(path=str(self.folder / f"{name}-{index}-phone.png"), full_page=True)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], (path, width)
        finally:
            context.close()
