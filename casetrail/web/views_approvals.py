"""审批待办 and the acts of the case page that move it on: sign an approval step, end the
investigation, flag the case's gates, propose an extension of the time limit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casetrail import access
from casetrail.cases.actions import REFUSALS
from casetrail.cases.actions.review import (
    do_close_investigation,
    do_set_case_gates,
    do_sign_approval,
)
from casetrail.cases.actions.start import do_decide_filing
from casetrail.cases.documents import Document
from casetrail.cases.models import ApprovalSubject
from casetrail.procedure.citations import cite
from casetrail.web.approvals import (
    PendingChain,
    Reviewer,
    pending_chains,
    pending_signatures,
)
from casetrail.web.forms_documents import add_refusal
from casetrail.web.forms_signing import ApprovalStepForm, GatesForm, OpinionForm
from casetrail.web.todo import TodoItem, waiting_for


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class InboxItem:
    def __init__(
        self, chain: PendingChain, form: ApprovalStepForm | None, todo: TodoItem | None = None
    ) -> None:
        self.chain = chain
        self.deadline = todo.deadline if todo else None
        self.form = form or ApprovalStepForm(
            auto_id=f"id_{chain.key}_%s",
            initial={
                "case": chain.case.pk,
                "subject": chain.subject,
                "document": chain.document.pk if chain.document else None,
                "step": chain.next_step,
            },
        )


@login_required
def approval_inbox(request: HttpRequest) -> HttpResponse:
    """审批待办: every chain whose next step is the viewer's; approve or reject with opinion."""
    if not access.agencies_for_review(request.user).exists():
        raise Http404("您不是审核人或负责人，没有审批待办")
    bound: tuple[str, ApprovalStepForm] | None = None
    if request.method == "POST":
        form = ApprovalStepForm(request.POST)
        key = "-".join(request.POST.get(k) or "0" for k in ("case", "subject", "document"))
        form.auto_id = f"id_{key}_%s"
        if form.is_valid() and _sign(request, form):
            return redirect("approval-inbox")
        bound = (key, form)
    viewer = Reviewer.of(request.user)
    page = pending_chains(viewer, _page_number(request.GET.get("page")))
    todo = waiting_for(request.user, chains=page, by_role=pending_signatures(viewer))
    by_key = {item.key: item for item in todo.items}
    items = [
        InboxItem(chain, bound[1] if bound and bound[0] == chain.key else None, by_key[chain.key])
        for chain in page.object_list
    ]
    if bound and not any(item.form is bound[1] for item in items):
        # the chain is not (or no longer) waiting for this user: say why above the list
        for errors in bound[1].errors.values():
            messages.error(request, "；".join(str(e) for e in errors))
    # each listed case's own regulation (rule 20), from the agencies already loaded with them
    agencies = {item.chain.case.agency_id: item.chain.case.agency for item in items}
    chain_article = "；".join(dict.fromkeys(cite(a.profile, "R20") for a in agencies.values()))
    context = {
        "items": items,
        # the drafts waiting for the viewer's role or naming them, nearest deadline first
        "signatures": [item for item in todo.items if item.what == "签名"],
        "chain_article": chain_article,
        "page": page,
    }
    return render(request, "web/approval_inbox.html", context)


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isascii() and text.isdigit() and 0 < len(text) < 9 else 1


def _sign(request: HttpRequest, form: ApprovalStepForm) -> bool:
    """Sign the step the form names; True when accepted, else the refusal is on the form."""
    data = form.cleaned_data
    case = access.case_for_act(request.user, data["case"], "review")
    document = None
    if data["document"]:
        document = get_object_or_404(Document, pk=data["document"], case=case)
    try:
        if data["subject"] == ApprovalSubject.FILING:
            do_decide_filing(
                acting_user=_user(request),
                case=case,
                step=data["step"],
                decision=data["decision"],
                opinion=data["opinion"],
            )
        else:
            do_sign_approval(
                acting_user=_user(request),
                case=case,
                subject=data["subject"],
                step=data["step"],
                decision=data["decision"],
                opinion=data["opinion"],
                document=document,
            )
    except REFUSALS as refusal:
        add_refusal(form, refusal, {"officer": "opinion", "step": "opinion"})
        return False
    verdict = "同意" if data["decision"] == "approve" else "不同意"
    messages.success(request, f"{case.case_number}：已签署“{verdict}”意见")
    return True


@login_required
@require_POST
def case_close_investigation(request: HttpRequest, case_id: int) -> HttpResponse:
    """终结调查 (Seed B art. 10): the approved closing report moves the case to 审查决定."""
    case = access.case_for_act(request.user, case_id, "handle")
    try:
        do_close_investigation(acting_user=_user(request), case=case)
    except REFUSALS as refusal:
        messages.error(request, f"不能终结调查：{refusal}")
    else:
        messages.success(request, "调查已终结，案件进入审查决定阶段")
    return redirect("case-detail", case_id=case.pk)


@login_required
@require_POST
def case_gates(request: HttpRequest, case_id: int) -> HttpResponse:
    """Flag the case as 重大 / 情节复杂 / 须法制审核 (行政处罚法 第57条 第2款、第58条)."""
    case = access.case_for_act(request.user, case_id, "participate")
    form = GatesForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        do_set_case_gates(
            acting_user=_user(request),
            case=case,
            major=bool(data.get("major")),
            complex_case=bool(data.get("complex_case")),
            legal_review_required=bool(data.get("legal_review_required")),
            reason=data.get("reason") or "",
        )
    except REFUSALS as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "审查要求已设置")
    return redirect("case-detail", case_id=case.pk)


@login_required
@require_POST
def case_extension(request: HttpRequest, case_id: int) -> HttpResponse:
    """提请延长办案期限: the handler starts the extension chain (no document)."""
    case = access.case_for_act(request.user, case_id, "handle")
    form = OpinionForm(request.POST)
    form.is_valid()
    try:
        do_sign_approval(
            acting_user=_user(request),
            case=case,
            subject=ApprovalSubject.EXTENSION,
            step="handler",
            decision="propose",
            opinion=form.cleaned_data.get("opinion") or "",
        )
    except REFUSALS as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "已提请延长办案期限，等待审核人审核")
    return redirect("case-detail", case_id=case.pk)
