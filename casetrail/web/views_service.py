"""Service of a final document (送达) by one of seven methods, and its proof files.

Thin views: validate input → ask `access` → check (pure) or call `do_record_service` → render.
"检查所缺材料" asks the same rule the action asks, on a draft built from the form, and writes
nothing; a refused service shows the rule's message next to the field it names.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from casetrail import access
from casetrail.cases.actions import REFUSALS
from casetrail.cases.actions.service import do_record_service
from casetrail.cases.documents import Document, Service
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Case
from casetrail.evidence.models import Blob, Recording
from casetrail.evidence.storage import stored_file_response
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules.service import service_problem
from casetrail.web.forms_documents import add_refusal
from casetrail.web.forms_service import ServiceChoices, ServiceForm
from casetrail.web.service_page import PROOF_LABELS
from casetrail.web.views_documents import back_to, case_document, render_document


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _missing(case: Case, document: Document, form: ServiceForm) -> RuleViolation | None:
    """What the chosen method still lacks, as the action would refuse it (no writes)."""
    facts = case_facts(case)
    doc = facts.document(document.pk)
    if doc is None:
        raise Http404("文书不存在")
    recordings = frozenset(Recording.objects.filter(case=case).values_list("pk", flat=True))
    return service_problem(facts, form.draft(doc, recordings))


@login_required
@require_POST
def document_service(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    """送达: check what proof the chosen method still lacks, or record the service (Seed B
    art. 18–24; Seed A art. 11)."""
    case = access.case_for_act(request.user, case_id, "handle")
    document = case_document(case, document_id)
    form = ServiceForm(request.POST, request.FILES, choices=ServiceChoices.of(case, document))
    checked = False
    if form.is_valid():
        if request.POST.get("action") == "check":
            problem = _missing(case, document, form)
            if problem is not None:
                add_refusal(form, problem, form.aliases())
            checked = problem is None
        else:
            try:
                do_record_service(
                    acting_user=_user(request),
                    document=document,
                    method=form.chosen,
                    served_on=form.service_day,
                    recipient=form.recipient_text,
                    details=form.details(),
                    proof_files=form.proof_files(),
                    outcome=form.chosen_outcome,
                )
            except REFUSALS as refusal:
                add_refusal(form, refusal, form.aliases())
            else:
                failed = form.chosen_outcome == "failed"
                messages.success(request, "未能送达的情况已记录" if failed else "送达已记录")
                return back_to(case, document)
    return render_document(request, case, document, service_form=form, service_checked=checked)


@login_required
def service_proof(
    request: HttpRequest, case_id: int, document_id: int, service_id: int, name: str
) -> FileResponse:
    """A stored proof file of a service (scanned receipt, posting proof …), for whoever sees
    the case; its SHA-256 is the one the service recorded in the ledger."""
    case = access.case_for_view(request.user, case_id)
    service = get_object_or_404(
        Service, pk=service_id, document_id=document_id, document__case=case
    )
    sha256 = service.details.get(name)
    if name not in PROOF_LABELS or not isinstance(sha256, str):
        raise Http404("该送达记录没有这项凭证")
    blob = get_object_or_404(Blob, sha256=sha256)
    return stored_file_response(blob.sha256, blob.media_type)
