"""Template context shared by every page: which navigation links the user may follow."""

from __future__ import annotations

from django.http import HttpRequest

from casetrail import clock
from casetrail.access import (
    DEADLINE_ROLES,
    REVIEW_ROLES,
    may_open_cases,
    memberships_of,
    officer_of,
    roles_anywhere,
)
from casetrail.access.agencies import is_deployment_admin
from casetrail.access.backups import BACKUP_ROLES
from casetrail.access.officers import agencies_for_administration
from casetrail.cases.models import Role


def navigation(request: HttpRequest) -> dict[str, object]:
    """Read with the officer, in one query: their roles, agencies and name."""
    roles = roles_anywhere(request.user)
    officer = officer_of(request.user)
    agencies = {m.agency_id: m.agency for m in memberships_of(request.user)}
    administered = (
        agencies_for_administration(request.user).values_list("pk", flat=True).first()
        if Role.ADMIN in roles
        else None
    )
    return {
        "nav_agencies": list(agencies.values()),
        "nav_name": officer.name if officer and officer.name else request.user.get_username(),
        "nav_officers_agency": administered or 0,
        "nav_agency_admin": is_deployment_admin(request.user),
        "nav_open": may_open_cases(roles),
        "nav_backups": bool(roles & BACKUP_ROLES),
        "nav_approvals": bool(roles & REVIEW_ROLES),
        "nav_deadlines": bool(roles & DEADLINE_ROLES),
        "nav_calendar": Role.ADMIN in roles,
        "nav_calendar_year": clock.today().year,
    }
