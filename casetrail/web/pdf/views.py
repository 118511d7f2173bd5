"""PDF downloads (logged-in, access-checked) and the public verification page /v/<code>.

Thin views: ask `access` → call one selector or action → respond. URL names: `document-pdf`,
`document-blank-pdf`, `verify-lookup`, `verify-document` (docs/documents.md, "Pages"). A PDF of
a confidential case is ledgered as a read by `casetrail.web.reads`, by URL name.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from casetrail import access
from casetrail.cases.actions.reads import read_is_recorded
from casetrail.cases.document_sheets import blank_sheet, document_sheet
from casetrail.cases.document_verification import (
    UploadTooLarge,
    find_issued,
    is_confidential,
    public_view,
    sha256_of,
)
from casetrail.cases.documents import Document
from casetrail.cases.facts import agency_catalogue
from casetrail.documents.codes import normalise
from casetrail.documents.models import IssuedPdf
from casetrail.documents.ratelimit import over_limit
from casetrail.documents.render import pdf_file_name, render_pdf
from casetrail.evidence.storage import primary_store

TOO_MANY = "请求过于频繁，请一分钟后再试。"


def _pdf_response(pdf: bytes, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store" if private else "private"
    return response


@login_required
@require_GET
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    """The issued PDF of a final document (the stored bytes), else a draft to print."""
    document = get_object_or_404(Document.objects.select_related("case__agency"), pk=document_id)
    case = access.case_for_view(request.user, document.case_id)
    issued = IssuedPdf.objects.filter(document=document).first()
    if issued is not None:
        with primary_store().open(issued.sha256) as handle:
            pdf = handle.read()
    else:
        pdf = render_pdf(document_sheet(document))
    final = getattr(document, "final", None)
    name = final.number if final is not None and final.number else document.title
    suffix = "" if final is not None else "（草稿）"
    return _pdf_response(pdf, pdf_file_name(f"{name}{suffix}"), private=read_is_recorded(case))


@login_required
@require_GET
def blank_form_pdf(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    """A blank form of *kind*, with the case number and parties filled in, to fill by hand."""
    case = access.case_for_view(request.user, case_id)
    catalogue = agency_catalogue(case)
    if kind not in catalogue:
        raise Http404("本机关未启用这种文书")
    pdf = render_pdf(blank_sheet(case, kind))
    name = pdf_file_name(f"{catalogue[kind].title}（空白）{case.case_number}")
    return _pdf_response(pdf, name, private=read_is_recorded(case))


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "documents/verify.html", {"limited": TOO_MANY}, status=429)
    response["Retry-After"] = "60"
    return response


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """The page where a code is typed in by hand (from the paper)."""
    if over_limit(request):
        return _too_many(request)
    typed = request.GET.get("code", "").strip()
    if typed:
        code = normalise(typed)
        if code is not None:
            return redirect("verify-document", code=code)
        return render(
            request, "documents/verify.html", {"lookup": True, "typed": typed, "bad": True}
        )
    return render(request, "documents/verify.html", {"lookup": True})


@require_http_methods(["GET", "POST"])
def verify_document(request: HttpRequest, code: str) -> HttpResponse:
    """Whether *code* belongs to an issued document, and whether an uploaded file is it."""
    if over_limit(request):
        return _too_many(request)
    canonical = normalise(code)
    if request.method == "GET" and canonical is not None and canonical != code:
        return redirect("verify-document", code=canonical)
    issued = find_issued(code)
    context: dict[str, object] = {"code": canonical or code, "issued": issued is not None}
    if issued is not None:
        confidential = is_confidential(issued)
        context["confidential"] = confidential
        context["public"] = None if confidential else public_view(issued)
    if request.method == "POST":
        upload = request.FILES.get("pdf")
        if upload is None:
            context["upload_error"] = "请选择要核验的PDF文件"
        else:
            try:
                uploaded = sha256_of(upload)
            except UploadTooLarge as error:
                context["upload_error"] = str(error)
            else:
                context["upload"] = {
                    "sha256": uploaded,
                    "identical": issued is not None and uploaded == issued.sha256,
                }
    return render(request, "documents/verify.html", context, status=200 if issued else 404)
