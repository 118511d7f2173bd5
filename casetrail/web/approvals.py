"""审批待办: the approval chains whose next step is the viewer's, in the agencies they review for.

A chain is the approvals of one case, subject and document (Seed B art. 33: handler proposes →
reviewer → approver). It is pending for a reviewer or head when its next step needs their role
and they have not signed it already (nobody signs two steps of one chain).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from casetrail import access
from casetrail.access import AnyUser
from casetrail.cases.documents import Document
from casetrail.cases.models import Approval, ApprovalSubject, Case, Membership
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


def pending_chains(user: AnyUser) -> list[PendingChain]:
    """Every chain waiting for *user*'s step, oldest first."""
    officer = access.officer_of(user)
    if officer is None:
        return []
    agencies = access.agencies_for_review(user)
    roles: dict[int, set[str]] = defaultdict(set)
    for agency_id, role in Membership.objects.filter(
        officer=officer, agency__in=agencies
    ).values_list("agency_id", "role"):
        roles[agency_id].add(role)
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
        if STEP_ROLE[step] not in roles[case.agency_id]:
            continue
        if any(s.officer_id == officer.pk for s in signed):
            continue
        pending.append(PendingChain(case, steps[0].subject, steps[0].document, tuple(steps), step))
    return pending
