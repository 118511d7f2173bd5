"""Template context shared by every page: which navigation links the user may follow."""

from __future__ import annotations

from django.http import HttpRequest

from casetrail import clock
from casetrail.access import DEADLINE_ROLES, REVIEW_ROLES, may_open_cases, roles_anywhere
from casetrail.access.agencies import is_deployment_admin
from casetrail.access.backups import BACKUP_ROLES
from casetrail.access.officers import agencies_for_administration
from casetrail.cases.models import Role


def navigation(request: HttpRequest) -> dict[str, bool | int]:
    roles = roles_anywhere(request.user)  # one query for every link
    administered = (
        agencies_for_administration(request.user).values_list("pk", flat=True).first()
        if Role.ADMIN in roles
        else None
    )
    return {
        "nav_officers_agency": administered or 0,
        "nav_open": may_open_cases(roles),
        "nav_backups": bool(roles & BACKUP_ROLES),
        "nav_approvals": bool(roles & REVIEW_ROLES),
        "nav_deadlines": bool(roles & DEADLINE_ROLES),
        "nav_calendar": Role.ADMIN in roles,
        "nav_agencies": is_deployment_admin(request.user),
        "nav_calendar_year": clock.today().year,
    }
