"""Who administers an agency's officers: its system administrators (系统管理员), and nobody
else. An officer of the agency who is not its administrator gets 403; anyone else 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from casetrail.access import AnyUser, agencies_where, can_view_agency
from casetrail.cases.models import Agency, Officer, Role

ADMIN_ROLES = frozenset({Role.ADMIN})


def agencies_for_administration(user: AnyUser) -> QuerySet[Agency]:
    return agencies_where(user, ADMIN_ROLES).order_by("pk")


def agency_for_administration(user: AnyUser, agency_id: int) -> Agency:
    """The agency if *user* administers it: 403 if they only work there, 404 otherwise."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("机关不存在或您无权查看")
    agency = agencies_for_administration(user).filter(pk=agency_id).first()
    if agency is not None:
        return agency
    other = Agency.objects.filter(pk=agency_id).first()
    if other is not None and can_view_agency(user, other):
        raise PermissionDenied("只有本机关的系统管理员可以管理人员")
    raise Http404("机关不存在或您无权查看")


def officer_of_agency(agency: Agency, officer_id: int) -> Officer:
    """An officer holding a role in *agency* (an administrator sees no one else); 404."""
    officer = (
        Officer.objects.filter(pk=officer_id, memberships__agency=agency)
        .select_related("user")
        .first()
    )
    if officer is None:
        raise Http404("该机关没有这名人员")
    return officer
