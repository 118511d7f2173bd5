"""The off-site backup page: runs, repairs and each agency's status (Seed A art. 14)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from casetrail.access.backups import backup_agencies
from casetrail.cases.backup_status import backup_statuses, recent_repairs, recent_runs

LISTED = 50


@login_required
def backup_list(request: HttpRequest) -> HttpResponse:
    agencies = list(backup_agencies(request.user))
    if not agencies:
        raise Http404("页面不存在或您无权查看")
    context = {
        "statuses": backup_statuses(agencies),
        "runs": recent_runs(LISTED),
        "repairs": recent_repairs(agencies, LISTED),
        "listed": LISTED,
    }
    return render(request, "evidence/backups.html", context)
