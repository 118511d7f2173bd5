"""待办: everything waiting for one person, with the deadline it answers to — the approval
steps that are theirs (审批), the drafts waiting for the signature of a role they hold (机关负责人,
审核人) and the drafts that name them as a signer (法制审核人员, 听证主持人, 执法人员 …).

Shown on every home page (the case list of officers, the approval inbox of reviewers and heads);
a constant number of queries whatever the number of cases: the first page of each kind, and the
open deadlines of the listed cases in one more query (Seed B art. 33; 行政处罚法 第58条).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.core.paginator import Page
from django.db.models import Q
from django.urls import reverse

from casetrail import access, clock
from casetrail.access import AnyUser
from casetrail.cases.deadline_list import Deadline, as_deadline
from casetrail.cases.documents import Document
from casetrail.cases.models import Membership, Obligation, Officer
from casetrail.cases.obligation_rows import OPEN_STAGES
from casetrail.policy.catalogue import DocumentKind
from casetrail.web.approvals import (
    INBOX_PAGE,
    PendingChain,
    PendingSignature,
    Reviewer,
    open_drafts,
    pending_chains,
    pending_signatures,
)

# The deadline an approval or a signature answers to, by approval subject or document kind;
# anything else answers to the case's nearest open deadline.
ANSWERS_TO: Final = {
    "filing": ("emergency_backfill",),
    "investigation_end": ("decision_limit",),
    "extension": ("decision_limit",),
    "preservation": ("preservation_disposal",),
    "legal_review_opinion": ("decision_limit",),
    "decision_approval": ("decision_limit",),
    "collective_deliberation_record": ("decision_limit",),
    "decision": ("decision_limit",),
    "investigation_approval": ("decision_limit",),
    "hearing_transcript": ("decision_limit",),
    "preservation_approval": ("preservation_disposal",),
    "summary_decision": ("summary_filing",),
}


@dataclass(frozen=True)
class NamedSignature:
    """A draft whose signer block names the viewer (e.g. 法制审核人员: 李娜) and is unsigned."""

    document: Document
    block: str


@dataclass(frozen=True)
class TodoItem:
    key: str  # the chain's key (`PendingChain.key`) or sig-<document>-<block>
    what: str  # 审批 | 签名
    title: str  # e.g. 立案审批 · 审核人意见, 处罚决定书 · 机关负责人签名
    case_id: int
    case_number: str
    url: str
    deadline: Deadline | None


@dataclass(frozen=True)
class Todo:
    items: list[TodoItem]
    approvals_total: int  # every waiting chain, beyond the first page listed here

    def __bool__(self) -> bool:
        return bool(self.items)


def named_signatures(officer: Officer) -> list[NamedSignature]:
    """Drafts of the agencies *officer* belongs to whose officer-named signer block lists them
    and holds no signature of theirs, oldest first. The canonical JSON of the fields (RFC 8785,
    no spaces) lets the database keep only drafts that mention the officer's id as a value;
    the exact check is `Document.fields`."""
    agencies = Membership.objects.filter(officer=officer).values("agency_id")
    pk = officer.pk
    mentions = (
        Q(fields_json__contains=f":{pk},")
        | Q(fields_json__contains=f":{pk}}}")
        | Q(fields_json__contains=f":[{pk},")
        | Q(fields_json__contains=f":[{pk}]")
        | Q(fields_json__contains=f",{pk},")
        | Q(fields_json__contains=f",{pk}]")
    )
    drafts = open_drafts(mentions & Q(case__agency_id__in=agencies, case__stage__in=OPEN_STAGES))
    found: list[NamedSignature] = []
    catalogues: dict[int, Mapping[str, DocumentKind]] = {}
    for document in drafts[: INBOX_PAGE * 4]:
        agency = document.case.agency
        if agency.pk not in catalogues:
            catalogues[agency.pk] = agency.profile.catalogue()
        kind = catalogues[agency.pk].get(document.kind)
        for spec in kind.signers if kind else ():
            if not spec.officer_field:
                continue
            value = document.fields.get(spec.officer_field)
            named = value if isinstance(value, list) else [value]
            signed = {s.officer_id for s in document.signatures.all() if s.signer == spec.code}
            if pk in named and pk not in signed:
                found.append(NamedSignature(document, spec.label))
        if len(found) >= INBOX_PAGE:
            break
    return found[:INBOX_PAGE]


def waiting_for(
    user: AnyUser,
    *,
    roles: frozenset[str] | None = None,
    chains: Page[PendingChain] | None = None,
    by_role: list[PendingSignature] | None = None,
) -> Todo:
    """Everything waiting for *user*: their approval steps (the inbox's first page, or the
    *chains* the inbox already read), the drafts waiting for their role's (*by_role*) or their
    own signature, each with the deadline it answers to; *roles*, when the caller has them,
    saves a query for those who review nowhere."""
    officer = access.officer_of(user)
    if officer is None:
        return Todo([], 0)
    if chains is None or by_role is None:
        # *roles* (every role the user holds, if the caller has them) spares the memberships
        # query of those who review nowhere
        may_review = roles is None or bool(roles & access.REVIEW_ROLES)
        reviewer = Reviewer.of(user) if may_review else None
        reviews = reviewer is not None and bool(reviewer.agencies)
        chains = pending_chains(reviewer) if reviews else None
        by_role = pending_signatures(reviewer) if reviews else []
    named = named_signatures(officer)
    entries = _entries(list(chains.object_list) if chains else [], by_role, named)
    deadlines = _open_deadlines({entry[1] for entry in entries})
    items = [
        TodoItem(key, what, title, case_id, number, url, _answering(deadlines[case_id], subject))
        for key, case_id, number, what, title, url, subject in entries
    ]
    items.sort(key=lambda i: (i.deadline is None, i.deadline.due_on if i.deadline else None))
    return Todo(items, chains.paginator.count if chains else 0)


Entry = tuple[str, int, str, str, str, str, str]  # key, case, number, what, title, url, subject


def _entries(
    chains: list[PendingChain], by_role: list[PendingSignature], named: list[NamedSignature]
) -> list[Entry]:
    entries: list[Entry] = []
    for chain in chains:
        title = f"{chain.subject_label} · {chain.step_label}意见"
        if chain.document is not None:
            title += f"（{chain.document.title}）"
        url = f"{reverse('approval-inbox')}#inbox-{chain.key}"
        number = chain.case.case_number
        entries.append((chain.key, chain.case.pk, number, "审批", title, url, chain.subject))
    seen: set[tuple[int, str]] = set()
    signatures: list[PendingSignature | NamedSignature] = [*by_role, *named]
    for sig in signatures:
        document = sig.document
        if (document.pk, sig.block) in seen:
            continue
        seen.add((document.pk, sig.block))
        url = reverse("document-detail", args=[document.case_id, document.pk])
        title = f"{document.title} · {sig.block}签名"
        key = f"sig-{document.pk}-{sig.block}"
        number = document.case.case_number
        entries.append((key, document.case_id, number, "签名", title, url, document.kind))
    return entries


def _open_deadlines(case_ids: set[int]) -> dict[int, list[Deadline]]:
    """The open deadlines of these cases, nearest first: one query."""
    today, now = clock.today(), clock.now()
    rows = (
        Obligation.objects.filter(case_id__in=case_ids, settled_on__isnull=True, waiting=False)
        .select_related("agency")
        .order_by("due_on", "pk")
    )
    found: dict[int, list[Deadline]] = defaultdict(list)
    for row in rows:
        if row.case_id is not None:
            found[row.case_id].append(as_deadline(row, today, now))
    return found


def _answering(deadlines: list[Deadline], subject: str) -> Deadline | None:
    """The deadline the item answers to (`ANSWERS_TO`), else the case's nearest open one."""
    wanted = ANSWERS_TO.get(subject, ())
    return next((d for d in deadlines if d.kind in wanted), deadlines[0] if deadlines else None)
