"""Who creates agencies and who reads an agency's audit page.

Agencies are created by the deployment's administrators: accounts with `is_staff` (the demo's
`admin`; `casetrail add_user NAME --name … --admin` makes one). An agency's 系统管理员
administers its officers, not the deployment, so that role alone creates no agency.

An agency's audit page (its administrative acts) is read by its system administrators and
heads, by the supervisors of the agency or of any agency above it, and by the deployment's
administrators; an officer of the agency gets 403, anyone else 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from casetrail.access import AnyUser, can_view_agency, officer_of, supervised_agencies
from casetrail.cases.models import Agency, Membership, Role

AUDIT_ROLES = frozenset({Role.ADMIN, Role.HEAD})


def is_deployment_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def require_deployment_admin(user: AnyUser) -> None:
    """403 unless *user* may create agencies."""
    if not is_deployment_admin(user):
        raise PermissionDenied("只有部署管理员（is_staff 账号）可以创建和管理执法机关")


def agencies_for_audit(user: AnyUser) -> QuerySet[Agency]:
    if is_deployment_admin(user):
        return Agency.objects.all()
    officer = officer_of(user)
    if officer is None or not user.is_active:
        return Agency.objects.none()
    members = Membership.objects.filter(officer=officer, role__in=AUDIT_ROLES)
    supervised = supervised_agencies(user).values("pk")
    return Agency.objects.filter(Q(pk__in=members.values("agency_id")) | Q(pk__in=supervised))


def agency_for_audit(user: AnyUser, agency_id: int) -> Agency:
    """The agency if *user* may read its audit page: 403 if they only work there, else 404."""
    agency = agencies_for_audit(user).filter(pk=agency_id).first()
    if agency is not None:
        return agency
    other = Agency.objects.filter(pk=agency_id).first()
    if other is not None and can_view_agency(user, other):
        raise PermissionDenied("只有本机关的系统管理员、负责人和上级监督人员可以查看管理记录")
    raise Http404("机关不存在或您无权查看")
