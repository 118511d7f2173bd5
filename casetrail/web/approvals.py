"""审批待办: the approval chains whose next step is the viewer's, in the agencies they review for.

A chain is the approvals of one case, subject and document (Seed B art. 33: handler proposes →
reviewer → approver). It is pending for a reviewer or head when its next step needs their role
and they have not signed it already (nobody signs two steps of one chain).
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any, Final, cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, QuerySet

from casetrail import access
from casetrail.access import AnyUser
from casetrail.cases.documents import Document
from casetrail.cases.models import Agency, Approval, ApprovalSubject, Case, Membership, Officer
from casetrail.procedure.rules.start import CHAIN, STEP_LABEL, STEP_ROLE, SignedStep, next_step


@dataclass(frozen=True)
class PendingChain:
    case: Case
    subject: str
    document: Document | None
    steps: tuple[Approval, ...]
    next_step: str  # "reviewer" | "approver"

    @property
    def key(self) -> str:
        return f"{self.case.pk}-{self.subject}-{self.document.pk if self.document else 0}"

    @property
    def subject_label(self) -> str:
        return ApprovalSubject(self.subject).label

    @property
    def step_label(self) -> str:
        return STEP_LABEL[self.next_step]


@dataclass(frozen=True)
class Reviewer:
    """The viewer as the inbox needs them: officer, agencies they review for, roles by agency."""

    officer: Officer
    agencies: list[Agency]
    roles: Mapping[int, set[str]]

    @classmethod
    def of(cls, user: AnyUser) -> Reviewer | None:
        """The viewer's memberships in one query (with their agencies): the agencies where
        they review or approve, and every role they hold there."""
        officer = access.officer_of(user)
        if officer is None:
            return None
        roles: dict[int, set[str]] = defaultdict(set)
        agencies: dict[int, Agency] = {}
        for membership in Membership.objects.filter(officer=officer).select_related("agency"):
            roles[membership.agency_id].add(membership.role)
            agencies[membership.agency_id] = membership.agency
        reviewed = [a for pk, a in agencies.items() if roles[pk] & access.REVIEW_ROLES]
        return cls(officer, reviewed, {a.pk: roles[a.pk] for a in reviewed})


INBOX_PAGE: Final = 50  # chains a page of the inbox


def waiting_keys(viewer: Reviewer) -> QuerySet[Approval, Any]:
    """(case, subject, document) of every open chain whose next step a role of the viewer signs,
    that the viewer has not signed, oldest first: one aggregate over the approvals of their
    agencies (Seed B art. 33: one step signed → the reviewer's turn; two → the approver's)."""
    turns = [
        Q(case__agency_id=agency_id, steps__in=signed)
        for agency_id, roles in viewer.roles.items()
        if (signed := [n for n, step in enumerate(CHAIN) if STEP_ROLE[step] in roles and n > 0])
    ]
    if not turns:
        return Approval.objects.none().values(
            "case__agency_id", "case_id", "subject", "document_id"
        )
    turn = reduce(operator.or_, turns)
    return (
        Approval.objects.filter(case__agency_id__in=list(viewer.roles))
        .values("case__agency_id", "case_id", "subject", "document_id")
        .annotate(
            steps=Count("pk"),
            rejected=Count("pk", filter=Q(decision="reject")),
            mine=Count("pk", filter=Q(officer=viewer.officer)),
            first_at=Min("acted_at"),
            first_pk=Min("pk"),
        )
        .filter(turn, rejected=0, mine=0, steps__lt=len(CHAIN))
        .order_by("first_at", "first_pk")
    )


def pending_chains(viewer: Reviewer | None, page: int = 1) -> Page[PendingChain]:
    """The chains waiting for the viewer's step, oldest first, INBOX_PAGE a page; the signed
    steps of a page's chains are read in one more query and checked by `next_step`."""
    keys: Paginator[Any] = Paginator(waiting_keys(viewer) if viewer else [], INBOX_PAGE)
    current = keys.get_page(page)
    wanted = {(k["case_id"], k["subject"], k["document_id"]) for k in current.object_list}
    chains: dict[tuple[int, str, int | None], list[Approval]] = {key: [] for key in wanted}
    rows = (
        Approval.objects.filter(case_id__in={case_id for case_id, _, _ in wanted})
        .select_related("case", "case__agency", "document", "document__final")
        .order_by("acted_at", "pk")
    )
    for approval in rows:
        key = (approval.case_id, approval.subject, approval.document_id)
        if key in chains:
            chains[key].append(approval)
    pending = []
    for steps in sorted(chains.values(), key=lambda s: (s[0].acted_at, s[0].pk)):
        step = next_step([SignedStep(a.step, a.officer_id, a.decision) for a in steps])
        if step is not None and step != "handler":
            pending.append(
                PendingChain(steps[0].case, steps[0].subject, steps[0].document, tuple(steps), step)
            )
    current.object_list = pending
    return cast("Page[PendingChain]", current)


@dataclass(frozen=True)
class PendingSignature:
    document: Document
    block: str  # the signature block's label, e.g. 机关负责人


def open_drafts(where: Q) -> QuerySet[Document, Document]:
    """Drafts (not final, not superseded, not withdrawn) matching *where*, oldest first, with
    their case, agency and signatures."""
    return (
        Document.objects.filter(
            where, final__isnull=True, superseded_by__isnull=True, withdrawal__isnull=True
        )
        .select_related("case", "case__agency")
        .prefetch_related("signatures")
        .order_by("created_at", "pk")
    )


def pending_signatures(viewer: Reviewer | None) -> list[PendingSignature]:
    """Drafts whose signature block for a role the viewer holds (负责人、审核人) is still
    unsigned — the 处罚决定书, the 结案审批表 … — oldest first (Seed B art. 33)."""
    if viewer is None:
        return []
    agencies, roles = viewer.agencies, viewer.roles
    catalogues = {agency.pk: agency.profile.catalogue() for agency in agencies}
    kinds = {
        code
        for agency_id, catalogue in catalogues.items()
        for code, kind in catalogue.items()
        if any(spec.role in roles.get(agency_id, set()) for spec in kind.signers if spec.role)
    }
    drafts = open_drafts(Q(case__agency_id__in=list(roles), kind__in=kinds))
    pending = []
    for document in drafts[:INBOX_PAGE]:
        agency = document.case.agency
        kind = catalogues[agency.pk].get(document.kind)
        if kind is None:
            continue
        signed = {s.signer for s in document.signatures.all()}
        for spec in kind.signers:
            if spec.role and spec.role in roles.get(agency.pk, set()) and spec.code not in signed:
                pending.append(PendingSignature(document, spec.label))
    return pending
