"""Sheet → HTML (the kind's Django template) → PDF (WeasyPrint), deterministically.

The same sheet gives the same bytes: the PDF's dates are the finalisation's, its file
identifier is WeasyPrint's hash of the content, font subsets are named by a hash of the font
description, the QR code is vector (segno's SVG), and nothing is fetched from outside (only
`data:` URIs are allowed). The archive copy is PDF/A-2u.
"""

from __future__ import annotations

import hashlib
import io
import logging
from functools import cache
from importlib.metadata import version
from pathlib import Path

import segno
from django.template import loader
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from casetrail.documents.sheet import Sheet

ARCHIVE_VARIANT = "pdf/a-2u"
TEMPLATES = Path(__file__).resolve().parent / "templates" / "documents" / "pdf"
BODY_FONT = "Noto Serif CJK SC"
HEADING_FONT = "Noto Sans CJK SC"
# WeasyPrint warns about CSS it ignores (e.g. the forms' appearance); not our readers' concern.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class RenderError(RuntimeError):
    """The PDF cannot be made as it must be (e.g. the CJK font is not installed)."""


def template_names(kind: str) -> list[str]:
    """The kind's own template, else the generic layout (docs/documents.md, "Templates")."""
    return [f"documents/pdf/kinds/{kind}.html", "documents/pdf/kinds/generic.html"]


def qr_data_uri(url: str) -> str:
    qr = segno.make(url, error="m", micro=False)
    return qr.svg_data_uri(scale=4, border=0, dark="#000", light=None)


def sheet_html(sheet: Sheet) -> str:
    template = loader.select_template(template_names(sheet.kind))
    context = {"sheet": sheet, "f": sheet.fields}
    context.update(body_font=BODY_FONT, heading_font=HEADING_FONT)
    if sheet.verify_url:
        context["qr"] = qr_data_uri(sheet.verify_url)
    html: str = template.render(context)
    return html


def _fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


@cache
def renderer_version() -> str:
    """What made the PDF: a re-render matches its bytes only with the same libraries, font and
    templates (the digest of this app's template folder)."""
    return (
        f"WeasyPrint {version('weasyprint')}; pydyf {version('pydyf')}; "
        f"fonttools {version('fonttools')}; {_body_font()}; templates {templates_digest()}"
    )


def templates_digest() -> str:
    """SHA-256 (first 12 hex digits) of every file of the document templates, by path."""
    digest = hashlib.sha256()
    for path in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(TEMPLATES).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def _body_font() -> str:
    """The body font as installed, with its version; refuses to go on without it."""
    probe = HTML(string=f'<p style="font-family: {BODY_FONT}">文</p>', url_fetcher=_fetcher())
    document = probe.render()
    document.write_pdf()  # the fonts are known once the page is drawn
    fonts = [f for f in document.fonts.values() if f.family == BODY_FONT]
    if not fonts:
        raise RenderError(
            f"找不到字体 {BODY_FONT}：请安装 Debian 软件包 fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk)，否则文书无法按规定字体生成"
        )
    from fontTools.ttLib import TTFont

    face = TTFont(io.BytesIO(fonts[0].file_content), lazy=True)
    version_string = face["name"].getDebugName(5) or "(unknown version)"
    return f"{BODY_FONT} {version_string.split(';')[0]}"


def pdf_file_name(text: str) -> str:
    """*text* (a 文号, a title) as a file name: no path separators or shell-hostile marks."""
    return "".join("_" if c in '/\\:*?"<>|' else c for c in text) + ".pdf"


def render_pdf(sheet: Sheet) -> bytes:
    """The PDF of *sheet*: PDF/A-2u for a final document, plain PDF for a draft or blank form.

    A blank form has lines and boxes to write on, not PDF form fields: those make WeasyPrint
    embed the whole CJK font (16 MB a form instead of 0.2 MB)."""
    renderer_version()  # the font is there (else RenderError)
    html = HTML(string=sheet_html(sheet), url_fetcher=_fetcher(), base_url="data:,")
    options: dict[str, object] = {}
    if sheet.final:
        options.update(pdf_variant=ARCHIVE_VARIANT, pdf_identifier=True)
    pdf = html.write_pdf(**options)
    assert isinstance(pdf, bytes)
    return pdf
