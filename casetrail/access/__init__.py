"""The ONE place that decides who may see or do what (DESIGN: access/).

Every page and API endpoint asks here. Rules (Seed B art. 27, 29; REFERENCE rule 42):
- a case is seen by its handlers, by the reviewers, heads and archivists of its agency, and
  read-only by the supervisors of its agency or of any agency above it (a 市统计局's supervisor
  sees its 县/区 bureaus' cases through the hierarchy, without a membership in each); everyone
  else gets 404 (its existence is private);
- a case is changed by its handlers (handler acts) and by the reviewers and heads of its agency
  (approval acts, review documents, signing by role); a supervisor gets 403 on every write;
- an agency's deadline list is read by its officers, reviewers, heads and supervisors (and
  the supervisors above it), each seeing only the rows of cases they may see; anyone else
  gets 404.
"""

from __future__ import annotations

from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from casetrail.cases.models import (
    Agency,
    Case,
    CaseHandler,
    Membership,
    Obligation,
    Officer,
    Role,
)

AnyUser = User | AnonymousUser

SEE_ROLES = frozenset({Role.REVIEWER, Role.HEAD, Role.ARCHIVIST, Role.SUPERVISOR})
REVIEW_ROLES = frozenset({Role.REVIEWER, Role.HEAD})
# The deadline list of an agency: its officers, reviewers and heads, and its supervisors
# (read-only, as everywhere); each sees the rows of the cases they may see.
DEADLINE_ROLES = frozenset({Role.OFFICER, Role.REVIEWER, Role.HEAD, Role.SUPERVISOR})
# Opening a case is an enforcement officer's act (执法人员); the menu offers it to them only.
OPEN_ROLES = frozenset({Role.OFFICER})
# handle: the handlers' acts (documents, service, closing the investigation, proposing);
# decide_filing, review: the reviewers' and heads' steps of an approval chain;
# participate: any act of someone working the case (signing by login, flagging its gates).
Act = Literal["handle", "decide_filing", "review", "participate"]
ACT_ROLES: dict[Act, frozenset[str]] = {
    "decide_filing": REVIEW_ROLES,
    "review": REVIEW_ROLES,
    "participate": REVIEW_ROLES,
}
# Documents the reviewers and heads write themselves (行政处罚法 第57条 第2款、第58条); every
# other kind is written by the case's handlers.
REVIEW_DOCUMENT_KINDS = frozenset({"legal_review_opinion", "collective_deliberation_record"})


# The longest chain of agencies (国家、省、市、县 and one more): the acts refuse a parent that
# would make one longer (`cases/agency_checks.py`), so `below` reaches every level.
MAX_LEVELS = 5

OFFICER_CACHE = "_casetrail_officer"
MEMBERSHIPS_CACHE = "_casetrail_memberships"


def officer_of(user: AnyUser) -> Officer | None:
    """The officer of *user*, read once per user object (one request): a page asks many times."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, OFFICER_CACHE):
        assert isinstance(user, User)
        _read_officer(user)
    officer: Officer | None = getattr(user, OFFICER_CACHE)
    return officer


def memberships_of(user: AnyUser) -> list[Membership]:
    """*user*'s roles in every agency, with the agency, read with the officer (`officer_of`)."""
    if officer_of(user) is None:
        return []
    memberships: list[Membership] = getattr(user, MEMBERSHIPS_CACHE)
    return memberships


def _read_officer(user: User) -> None:
    """The officer and their memberships in one query; a second only for an officer who holds
    no role anywhere (who sees nothing)."""
    memberships = list(
        Membership.objects.filter(officer__user_id=user.pk)
        .select_related("officer", "agency")
        .order_by("pk")
    )
    officer = (
        memberships[0].officer if memberships else Officer.objects.filter(user_id=user.pk).first()
    )
    setattr(user, OFFICER_CACHE, officer)
    setattr(user, MEMBERSHIPS_CACHE, memberships)


def roles_anywhere(user: AnyUser) -> frozenset[str]:
    """Every role *user* holds in any agency (for the navigation), read with the officer."""
    return frozenset(m.role for m in memberships_of(user))


def agencies_where(user: AnyUser, roles: frozenset[str]) -> QuerySet[Agency]:
    officer = officer_of(user)
    if officer is None:
        return Agency.objects.none()
    return Agency.objects.filter(
        memberships__officer=officer, memberships__role__in=roles
    ).distinct()


def below(agency_ids: QuerySet[Any, Any]) -> QuerySet[Agency]:
    """The agencies with ids in *agency_ids* and every agency below them, as one subquery: the
    acts keep chains within `MAX_LEVELS`, so a fixed number of parent hops reaches them all
    (no recursive query, no query of its own)."""
    reach = Q(pk__in=agency_ids)
    hops = "parent_id"
    for _ in range(MAX_LEVELS - 1):
        reach |= Q(**{f"{hops}__in": agency_ids})
        hops = f"parent__{hops}"
    return Agency.objects.filter(reach)


def supervised_agencies(user: AnyUser) -> QuerySet[Agency]:
    """Agencies *user* supervises: where they are a supervisor (上级主管部门), and every agency
    below those in the hierarchy."""
    officer = officer_of(user)
    if officer is None:
        return Agency.objects.none()
    supervising = Membership.objects.filter(officer=officer, role=Role.SUPERVISOR)
    return below(supervising.values("agency_id"))


def seen_agency_ids(officer: Officer) -> QuerySet[Agency, int]:
    """The ids of the agencies whose every case *officer* sees: by their reviewer, head or
    archivist membership, or as a supervisor of the agency or of one above it."""
    members = Membership.objects.filter(officer=officer, role__in=SEE_ROLES - {Role.SUPERVISOR})
    supervising = Membership.objects.filter(officer=officer, role=Role.SUPERVISOR)
    reach = Q(pk__in=members.values("agency_id")) | Q(pk__in=below(supervising.values("agency_id")))
    return Agency.objects.filter(reach).values_list("pk", flat=True)


def visible_cases(user: AnyUser) -> QuerySet[Case]:
    """The cases *user* may see, as a filter on the case table (no join, no DISTINCT): a list
    page sorts and limits them on the case table's own indexes."""
    officer = officer_of(user)
    if officer is None:
        return Case.objects.none()
    # The agencies as a list (one small query): a subquery over the hierarchy would leave the
    # planner guessing its size and scanning the case table instead of its indexes.
    agencies = list(seen_agency_ids(officer))
    see = Q(agency_id__in=agencies) | Q(pk__in=handled_by(officer))
    return Case.objects.filter(see)


def handled_by(officer: Officer) -> QuerySet[CaseHandler, int]:
    """The ids of the cases *officer* handles (承办), as a subquery."""
    return CaseHandler.objects.filter(officer=officer).values_list("case_id", flat=True)


def can_view_case(user: AnyUser, case: Case) -> bool:
    return visible_cases(user).filter(pk=case.pk).exists()


def can_act(user: AnyUser, case: Case, act: Act) -> bool:
    return act in case_acts(user, case)


def case_acts(user: AnyUser, case: Case) -> frozenset[Act]:
    """Every act *user* may do on *case*: a handler's acts if they handle it, the approval
    acts if they hold a review role in its agency. Reads the case's handlers (prefetched on the
    case page) and the roles read with the officer."""
    officer = officer_of(user)
    if officer is None:
        return frozenset()
    roles = {m.role for m in memberships_of(user) if m.agency_id == case.agency_id}
    acts: set[Act] = {act for act, needed in ACT_ROLES.items() if roles & needed}
    if any(handler.officer_id == officer.pk for handler in case.handlers.all()):
        acts |= {"handle", "participate"}
    return frozenset(acts)


def can_write_document(user: AnyUser, case: Case, kind: str) -> bool:
    """Handlers write every kind; reviewers and heads also the review documents."""
    if can_act(user, case, "handle"):
        return True
    return kind in REVIEW_DOCUMENT_KINDS and can_act(user, case, "review")


def case_for_document(user: AnyUser, case_id: int, kind: str) -> Case:
    """The case if *user* may write a document of *kind* in it: 404 unseen, else 403."""
    case = case_for_view(user, case_id)
    if not can_write_document(user, case, kind):
        raise PermissionDenied("您不能制作或修改本案的这种文书")
    return case


def case_for_view(user: AnyUser, case_id: int) -> Case:
    """The case if *user* may see it; 404 otherwise (never reveal that it exists)."""
    case = visible_cases(user).filter(pk=case_id).select_related("agency").first()
    if case is None:
        raise Http404("案件不存在或您无权查看")
    return case


def case_for_act(user: AnyUser, case_id: int, act: Act) -> Case:
    """The case if *user* may do *act* on it: 404 if they cannot even see it, else 403."""
    case = case_for_view(user, case_id)
    if not can_act(user, case, act):
        raise PermissionDenied("您对该案件只有查看权限，不能执行此操作")
    return case


def agency_legal_reviewers(agency: Agency) -> QuerySet[Officer]:
    """The agency's 法制审核人员: its reviewers who hold 法律职业资格 (行政处罚法 第58条 第2款)."""
    return (
        Officer.objects.filter(
            memberships__agency=agency,
            memberships__role=Role.REVIEWER,
            legal_review_qualified=True,
        )
        .distinct()
        .order_by("name")
    )


def legal_reviewers(case: Case) -> QuerySet[Officer]:
    """Who may conduct the legal review of *case*: the agency's 法制审核人员 who do not handle
    it (who investigated a case does not review it: 行政处罚法 第58条; rule 18)."""
    return agency_legal_reviewers(case.agency).exclude(pk__in=case.handlers.values("officer_id"))


def agencies_for_review(user: AnyUser) -> QuerySet[Agency]:
    """Agencies where *user* signs approval steps (审核人、负责人): their inbox covers these."""
    return agencies_where(user, REVIEW_ROLES)


def agencies_for_opening(user: AnyUser) -> QuerySet[Agency]:
    """Agencies where *user* is an enforcement officer and so may open a case."""
    return agencies_where(user, OPEN_ROLES)


def may_open_cases(roles: frozenset[str]) -> bool:
    """Whether someone holding *roles* (`roles_anywhere`) may open a case somewhere."""
    return bool(roles & OPEN_ROLES)


Landing = Literal["mine", "approvals", "visible"]


def landing(roles: frozenset[str]) -> Landing:
    """What a person works on, so their first page after login: officers their own cases,
    reviewers and heads (who handle none) their approvals inbox, the others (supervisors,
    archivists) every case they may see."""
    if roles & OPEN_ROLES:
        return "mine"
    if roles & REVIEW_ROLES:
        return "approvals"
    return "visible"


def can_view_agency(user: AnyUser, agency: Agency) -> bool:
    """Its page is seen by its people, by the supervisors above it and by the deployment's
    administrators (`is_staff`, who create agencies: `access/agencies.py`)."""
    if user.is_authenticated and user.is_active and user.is_staff:
        return True
    officer = officer_of(user)
    if officer is None:
        return False
    if officer.memberships.filter(agency=agency).exists():
        return True
    return supervised_agencies(user).filter(pk=agency.pk).exists()


def agencies_for_deadlines(user: AnyUser) -> QuerySet[Agency]:
    """Agencies whose deadline list *user* reads: where they are an officer, reviewer, head
    or supervisor, and every agency below one they supervise."""
    members = agencies_where(user, DEADLINE_ROLES).values("pk")
    reach = Q(pk__in=members) | Q(pk__in=supervised_agencies(user).values("pk"))
    return Agency.objects.filter(reach).order_by("pk")


def agency_for_deadlines(user: AnyUser, agency_id: int) -> Agency:
    """The agency if *user* may read its deadline list; 404 otherwise."""
    agency = agencies_for_deadlines(user).filter(pk=agency_id).first()
    if agency is None:
        raise Http404("机关不存在或您无权查看")
    return agency


def visible_deadline_rows(user: AnyUser, rows: QuerySet[Obligation]) -> QuerySet[Obligation]:
    """The deadline rows *user* may see: those of the cases they may see (handled, or of an
    agency where they see every case) and their agencies' own rows (the next backup)."""
    officer = officer_of(user)
    if officer is None:
        return rows.none()
    handled = CaseHandler.objects.filter(officer=officer).values("case_id")
    return rows.filter(
        Q(case__isnull=True) | Q(agency_id__in=seen_agency_ids(officer)) | Q(case_id__in=handled)
    )


def can_set_calendar(user: AnyUser) -> bool:
    """The working-day calendar is entered by a system administrator (系统管理员) of any agency:
    it is one for the whole deployment, and it moves every agency's deadlines."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Role.ADMIN in roles_anywhere(user)


def require_calendar_admin(user: AnyUser) -> None:
    """403 unless *user* may enter the working-day calendar."""
    if not can_set_calendar(user):
        raise PermissionDenied("只有系统管理员可以录入工作日历")
