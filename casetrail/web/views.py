"""Thin views: validate input → ask `access` → call one action or selector → render."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casetrail import access
from casetrail.access.agencies import agencies_for_audit
from casetrail.cases import evidence_selectors, selectors
from casetrail.cases.actions import REFUSALS
from casetrail.cases.actions.start import (
    ApplicationInput,
    PartyInput,
    do_decide_filing,
    do_open_case,
    filing_chain,
)
from casetrail.cases.backup_status import backup_status
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Agency, StartType
from casetrail.ledger import proofs
from casetrail.ledger.checkpoints import latest_checkpoint, verifier
from casetrail.ledger.config import offsite_dir
from casetrail.ledger.models import LedgerEntry, LogHead
from casetrail.ledger.selectors import agency_log
from casetrail.procedure.rules.after_decision import closable_stage
from casetrail.procedure.rules.decision import extension_problem
from casetrail.procedure.rules.start import limitation_warning, next_step
from casetrail.procedure.stages import BEFORE_DECISION, stage_label
from casetrail.web import case_page, deadlines_page, paging, todo
from casetrail.web.approvals import INBOX_PAGE
from casetrail.web.forms import CaseSearchForm, FilingDecisionForm, OpenCaseForm
from casetrail.web.forms_signing import GatesForm, OpinionForm

FIELD_ALIASES = {"handlers": "co_handlers", "agency": "agency"}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a person lands after login: what their roles work on (`access.landing`)."""
    if access.landing(access.roles_anywhere(request.user)) == "approvals":
        return redirect("approval-inbox")
    return redirect("case-list")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The home page: the cases I handle (or all I may see), searched by number or party, 50 a
    page, newest first; a constant number of queries however many cases there are."""
    form = CaseSearchForm(request.GET)
    form.is_valid()
    roles = access.roles_anywhere(request.user)
    landing = access.landing(roles)
    scope = form.cleaned_data.get("scope") or ("mine" if landing == "mine" else "agency")
    query = (form.cleaned_data.get("q") or "").strip()
    cases = access.visible_cases(request.user)
    officer = access.officer_of(request.user)
    if scope == "mine" and officer is not None:
        cases = cases.filter(pk__in=access.handled_by(officer))
    if query:
        cases = cases.filter(pk__in=selectors.cases_matching(query))
    cases = cases.select_related("agency").prefetch_related("parties")
    page = paging.case_page(
        cases, before=request.GET.get("before", ""), after=request.GET.get("after", "")
    )
    context = {
        "cases": page.cases,
        "newer_url": _page_url(scope, query, after=page.newer) if page.newer else "",
        "older_url": _page_url(scope, query, before=page.older) if page.older else "",
        "first_url": _page_url(scope, query) if page.newer else "",
        "page_size": paging.PAGE_SIZE,
        "scope": scope,
        "q": query,
        "stage_label": stage_label,
        "due_soon": deadlines_page.due_soon(officer),
        # the 待办 of those whose home this is; reviewers and heads have theirs in the inbox
        "todo": todo.waiting_for(request.user, roles=roles) if landing != "approvals" else None,
        "inbox_page": INBOX_PAGE,
        "soon_days": deadlines_page.SOON_DAYS,
    }
    return render(request, "web/case_list.html", context)


def _page_url(scope: str, query: str, **cursor: str) -> str:
    params = {"scope": scope, **({"q": query} if query else {}), **cursor}
    return "?" + urlencode(params)


@login_required
def case_open(request: HttpRequest) -> HttpResponse:
    agencies = access.agencies_for_opening(request.user)
    me = access.officer_of(request.user)
    if me is None or not agencies.exists():
        raise Http404("您不是执法人员，不能启动案件")
    form = OpenCaseForm(request.POST or None, agencies=agencies, me=me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = do_open_case(
                acting_user=_user(request),
                agency=data["agency"],
                start_type=data["start_type"],
                procedure=data["procedure"],
                cause=data["cause"],
                summary=data["summary"],
                opinion=data["opinion"],
                confidentiality=data["confidentiality"],
                co_handlers=list(data["co_handlers"]),
                emergency_reason=data["emergency_reason"],
                parties=[_party_input(data)],
                application=_application_input(data),
                violation_on=data["violation_on"],
                discovered_on=data["discovered_on"],
                limitation_five_years=bool(data["limitation_five_years"]),
            )
        except REFUSALS as refusal:
            field = FIELD_ALIASES.get(refusal.field, refusal.field)
            form.add_error(field if field in form.fields else None, str(refusal))
        else:
            messages.success(request, f"案件已启动，案号 {case.case_number}")
            return redirect("case-detail", case_id=case.pk)
    return render(request, "web/case_open.html", {"form": form})


def _party_input(data: dict[str, object]) -> PartyInput:
    return PartyInput(
        kind=str(data["party_kind"]),
        name=str(data["party_name"]),
        address=str(data["party_address"]),
        phone=str(data["party_phone"]),
        sex=str(data["party_sex"]),
        id_type=str(data["party_id_type"]),
        id_number=str(data["party_id_number"]),
        uscc=str(data["party_uscc"]),
        legal_representative=str(data["party_legal_representative"]),
        individual_business=bool(data["party_individual_business"]),
    )


def _application_input(data: dict[str, object]) -> ApplicationInput | None:
    if data["start_type"] != StartType.ON_APPLICATION:
        return None
    received_on = data["received_on"]
    if not isinstance(received_on, date):
        return None
    return ApplicationInput(
        applicant=str(data["applicant"]), received_on=received_on, request=str(data["request"])
    )


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case: its rows are read once for the page and for its facts (a fixed number of
    queries whatever the number of documents, approvals and recordings)."""
    case = selectors.with_rows(access.case_for_view(request.user, case_id))
    pending = next_step(filing_chain(case))
    facts = case_facts(case)
    acts = access.case_acts(request.user, case)
    context = {
        "case": case,
        "stage": stage_label(case.stage),
        "parties": case.parties.all(),
        "handlers": case.handlers.all(),
        "approvals": selectors.filing_approvals(case),
        "timeline": selectors.timeline(
            case, titles={d.pk: d.title for d in selectors.case_documents(case)}
        ),
        "backfill": selectors.emergency_backfill(case, facts.calendar),
        "closable": closable_stage(facts),
        "limitation": limitation_warning(
            case.violation_on, case.discovered_on, five_years=case.limitation_five_years
        ),
        "recordings": evidence_selectors.case_recordings(case),
        "backup": backup_status(case.agency),
        "can_handle": "handle" in acts,
        "can_participate": "participate" in acts,
        "documents": case_page.documents_by_stage(case, facts.catalogue),
        "gate": case_page.next_gate(facts),
        "flags": case_page.compliance_flags(facts, case),
        "deadline": case_page.decision_deadline(facts),
        "case_deadlines": deadlines_page.case_deadline_rows(facts),
        "gates_form": GatesForm(),
        "before_decision": case.stage in BEFORE_DECISION,
        "extension_form": OpinionForm(),
        "extension_refusal": extension_problem(facts),
        "pending_step": pending,
        "can_decide": pending in ("reviewer", "approver") and "decide_filing" in acts,
        "decision_form": FilingDecisionForm(initial={"step": pending}),
    }
    return render(request, "web/case_detail.html", context)


@login_required
@require_POST
def case_filing_decision(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access.case_for_act(request.user, case_id, "decide_filing")
    form = FilingDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审批意见：必须填写")
        return redirect("case-detail", case_id=case.pk)
    try:
        do_decide_filing(
            acting_user=_user(request),
            case=case,
            step=form.cleaned_data["step"],
            decision=form.cleaned_data["decision"],
            opinion=form.cleaned_data["opinion"],
        )
    except REFUSALS as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "审批意见已签署")
    return redirect("case-detail", case_id=case.pk)


@login_required
def case_act_proof(request: HttpRequest, case_id: int, entry_id: int) -> JsonResponse:
    """An act of the case with its payload and inclusion proof, for offline checking."""
    case = access.case_for_view(request.user, case_id)
    entry = get_object_or_404(LedgerEntry.objects.select_related("leaf"), pk=entry_id, case=case)
    log = agency_log(case.agency)
    document: dict[str, object] = {
        "payload": entry.payload,
        "leaf_hash": entry.leaf_hash,
        "public_key": verifier(log).key_string(),
    }
    if hasattr(entry, "leaf"):
        document["index"] = entry.leaf.index
        try:
            document["inclusion"] = proofs.inclusion(log, entry.leaf.index)
        except proofs.ProofRequestError as pending:
            document["inclusion"] = None
            document["pending"] = f"尚未被签名检查点覆盖：{pending}"
    else:
        document["index"] = None
        document["pending"] = "尚未入树（等待后台任务编排）"
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="{case.agency.code}-act-{entry.pk}-proof.json"'
    )
    return response


@login_required
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.select_related("parent"), pk=agency_id)
    if not access.can_view_agency(request.user, agency):
        raise Http404("机关不存在或您无权查看")
    log = agency_log(agency)
    context = {
        "agency": agency,
        "profile": agency.profile,
        "origin": log.origin,
        "public_key": verifier(log).key_string(),
        "checkpoint": latest_checkpoint(agency.pk),
        "integrated": LogHead.objects.get(agency=agency).size,
        "offsite_configured": offsite_dir() is not None,
        "backup": backup_status(agency),
        "legal_reviewers": access.agency_legal_reviewers(agency),
        "can_audit": agencies_for_audit(request.user).filter(pk=agency.pk).exists(),
    }
    return render(request, "web/agency_detail.html", context)
