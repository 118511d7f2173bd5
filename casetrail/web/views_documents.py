"""The document pages: choose a kind, fill its generated form, sign, refuse, finalise, serve.

Thin views: validate input → ask `access` → call one action → render. A refused act writes
nothing and shows its message (with its article) next to the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from casetrail import access, clock
from casetrail.cases.actions import REFUSALS
from casetrail.cases.actions.documents import (
    do_create_document,
    do_edit_draft,
    do_finalise_document,
    do_record_refusal,
    do_record_signature,
    do_sign_document,
)
from casetrail.cases.actions.review import do_sign_approval
from casetrail.cases.document_sheets import preview_sheet
from casetrail.cases.documents import Document, DocumentFinal, Signature
from casetrail.cases.facts import agency_catalogue, case_facts
from casetrail.cases.models import Case
from casetrail.cases.selectors import roles_of
from casetrail.digits import NotAWholeNumber, whole_number
from casetrail.documents.render import pdf_file_name, render_pdf
from casetrail.evidence.storage import stored_file_response
from casetrail.policy.catalogue import DocumentKind, clean_fields
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.guards import finalise_problems
from casetrail.procedure.stages import stage_label
from casetrail.web.case_page import versions
from casetrail.web.document_page import (
    SUBJECT_OF_KIND,
    chain_view,
    field_rows,
    person_name,
    signer_rows,
)
from casetrail.web.forms_documents import (
    CaseChoices,
    DocumentForm,
    add_refusal,
    initial_for_new,
    initial_from,
    kinds_for_stage,
)
from casetrail.web.forms_service import ServiceChoices, ServiceForm, initial_service
from casetrail.web.forms_signing import (
    OpinionForm,
    PaperSignatureForm,
    PersonPanel,
    RefusalForm,
    ScreenSignatureForm,
)
from casetrail.web.service_page import service_links, service_rows


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _kind(case: Case, code: str) -> DocumentKind:
    kind = agency_catalogue(case).get(code)
    if kind is None:
        raise Http404("本机关未启用这种文书")
    return kind


def case_document(case: Case, document_id: int) -> Document:
    return get_object_or_404(
        Document.objects.select_related("case", "case__agency"), pk=document_id, case=case
    )


@login_required
def document_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """新建文书: the kinds this case may make in its current stage."""
    case = access.case_for_view(request.user, case_id)
    kinds = [
        kind
        for kind in kinds_for_stage(
            agency_catalogue(case), stage=case.stage, procedure=case.procedure
        )
        if access.can_write_document(request.user, case, kind.code)
    ]
    if not kinds and not access.can_act(request.user, case, "participate"):
        raise PermissionDenied("您不能制作本案的文书")
    context = {"case": case, "kinds": kinds, "stage": stage_label(case.stage)}
    return render(request, "web/document_new.html", context)


def preview_pdf(case: Case, kind: DocumentKind, form: DocumentForm) -> HttpResponse:
    """预览: the PDF the form's values will print as (a draft, nothing saved), in a new tab."""
    fields = clean_fields(kind, form.raw_fields())
    pdf = render_pdf(preview_sheet(case, kind.code, fields))
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = content_disposition_header(False, pdf_file_name(f"{kind.title}（预览）"))
    response["Content-Disposition"] = disposition or "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def document_create(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    case = access.case_for_document(request.user, case_id, kind)
    spec = _kind(case, kind)
    supersedes: Document | None = None
    if request.GET.get("supersedes"):
        try:
            corrected = whole_number(request.GET["supersedes"], "supersedes（被更正的文书编号）")
        except NotAWholeNumber as problem:
            return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")
        supersedes = get_object_or_404(Document, pk=corrected, case=case, kind=kind)
    choices = CaseChoices.of(case)
    initial = (
        initial_from(spec, supersedes.fields) if supersedes else initial_for_new(spec, choices)
    )
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        kind=spec,
        choices=choices,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid() and "preview" in request.POST:
        return preview_pdf(case, spec, form)
    if request.method == "POST" and form.is_valid():
        try:
            document = do_create_document(
                acting_user=_user(request),
                case=case,
                kind=kind,
                fields=form.raw_fields(),
                supersedes=supersedes,
            )
        except REFUSALS as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"{document.title}已保存为草稿，请签名后定稿")
            return redirect("document-detail", case_id=case.pk, document_id=document.pk)
    context = {"case": case, "kind": spec, "form": form, "supersedes": supersedes}
    return render(request, "web/document_form.html", context)


@login_required
def document_edit(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    """编辑草稿: the form prefilled with the draft; saving keeps this version and adds the next."""
    case, document = _writable(request, case_id, document_id)
    spec = _kind(case, document.kind)
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        kind=spec,
        choices=CaseChoices.of(case),
        initial=initial_from(spec, document.fields),
    )
    if request.method == "POST" and form.is_valid() and "preview" in request.POST:
        return preview_pdf(case, spec, form)
    if request.method == "POST" and form.is_valid():
        try:
            edited = do_edit_draft(
                acting_user=_user(request), document=document, fields=form.raw_fields()
            )
        except REFUSALS as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"{edited.title}：修改已保存为新版本，请签名后定稿")
            return redirect("document-detail", case_id=case.pk, document_id=edited.pk)
    context = {"case": case, "kind": spec, "form": form, "edits": document}
    return render(request, "web/document_form.html", context)


def render_document(
    request: HttpRequest,
    case: Case,
    document: Document,
    *,
    bound: dict[str, dict[str, forms.Form]] | None = None,
    finalise_refusal: str = "",
    service_form: ServiceForm | None = None,
    service_checked: bool = False,
    propose_form: OpinionForm | None = None,
) -> HttpResponse:
    kind = _kind(case, document.kind)
    final = DocumentFinal.objects.filter(document=document).first()
    me = access.officer_of(request.user)
    my_roles = roles_of(me, case.agency) if me else frozenset()
    rows = signer_rows(kind, document, final=final is not None, me=me, my_roles=my_roles)
    superseded_by = list(document.superseded_by.all())
    can_write = access.can_write_document(request.user, case, kind.code)
    open_for_work = final is None and not superseded_by and can_write
    problems: list[RuleViolation] = []
    if final is None and not superseded_by:
        facts = case_facts(case)
        doc = facts.document(document.pk)
        problems = finalise_problems(facts, doc) if doc else []
    panels = [
        PersonPanel(
            row, case, person_name(kind, document, row.signer), (bound or {}).get(row.signer, {})
        )
        for row in rows
        if row.person and row.state == "missing" and open_for_work
    ]
    can_handle = access.can_act(request.user, case, "handle")
    chain = chain_view(document)
    draft_versions = [] if final else versions(document, _case_documents(case))
    services = service_rows(document)
    context: dict[str, Any] = {
        "case": case,
        "document": document,
        "kind": kind,
        "final": final,
        "fields": field_rows(kind, document),
        "signers": rows,
        "panels": panels,
        "problems": problems,
        "finalise_refusal": finalise_refusal,
        "superseded_by": superseded_by,
        "can_write": can_write,
        "can_finalise": open_for_work,
        "can_correct": can_write and final is not None and not superseded_by,
        "can_edit": open_for_work,
        "versions": draft_versions,
        "newest": _newest(document) if superseded_by and final is None else None,
        "chain": chain,
        "can_propose": can_handle
        and final is not None
        and chain is not None
        and chain.outcome == "none",
        "propose_form": propose_form or OpinionForm(),
        "services": services,
        "served": any(not row.failed for row in services),
    }
    if can_handle and final is not None and kind.seal and not superseded_by:
        context["service_form"] = service_form or ServiceForm(
            choices=ServiceChoices.of(case, document),
            initial=initial_service(case, document, clock.today()),
        )
        context["service_checked"] = service_checked
        context["service_links"] = service_links(case, document)
    return render(request, "web/document_detail.html", context)


def _case_documents(case: Case) -> dict[int, Document]:
    return {d.pk: d for d in Document.objects.filter(case=case).select_related("final")}


def _newest(document: Document) -> Document:
    """The newest version of an edited draft."""
    newest = document
    while (later := newest.superseded_by.order_by("pk").last()) is not None:
        newest = later
    return newest


@login_required
def document_detail(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case = access.case_for_view(request.user, case_id)
    return render_document(request, case, case_document(case, document_id))


def _writable(request: HttpRequest, case_id: int, document_id: int) -> tuple[Case, Document]:
    """The case and document if *user* may write documents of its kind: 404 unseen, else 403."""
    case = access.case_for_view(request.user, case_id)
    document = case_document(case, document_id)
    if not access.can_write_document(request.user, case, document.kind):
        raise PermissionDenied("您不能修改本案的这种文书")
    return case, document


def back_to(case: Case, document: Document) -> HttpResponse:
    return redirect("document-detail", case_id=case.pk, document_id=document.pk)


@login_required
@require_POST
def document_sign(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    """本人签名: an officer signs the block that names them (or their role) by their login."""
    case = access.case_for_act(request.user, case_id, "participate")
    document = case_document(case, document_id)
    try:
        do_sign_document(
            acting_user=_user(request), document=document, signer=request.POST.get("signer", "")
        )
    except REFUSALS as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "已签名")
    return back_to(case, document)


@login_required
@require_POST
def document_signature(
    request: HttpRequest, case_id: int, document_id: int, method: str
) -> HttpResponse:
    """A person's signature: the scan of the signed page, or drawn on screen."""
    case, document = _writable(request, case_id, document_id)
    signer = request.POST.get("signer", "")
    form: PaperSignatureForm | ScreenSignatureForm
    if method not in ("paper", "screen"):
        raise Http404("未知的签名方式")
    if method == "paper":
        form = PaperSignatureForm(request.POST, request.FILES, prefix=f"{signer}-paper")
    else:
        form = ScreenSignatureForm(request.POST, prefix=f"{signer}-screen")
    if form.is_valid():
        image, filename = form.image()
        try:
            do_record_signature(
                acting_user=_user(request),
                document=document,
                signer=signer,
                name=form.cleaned_data["name"],
                method=method,
                image=image,
                filename=filename,
                relationship=form.cleaned_data["relationship"],
            )
        except REFUSALS as refusal:
            image_field = "scan" if method == "paper" else "image_data"
            add_refusal(form, refusal, {"image": image_field, "method": image_field})
        else:
            messages.success(request, "签名已记录")
            return back_to(case, document)
    bound: dict[str, dict[str, forms.Form]] = {signer: {method: form}}
    return render_document(request, case, document, bound=bound)


@login_required
@require_POST
def document_refusal(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    """拒签: the person refused; reason, time and a witness (Seed A art. 9 第2款)."""
    case, document = _writable(request, case_id, document_id)
    signer = request.POST.get("signer", "")
    form = RefusalForm(request.POST, prefix=f"{signer}-refusal", case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_record_refusal(
                acting_user=_user(request),
                document=document,
                signer=signer,
                person_name=data["person_name"],
                reason=data["reason"],
                refused_at=data["refused_at"],
                witness_name=data["witness_name"],
                witness_officer=data["witness_officer"],
                recording=data["recording"],
            )
        except REFUSALS as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, "拒签情况已记录")
            return back_to(case, document)
    return render_document(request, case, document, bound={signer: {"refusal": form}})


@login_required
@require_POST
def document_finalise(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case, document = _writable(request, case_id, document_id)
    try:
        final = do_finalise_document(acting_user=_user(request), document=document)
    except REFUSALS as refusal:
        return render_document(request, case, document, finalise_refusal=str(refusal))
    number = f"，文号 {final.number}" if final.number else ""
    messages.success(request, f"{document.title}已定稿{number}")
    return back_to(case, document)


@login_required
@require_POST
def document_propose(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    """提请审批: the handler starts the approval chain of a final report or approval form."""
    case = access.case_for_act(request.user, case_id, "handle")
    document = case_document(case, document_id)
    subject = SUBJECT_OF_KIND.get(document.kind)
    if subject is None:
        raise Http404("这种文书不需要审批")
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            do_sign_approval(
                acting_user=_user(request),
                case=case,
                subject=subject,
                step="handler",
                decision="propose",
                opinion=form.cleaned_data["opinion"],
                document=document,
            )
        except REFUSALS as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, "已提请审批，等待审核人审核")
            return back_to(case, document)
    return render_document(request, case, document, propose_form=form)


@login_required
def signature_image(
    request: HttpRequest, case_id: int, document_id: int, signature_id: int
) -> FileResponse:
    """The stored image of a person's signature (scan or handwriting), for whoever sees the case."""
    case = access.case_for_view(request.user, case_id)
    signature = get_object_or_404(
        Signature.objects.select_related("image"),
        pk=signature_id,
        document_id=document_id,
        document__case=case,
    )
    if signature.image is None:
        raise Http404("该签名没有图像")
    blob = signature.image
    return stored_file_response(blob.sha256, blob.media_type)
