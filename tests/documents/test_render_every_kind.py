"""Every kind of the catalogue renders: title and every value in the text, every font embedded,
PDF/A-2 metadata, the QR code on the page decoding to the verification URL.

GIVEN a sheet of each kind with a value in every field (no database), WHEN it is rendered,
THEN poppler reads back what a person reads, and zbar what a phone scans.
"""

from __future__ import annotations

import pytest

from casetrail.documents.render import render_pdf, template_names
from casetrail.policy.catalogue import builtin_catalogue
from tests.documents import pdftools
from tests.documents.samples import sample_sheet

KINDS = sorted(builtin_catalogue())
OWN_TEMPLATES = [
    "decision",
    "prior_notice",
    "inquiry_transcript",
    "inspection_record",
    "hearing_notice",
]


@pytest.mark.parametrize("code", KINDS)
def test_every_kind_renders_with_its_values_in_embedded_fonts(code: str, pdf_tools: None) -> None:
    kind = builtin_catalogue()[code]
    sheet = sample_sheet(kind)
    pdf = render_pdf(sheet)

    text = pdftools.squeezed(pdftools.text(pdf))
    for expected in (kind.title, sheet.agency, sheet.number, sheet.code, "第1页共"):
        assert pdftools.squeezed(expected) in text, expected
    for row in sheet.rows:
        if row.type != "boolean":  # printed as 是/否 or folded into a sentence
            for line in row.value.split("\n"):  # a value's lines may fall on two pages
                assert pdftools.squeezed(line) in text, f"{code}.{row.name}: {row.value}"
    for block in sheet.signers:
        assert pdftools.squeezed(block.label) in text
    fonts = pdftools.fonts(pdf)
    assert fonts, "no font at all"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert any("Noto-Serif-CJK-SC" in font["name"] for font in fonts)
    assert 'pdfaid:part="2"' in pdftools.info(pdf) or "<pdfaid:part>2" in pdftools.info(pdf)


@pytest.mark.parametrize("code", [*OWN_TEMPLATES, "witness_statement"])
def test_the_qr_code_decodes_to_the_verification_url(code: str, pdf_tools: None) -> None:
    sheet = sample_sheet(builtin_catalogue()[code])
    assert pdftools.qr_codes(render_pdf(sheet)) == [sheet.verify_url]


def test_main_kinds_have_their_own_template_and_others_the_generic_one() -> None:
    from django.template import loader

    for code in KINDS:
        chosen = loader.select_template(template_names(code)).template.name
        expected = code if code in OWN_TEMPLATES else "generic"
        assert chosen == f"documents/pdf/kinds/{expected}.html"


@pytest.mark.parametrize("code", KINDS)
def test_every_kind_has_a_blank_form_with_fields_to_fill(code: str, pdf_tools: None) -> None:
    kind = builtin_catalogue()[code]
    sheet = sample_sheet(kind, state="blank")
    pdf = render_pdf(sheet)
    text = pdftools.squeezed(pdftools.text(pdf))
    assert pdftools.squeezed(kind.title) in text
    assert "空白表格" in text
    assert pdftools.squeezed(sheet.case_number) in text
    if code not in OWN_TEMPLATES:  # their own templates fold some labels into sentences
        for row in sheet.rows:
            assert pdftools.squeezed(row.label) in text, f"{code}.{row.name}"
    assert all(font["emb"] == "yes" for font in pdftools.fonts(pdf))
