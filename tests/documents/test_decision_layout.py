"""The 行政处罚决定书 as the national 范本 lays it out (issue #16 item 4): the party's particulars
line by line (no stray "；"); the facts, the evidence, the provisions violated and the basis each
in its fixed sentence, with the penalty made from its type and amount; no approval sentence; the
QR code beside the 文号; the seal, its date and the signatures at the end of the text, never on
a page of their own; "（印章）" clear of the agency's name in the seal's circle."""

from __future__ import annotations

import dataclasses
import re

import pytest

from casetrail.documents.formatting import money
from casetrail.documents.render import render_pdf
from casetrail.documents.sheet import Sheet
from casetrail.policy.catalogue import builtin_catalogue
from tests.documents import pdftools
from tests.documents.samples import sample_sheet

VALUES: dict[str, tuple[str, object]] = {
    "party": ("栾川县某某钼业有限公司", None),
    "party_address": ("河南省洛阳市栾川县赤土店镇某村", None),
    "facts": ("经查，你单位2025年统计年报从业人员期末人数报送不实。", None),
    "evidence": ("询问笔录、现场检查笔录、工资发放表。", None),
    "violated_provisions": ("《中华人民共和国统计法》第七条", None),
    "legal_basis": ("《中华人民共和国统计法》第四十一条第二款的规定。", None),  # trimmed
    "penalty_type": ("警告并处罚款", "warning_and_fine"),
    "hearing_transcript": ("", None),
    "fine": (money("30000.00"), "30000.00"),
    "performance": ("自收到本决定书之日起十五日内，到指定银行缴纳罚款。", None),
    "remedy": ("如不服本决定，可在六十日内申请行政复议，或者在六个月内提起行政诉讼。", None),
}
DETAILS = (
    ("统一社会信用代码", "91410324MA3K2L5P55"),
    ("法定代表人", "刘某某"),
    ("地址", "河南省洛阳市栾川县赤土店镇某村"),
)


def decision_sheet(facts_repeated: int = 1) -> Sheet:
    sheet = sample_sheet(builtin_catalogue()["decision"])
    rows = []
    for row in sheet.rows:
        value, raw = VALUES.get(row.name, (row.value, row.raw))
        if row.name == "facts":
            value *= facts_repeated
        details = DETAILS if row.name == "party" else row.details
        rows.append(dataclasses.replace(row, value=value, raw=raw or value, details=details))
    return dataclasses.replace(sheet, rows=tuple(rows))


def page_text(pdf: bytes, page: int) -> str:
    return pdftools.squeezed(
        pdftools._run("pdftotext", "-f", str(page), "-l", str(page), "-raw", "{pdf}", "-", data=pdf)
    )


def test_the_sentences_read_as_the_template_composes_them(pdf_tools: None) -> None:
    pdf = render_pdf(decision_sheet())
    text = pdftools.squeezed(pdftools.text(pdf))
    assert (
        "上述事实，有以下证据证明：询问笔录、现场检查笔录、工资发放表。"
        "本机关认为，当事人的上述行为违反了《中华人民共和国统计法》第七条的规定。"
        "依据《中华人民共和国统计法》第四十一条第二款的规定，本机关决定对当事人作出如下行政处罚："
        "警告，并处罚款30,000.00元（人民币叁万元整）。"
    ) in text
    assert "本决定已经" not in text
    assert "的规定。的规定" not in text
    assert "法定代表人：刘某某地址" in text  # one particular a line, no "；" after it
    assert "；" not in text.split("当事人：")[1].split("经查")[0]
    assert pdftools.pages(pdf) == 1


def test_the_seal_never_stands_on_a_page_of_its_own(pdf_tools: None) -> None:
    for repeated in range(8, 30, 3):
        pdf = render_pdf(decision_sheet(repeated))
        pages = pdftools.pages(pdf)
        last = page_text(pdf, pages)
        assert "（印章）" in last
        assert "机关负责人（签名）" in last
        assert "提起行政诉讼" in last, f"{repeated}: the seal's page holds no text of the decision"
        assert "验证码：" in page_text(pdf, 1)  # the QR code and its code beside the 文号


def words(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    html = pdftools._run("pdftotext", "-bbox", "{pdf}", "-", data=pdf)
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in found]


def test_the_seal_label_is_clear_of_the_agency_name(pdf_tools: None) -> None:
    pdf = render_pdf(decision_sheet())
    placed = words(pdf)
    label = next(w for w in placed if "印章" in w[0])
    name = next(w for w in placed if w[0] == "栾川县统计局" and w[2] > label[2] - 60)
    assert label[4] <= name[2] or name[4] <= label[2], (label, name)  # no vertical overlap


def test_the_blank_form_keeps_the_sentences(pdf_tools: None) -> None:
    sheet = sample_sheet(builtin_catalogue()["decision"], state="blank")
    text = pdftools.squeezed(pdftools.text(render_pdf(sheet)))
    assert "违反了" in text
    assert "的规定。依据" in text


@pytest.mark.parametrize(
    "value", ["《统计法》第七条。", "《统计法》第七条的规定", "《统计法》第七条；"]
)
def test_a_citation_is_printed_once_inside_its_sentence(value: str, pdf_tools: None) -> None:
    sheet = decision_sheet()
    rows = tuple(
        dataclasses.replace(r, value=value) if r.name == "violated_provisions" else r
        for r in sheet.rows
    )
    text = pdftools.squeezed(pdftools.text(render_pdf(dataclasses.replace(sheet, rows=rows))))
    assert "违反了《统计法》第七条的规定。依据" in text


def test_the_notice_ends_its_penalty_sentence_once(pdf_tools: None) -> None:
    """The same fault in the 事先告知书: a penalty typed with its own "。" printed as
    "…元。（拟罚款…）。"."""
    sheet = sample_sheet(builtin_catalogue()["prior_notice"])
    rows = tuple(
        dataclasses.replace(r, value="警告，并处罚款人民币贰万元。")
        if r.name == "intended_penalty"
        else dataclasses.replace(r, value="《统计法》第四十四条的规定")
        if r.name == "legal_basis"
        else r
        for r in sheet.rows
    )
    text = pdftools.squeezed(pdftools.text(render_pdf(dataclasses.replace(sheet, rows=rows))))
    assert "依据《统计法》第四十四条的规定，本机关拟对你（单位）作出如下行政处罚：" in text
    assert "警告，并处罚款人民币贰万元（拟罚款50,000.00元" in text
    assert "。（拟罚款" not in text
