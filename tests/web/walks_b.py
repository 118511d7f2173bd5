"""More paths of a case walked through the pages (#16): postal service returned and then
public notice, the emergency start, no penalty, withdrawal, and a transfer of a suspected crime.

`WalkB` adds its steps to `Walk` (tests/web/walk_browser.py); each step is what a person does
in Chromium and what the page then shows. Nothing is done outside the pages but moving the
clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.procedure_browser import (
    approve_in_inbox,
    fill_document,
    finalise,
    labelled,
    new_document,
    propose,
    save_draft,
    sign_by_login,
)
from tests.web.service_browser import choose_method, fill_service, record_service, service_form
from tests.web.walk_browser import (
    ADDRESS,
    CO_HANDLER,
    COMPANY,
    COMPANY_USCC,
    HANDLER,
    HEAD,
    REMEDY,
    REPRESENTATIVE,
    REVIEWER,
    Walk,
    officer,
)

POSTAL_PROOF = "付邮凭证（扫描件）"
RECORDING = "音像记录（留置过程或张贴公告的录像、照片）"


@dataclass
class WalkB(Walk):
    """The walks of engineer b: the same people and the same pages, other paths."""

    def document_page(self, username: str, title: str) -> Page:
        """The page of a final document remembered on the way, opened by *username*."""
        page = self[username]
        page.goto(f"{self.case_url}documents/{self.finals[title][0]}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        return page

    # --- 程序启动 ----------------------------------------------------------------------------

    def open_emergency_case(self, reason: str) -> None:
        """情况紧急，先行调查取证: the case opens straight into 调查取证, and the case page says
        by when the filing approval must be back-filled."""
        page = self[HANDLER]
        page.goto(f"{self.url}/")
        page.get_by_role("link", name="启动案件").first.click()
        page.get_by_label("启动方式").select_option(label="紧急先行启动")
        expect(page.get_by_label("紧急先行启动理由")).to_be_visible()
        page.get_by_label("紧急先行启动理由").fill(reason)
        page.get_by_label("案由").fill("伪造、篡改统计资料")
        page.get_by_label("案情摘要").fill("群众举报当事人正在销毁2025年度原始统计台账。")
        page.get_by_label("共同承办人").select_option(label=officer("李娜"))
        page.get_by_label("承办人意见（立案理由）").fill(
            "涉嫌违反《统计法》第七条，证据可能灭失，先行调查取证并补办立案审批。"
        )
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
        expect(page.get_by_test_id("backfill")).to_contain_text("尚余")
        self.shot(page, "emergency-opened")

    def backfill_filing(self) -> None:
        """The reviewer and the head sign the filing approval from their inbox; the case page
        then says it was back-filled in time."""
        approve_in_inbox(self[REVIEWER], self.case_number, "立案审批", "情况紧急，同意立案")
        approve_in_inbox(self[HEAD], self.case_number, "立案审批", "同意立案")
        page = self.open_case_page(HANDLER)
        expect(page.locator(".toolbar .stage")).to_have_text("调查取证")
        expect(page.get_by_test_id("backfill")).to_contain_text("已按期补办")
        self.shot(page, "emergency-backfilled")

    # --- 审查决定 ----------------------------------------------------------------------------

    def decision_approved(self, proposal: str, summary: str, fine: str = "") -> str:
        """行政处罚决定审批表 written, signed, finalised and approved from the inbox; returns the
        label its picker shows."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "行政处罚决定审批表")
        values = {
            "拟作出的决定": proposal,
            "事实、理由和依据": "当事人提供不真实统计资料，依《统计法》第四十一条第二款",
            "审核和讨论情况": "审核人审核同意",
            "承办人": officer("张伟"),
        }
        if fine:
            values |= {"处罚种类和幅度": "警告并处罚款", "罚款金额（元）": fine}
        fill_document(page, values)
        save_draft(page)
        sign_by_login(page)
        finalise(page)
        label = f"行政处罚决定审批表（{self.clock.day}）"
        propose(page, summary)
        approve_in_inbox(self[REVIEWER], self.case_number, "处罚决定审批", "同意")
        approve_in_inbox(self[HEAD], self.case_number, "处罚决定审批", "同意")
        return label

    def decision_issued(self, fine: str = "5000") -> None:
        """The 处罚决定书 approved, signed by the head from the inbox and finalised, not yet
        served."""
        approval = self.decision_approved("行政处罚", f"拟警告并处罚款{fine}元，提请审批", fine)
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "行政处罚决定书")
        fill_document(
            page,
            {
                "行政处罚决定审批表": approval,
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

    # --- 邮寄送达被退回，公告送达 -------------------------------------------------------------

    def posted_and_returned(self, title: str, proof: Path) -> None:
        """The document sent by EMS and the letter returned: recorded as 未能送达 with the
        return reason; the mailing list already names the document and its 文号."""
        page = self.document_page(HANDLER, title)
        number = self.finals[title][1]
        choose_method(page, "邮寄送达")
        form = service_form(page)
        form.get_by_label("未能送达", exact=False).check()
        expect(form.get_by_label(labelled("邮寄文书清单（文书名称及文号）"))).to_have_value(
            f"{title} {number}"
        )
        expect(form.get_by_label(labelled("签收回执（扫描件）"))).to_be_hidden()
        form.get_by_label(labelled("邮寄方式")).select_option(label="邮政特快专递（EMS）")
        fill_service(
            page,
            texts={
                "受送达人": COMPANY,
                "邮件号码": "EA123456789CN",
                "退回原因": "原址查无此单位，邮件被退回（邮政退回批条：迁移新址不明）",
            },
            files={POSTAL_PROOF: proof},
        )
        form.get_by_label("送达日期").fill(self.clock.day)
        record_service(page)
        expect(page.locator(".messages")).to_contain_text("未能送达的情况已记录")
        row = page.get_by_test_id("services").locator('tr[data-method="postal"]')
        expect(row).to_have_attribute("data-outcome", "failed")
        expect(row).to_contain_text("未能送达")
        self.shot(page, "postal-returned")

    def public_notice_issued(self, title: str) -> None:
        """送达公告 naming the unserved document, signed by the head, numbered when issued."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "送达公告")
        form = page.get_by_test_id("document-form")
        served = form.get_by_label(labelled("公告送达的文书"))
        expect(served).to_have_value(str(self.finals[title][0]))
        fill_document(
            page,
            {
                "受送达人": COMPANY,
                "公告送达的原因": "以其他方式无法送达",
                "已采用的其他送达方式及无法送达的情况": "直接送达时原址已无人办公；"
                "以EMS（EA123456789CN）邮寄，邮件以查无此单位被退回",
                "公告的主要内容（处理结果、当事人的权利、履行期限和申请行政复议、提起行政诉讼的"
                "途径和期限）": f"本机关对{COMPANY}作出警告并处罚款5000元的决定；{REMEDY}",
                "视为送达的说明（自发出公告之日起经过三十日即视为送达）": "自发出公告之日起经过"
                "三十日，即视为送达",
                "公告方式和载体（公告栏、住所地张贴、报纸、网站）": "本机关公告栏、住所地张贴",
                "公告日期": self.clock.day,
            },
        )
        notice_id = save_draft(page)
        self.sign_from_inbox(HEAD, "送达公告", notice_id)
        page.reload()
        finalise(page)
        self.issued(page, "送达公告")

    def upload_recording(self, photo: Path, proves: str, *, minutes_ago: float = 30) -> None:
        """A photo (or video) taken on the way registered as a 音像记录 from the case page."""
        page = self.open_case_page(HANDLER)
        page.get_by_role("link", name="上传音像记录").click()
        page.locator("#evidence-file").set_input_files(photo)
        expect(page.get_by_test_id("upload-percent")).to_have_text("100 %")
        page.get_by_label("制作方法").fill("执法记录仪拍摄")
        page.get_by_label("录制开始时间").fill(self.clock.local(minutes=minutes_ago))
        page.get_by_label("制作人").select_option(label=officer("李娜"))
        page.get_by_label("证明对象").fill(proves)
        page.get_by_role("button", name="提交").click()
        expect(page.locator(".messages")).to_contain_text(f"音像记录已登记：{photo.name}")

    def served_by_public_notice(self, title: str, photo: str) -> str:
        """公告送达 recorded on the document: the notice, the reason, the medium, the day and the
        photo of the posting; the page shows the day it counts as served (+30 days)."""
        page = self.document_page(HANDLER, title)
        choose_method(page, "公告送达")
        notice_id, notice_number = self.finals["送达公告"]
        form = service_form(page)
        notice = form.get_by_label(labelled("送达公告（已定稿）"))
        notice.select_option(str(notice_id))
        fill_service(
            page,
            texts={
                "受送达人": COMPANY,
                "公告送达的原因": "直接送达原址无人，邮寄送达被退回，以其他方式无法送达",
                "公告的媒体或张贴地点": "本机关公告栏及当事人住所地",
            },
            selects={RECORDING: photo},
        )
        form.get_by_label(labelled("公告日期")).fill(self.clock.day)
        record_service(page)
        expect(page.locator(".messages")).to_contain_text("送达已记录")
        row = page.get_by_test_id("services").locator('tr[data-method="public_notice"]')
        expect(row).to_have_attribute("data-outcome", "served")
        expect(row).to_contain_text("公告期满视为送达")
        expect(row).to_contain_text(f"送达公告 {notice_number}")
        expect(row).not_to_contain_text("送达公告 送达公告")
        expect(row.get_by_test_id("service-late")).to_have_count(0)  # published in time
        self.shot(page, "public-notice-served")
        return row.inner_text()

    def public_notice_record(self, places: str, photo: str) -> None:
        """公告送达记录: the reason and process kept in the file (民事诉讼法 第95条 第2款)."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "公告送达记录")
        picker = page.get_by_test_id("document-form").get_by_label(labelled("送达公告"))
        expect(picker).to_have_value(str(self.finals["送达公告"][0]))
        fill_document(
            page,
            {
                "公告送达的原因和经过": "直接送达原址无人办公，EMS邮寄被退回，经负责人批准公告送达",
                "公告方式和载体": "公告栏张贴、住所地张贴",
                "张贴地点、刊登的报纸或网址": places,
                "最后张贴或者刊登的日期": self.clock.day,
                "张贴（刊登）经办人": ["张伟", "李娜"],
            },
        )
        recording = page.get_by_test_id("document-form").get_by_label(
            labelled("张贴过程的照片、录像或网页截图")
        )
        recording.select_option(
            label=next(
                t for t in recording.locator("option").all_inner_texts() if t.startswith(photo)
            )
        )
        record_id = save_draft(page)
        self.shot(page, "public-notice-record")
        sign_by_login(page)
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{record_id}/")
        sign_by_login(co)
        page.reload()
        finalise(page)

    # --- 调查终结 with another proposal -----------------------------------------------------

    def end_investigation_proposing(self, proposal: str, facts: str, law: str) -> None:
        """调查终结报告 proposing *proposal* (不予行政处罚, 移送司法机关), signed by both handlers,
        approved from the inbox, the investigation ended."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "调查终结报告")
        fill_document(
            page,
            {
                "查明的违法事实": facts,
                "证据清单": "询问笔录、现场照片",
                "适用的法律依据": law,
                "裁量分析": "见查明的事实",
                "处理意见": proposal,
            },
        )
        report_id = save_draft(page)
        sign_by_login(page)
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{report_id}/")
        sign_by_login(co)
        page.reload()
        finalise(page)
        propose(page, f"调查终结，建议{proposal}，提请审批")
        approve_in_inbox(self[REVIEWER], self.case_number, "调查终结审批", "同意终结调查")
        approve_in_inbox(self[HEAD], self.case_number, "调查终结审批", "同意")
        page = self.open_case_page(HANDLER)
        page.get_by_role("button", name="终结调查").click()
        expect(page.locator(".messages")).to_contain_text("调查已终结")
        expect(page.locator(".toolbar .stage")).to_have_text("审查决定")

    # --- 不予行政处罚 -------------------------------------------------------------------------

    def no_penalty_decision_served(self, scan: Path) -> None:
        """不予行政处罚决定书 after the approval form says 不予行政处罚: signed by the head from
        the inbox, numbered, served directly."""
        approval = self.decision_approved("不予行政处罚", "初次违法且及时改正，拟不予行政处罚")
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "不予行政处罚决定书")
        form = page.get_by_test_id("document-form")
        expect(form.get_by_label(labelled("当事人地址"))).to_have_value(ADDRESS)
        fill_document(
            page,
            {
                "行政处罚决定审批表": approval,
                "当事人": COMPANY,
                "不予处罚的理由": "初次违法且危害后果轻微并及时改正",
                "事实和理由": "当事人2025年度统计年报从业人员期末人数报送有误，系初次违法，"
                "危害后果轻微，已于立案后更正，依《行政处罚法》第三十三条第一款不予行政处罚",
                "申请行政复议、提起行政诉讼的途径和期限": REMEDY,
                "作出决定的日期": self.clock.day,
            },
        )
        decision_id = save_draft(page)
        self.sign_from_inbox(HEAD, "不予行政处罚决定书", decision_id)
        page.reload()
        finalise(page)
        self.issued(page, "不予行政处罚决定书")
        self.serve_here(page, scan)
        page = self.open_case_page(HANDLER)
        expect(page.locator(".toolbar .stage")).to_have_text("送达执行")

    # --- 撤销立案 -----------------------------------------------------------------------------

    def withdrawal_approved(self) -> str:
        """撤案审批表: written and signed by the handlers, then by the reviewer and the head from
        their inbox, finalised; returns the label the closing report's picker shows."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "撤案审批表")
        fill_document(
            page,
            {
                "撤案情形": "违法事实不能成立",
                "撤案理由": "经核对工资册、考勤记录和社保缴费名单，当事人报送的从业人员期末人数"
                "与原始记录一致，举报所称的违法事实不能成立",
                "承办人": ["张伟", "李娜"],
            },
        )
        report_id = save_draft(page)
        sign_by_login(page)
        co = self[CO_HANDLER]
        co.goto(f"{self.case_url}documents/{report_id}/")
        sign_by_login(co)
        self.sign_from_inbox(REVIEWER, "撤案审批表", report_id)
        self.sign_from_inbox(HEAD, "撤案审批表", report_id)
        page.reload()
        finalise(page)
        self.issued(page, "撤案审批表")
        case_page = self.open_case_page(HANDLER)
        expect(case_page.get_by_test_id("gate-problems")).to_contain_text("结案审批表")
        expect(case_page.get_by_role("button", name="终结调查")).to_have_count(0)
        expect(case_page.get_by_test_id("decision-deadline")).to_have_count(0)
        return f"撤案审批表（{self.clock.day}）"

    # --- 移送司法机关 -------------------------------------------------------------------------

    def transfer_letter(self) -> None:
        """涉嫌犯罪案件移送书 to the public security organ, signed by the head, numbered."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "涉嫌犯罪案件移送书")
        fill_document(
            page,
            {
                "接收机关": "栾川县公安局",
                "涉嫌犯罪的事实": "当事人为骗取财政补贴，伪造2025年度统计台账及原始凭证，"
                "涉嫌伪造、变造国家机关公文或者诈骗，数额较大",
                "证据清单": "询问笔录1份、现场照片1张、伪造的统计台账复印件",
                "移送依据": "《行政处罚法》第二十七条；《统计法实施条例》第五十一条；"
                "《行政执法机关移送涉嫌犯罪案件的规定》第三条",
                "移送日期": self.clock.day,
            },
        )
        letter_id = save_draft(page)
        self.sign_from_inbox(HEAD, "涉嫌犯罪案件移送书", letter_id)
        page.reload()
        finalise(page)
        self.issued(page, "涉嫌犯罪案件移送书")

    # --- 结案 ---------------------------------------------------------------------------------

    def closing_report_for(self, outcome: str, decision: str, summary: str) -> None:
        """结案审批表 naming the document that ended the case (*decision*, as its picker
        labels it), signed by the handlers, the reviewer and the head, finalised."""
        page = self[HANDLER]
        new_document(page, self.url, self.case_id, "结案审批表")
        fill_document(
            page,
            {
                "案件处理结果": outcome,
                "处理决定文书": decision,
                "案件办理情况": summary,
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

    def close_from_case_page(self, link: str, ended: str = "") -> None:
        """结案 from the page the case page links to (履行与执行, or 结案 for a case that ends
        without a decision, whose page says how it *ended*)."""
        page = self.open_case_page(HANDLER)
        page.locator(".toolbar").get_by_role("link", name=link, exact=True).click()
        if ended:
            expect(page.get_by_test_id("ended")).to_contain_text(ended)
            expect(page.get_by_test_id("no-decision")).to_have_count(0)
        expect(page.get_by_test_id("closing-problems")).to_have_text("结案条件已齐备。")
        self.shot(page, f"closing-{link}")
        page.get_by_test_id("closing").get_by_role("button", name="结案").click()
        expect(page.locator(".messages")).to_contain_text("案件已结案")
        page = self.open_case_page(HANDLER)
        expect(page.locator(".toolbar .stage")).to_have_text("已结案")
