"""The deadline list (期限): every open or missed deadline of the agencies the user works in or
supervises, filtered by agency and by overdue, 50 a page; read-only for everyone. A bounded
number of queries whatever the number of cases (the rows are data: `cases.obligations`)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from casetrail import access, clock
from casetrail.web.deadlines_page import PAGE_SIZE, agency_deadlines, deadline_rows


class DeadlineFilterForm(forms.Form):
    agency = forms.IntegerField(required=False)
    overdue = forms.BooleanField(required=False, label="只看超期（含逾期完成）")


@login_required
def deadline_list(request: HttpRequest) -> HttpResponse:
    agencies = list(access.agencies_for_deadlines(request.user))
    if not agencies:
        raise Http404("您不属于任何执法机关")
    form = DeadlineFilterForm(request.GET)
    if not form.is_valid():
        raise Http404("筛选条件无效")
    chosen = form.cleaned_data["agency"]
    if chosen is not None:
        agencies = [access.agency_for_deadlines(request.user, chosen)]
    overdue = bool(form.cleaned_data["overdue"])
    listed = agency_deadlines(request.user, agencies, overdue_only=overdue)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rows": deadline_rows(page.object_list),
        "page": page,
        "query": query.urlencode(),
        "agencies": access.agencies_for_deadlines(request.user),
        "chosen": chosen,
        "overdue": overdue,
        "today": clock.today(),
    }
    return render(request, "web/deadlines.html", context)
