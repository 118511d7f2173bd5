"""审批待办: the approval chains whose next step is the viewer's, in the agencies they review for.

A chain is the approvals of one case, subject and document (Seed B art. 33: handler proposes →
reviewer → approver). It is pending for a reviewer or head when its next step needs their role
and they have not signed it already (nobody signs two steps of one chain).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from casetrail import access
from casetrail.access import AnyUser
from casetrail.cases.documents import Document
from casetrail.cases.models import Agency, Approval, ApprovalSubject, Case, Membership, Officer
from casetrail.policy.catalogue import DocumentKind
from casetrail.procedure.rules.start import STEP_LABEL, STEP_ROLE, SignedStep, next_step


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
    agencies: QuerySet[Agency]
    roles: Mapping[int, set[str]]

    @classmethod
    def of(cls, user: AnyUser) -> Reviewer | None:
        officer = access.officer_of(user)
        if officer is None:
            return None
        agencies = access.agencies_for_review(user)
        roles: dict[int, set[str]] = defaultdict(set)
        for agency_id, role in Membership.objects.filter(
            officer=officer, agency__in=agencies
        ).values_list("agency_id", "role"):
            roles[agency_id].add(role)
        return cls(officer, agencies, roles)


def pending_chains(viewer: Reviewer | None) -> list[PendingChain]:
    """Every chain waiting for the viewer's step, oldest first."""
    if viewer is None:
        return []
    officer, agencies, roles = viewer.officer, viewer.agencies, viewer.roles
    chains: dict[tuple[int, str, int | None], list[Approval]] = defaultdict(list)
    rows = (
        Approval.objects.filter(case__agency__in=agencies)
        .select_related("case", "case__agency", "document", "document__final")
        .order_by("acted_at", "pk")
    )
    for approval in rows:
        chains[(approval.case_id, approval.subject, approval.document_id)].append(approval)
    pending = []
    for steps in chains.values():
        signed = [SignedStep(a.step, a.officer_id, a.decision) for a in steps]
        step = next_step(signed)
        if step is None or step == "handler":
            continue
        case = steps[0].case
        if STEP_ROLE[step] not in roles.get(case.agency_id, set()):
            continue
        if any(s.officer_id == officer.pk for s in signed):
            continue
        pending.append(PendingChain(case, steps[0].subject, steps[0].document, tuple(steps), step))
    return pending


@dataclass(frozen=True)
class PendingSignature:
    document: Document
    block: str  # the signature block's label, e.g. 机关负责人


def pending_signatures(viewer: Reviewer | None) -> list[PendingSignature]:
    """Drafts whose signature block for a role the viewer holds (负责人、审核人) is still
    unsigned — the 处罚决定书, the 结案审批表 … — oldest first (Seed B art. 33)."""
    if viewer is None:
        return []
    agencies, roles = viewer.agencies, viewer.roles
    drafts = (
        Document.objects.filter(
            case__agency__in=agencies,
            final__isnull=True,
            superseded_by__isnull=True,
            withdrawal__isnull=True,
        )
        .select_related("case", "case__agency")
        .prefetch_related("signatures")
        .order_by("created_at", "pk")
    )
    catalogues: dict[int, Mapping[str, DocumentKind]] = {}
    pending = []
    for document in drafts:
        agency = document.case.agency
        if agency.pk not in catalogues:
            catalogues[agency.pk] = agency.profile.catalogue()
        kind = catalogues[agency.pk].get(document.kind)
        if kind is None:
            continue
        signed = {s.signer for s in document.signatures.all()}
        for spec in kind.signers:
            if spec.role and spec.role in roles.get(agency.pk, set()) and spec.code not in signed:
                pending.append(PendingSignature(document, spec.label))
    return pending
