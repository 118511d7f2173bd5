"""The performance and enforcement page of a decided case, and closing it (结案).

Thin views: ask `access` → read the facts → render; the 结案 button calls `do_close_case`, and
a refusal shows every rule that still keeps the case open, with its article.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casetrail import access
from casetrail.cases.actions import REFUSALS
from casetrail.cases.actions.closing import do_close_case
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Case
from casetrail.procedure.rules.after_decision import closable_stage
from casetrail.procedure.stages import stage_label
from casetrail.web.performance_page import create_links, ending, performance_view


def _page(request: HttpRequest, case: Case, *, close_refusal: str = "") -> HttpResponse:
    facts = case_facts(case)
    can_handle = access.can_act(request.user, case, "handle")
    context = {
        "case": case,
        "stage": stage_label(case.stage),
        "today": facts.today,
        "view": performance_view(facts),
        "links": create_links(case, facts) if can_handle else [],
        "closable": closable_stage(facts),
        "ended": ending(facts),
        "can_close": can_handle and closable_stage(facts),
        "close_refusal": close_refusal,
    }
    return render(request, "web/performance.html", context)


@login_required
def case_performance(request: HttpRequest, case_id: int) -> HttpResponse:
    """履行与执行: for everyone who sees the case; the links and 结案 for its handlers."""
    return _page(request, access.case_for_view(request.user, case_id))


@login_required
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    """结案 (Seed A art. 14; Seed B art. 25, 33): only when every closing gate passes."""
    case = access.case_for_act(request.user, case_id, "handle")
    assert isinstance(request.user, User)
    try:
        do_close_case(acting_user=request.user, case=case)
    except REFUSALS as refusal:
        return _page(request, case, close_refusal=str(refusal))
    messages.success(request, "案件已结案")
    return redirect("case-detail", case_id=case.pk)
