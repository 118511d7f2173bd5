"""Build the `CaseFacts` the procedure rules read, from the database (one read per table)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from casetrail import clock
from casetrail.cases.documents import (
    Document,
    DocumentFinal,
    DocumentWithdrawal,
    Service,
    Signature,
    SignatureRefusal,
)
from casetrail.cases.models import Approval, Case, Membership, Officer
from casetrail.cases.selectors import working_calendar
from casetrail.policy.catalogue import DocumentKind
from casetrail.procedure.facts import (
    CaseFacts,
    ChainFacts,
    DocFacts,
    OfficerFacts,
    PartyFacts,
    RefusalFacts,
    ServiceFacts,
    SignatureFacts,
)
from casetrail.procedure.rules.start import SignedStep
from casetrail.procedure.workdays import WorkdayCalendar


def agency_catalogue(case: Case) -> dict[str, DocumentKind]:
    return dict(case.agency.profile.catalogue())


def _officers(case: Case) -> dict[int, OfficerFacts]:
    roles: dict[int, set[str]] = defaultdict(set)
    for officer_id, role in Membership.objects.filter(agency=case.agency).values_list(
        "officer_id", "role"
    ):
        roles[officer_id].add(role)
    officers = Officer.objects.filter(
        pk__in=roles.keys() | set(case.handlers.values_list("officer_id", flat=True))
    )
    return {
        o.pk: OfficerFacts(
            officer_id=o.pk,
            name=o.name,
            certificate_number=o.certificate_number,
            certificate_valid_from=o.certificate_valid_from,
            certificate_valid_to=o.certificate_valid_to,
            roles=frozenset(roles.get(o.pk, ())),
            legal_review_qualified=o.legal_review_qualified,
            certificate_revoked_on=o.certificate_revoked_on,
        )
        for o in officers
    }


def _documents(case: Case) -> tuple[DocFacts, ...]:
    documents = list(Document.objects.filter(case=case).order_by("created_at", "pk"))
    ids = [d.pk for d in documents]
    finals = {f.document_id: f for f in DocumentFinal.objects.filter(document_id__in=ids)}
    signatures: dict[int, list[SignatureFacts]] = defaultdict(list)
    for s in Signature.objects.filter(document_id__in=ids).order_by("signed_at", "pk"):
        signatures[s.document_id].append(
            SignatureFacts(signer=s.signer, name=s.name, method=s.method, officer_id=s.officer_id)
        )
    refusals: dict[int, list[RefusalFacts]] = defaultdict(list)
    for r in SignatureRefusal.objects.filter(document_id__in=ids):
        witnessed = bool(r.witness_name.strip()) or r.witness_officer_id is not None
        refusals[r.document_id].append(
            RefusalFacts(
                signer=r.signer, person_name=r.person_name, reason=r.reason, witnessed=witnessed
            )
        )
    services: dict[int, list[ServiceFacts]] = defaultdict(list)
    for v in Service.objects.filter(document_id__in=ids).order_by("recorded_at", "pk"):
        services[v.document_id].append(
            ServiceFacts(
                method=v.method,
                served_on=v.served_on,
                recipient=v.recipient,
                details=json.loads(v.details_json),
            )
        )
    superseded = {d.supersedes_id for d in documents if d.supersedes_id is not None}
    # A withdrawn draft no longer counts, as if superseded by nothing.
    superseded |= set(
        DocumentWithdrawal.objects.filter(document_id__in=ids).values_list("document_id", flat=True)
    )
    return tuple(
        DocFacts(
            document_id=d.pk,
            kind=d.kind,
            fields=d.fields,
            created_at=d.created_at,
            created_on=clock.localdate(d.created_at),
            finalised_on=clock.localdate(finals[d.pk].finalised_at) if d.pk in finals else None,
            number=finals[d.pk].number if d.pk in finals else "",
            signatures=tuple(signatures[d.pk]),
            refusals=tuple(refusals[d.pk]),
            services=tuple(services[d.pk]),
            superseded=d.pk in superseded,
        )
        for d in documents
    )


def _chains(case: Case) -> tuple[ChainFacts, ...]:
    grouped: dict[tuple[str, int | None], list[Approval]] = defaultdict(list)
    for a in case.approvals.order_by("acted_at", "pk"):
        grouped[(a.subject, a.document_id)].append(a)
    chains = []
    for (subject, document_id), rows in grouped.items():
        steps = tuple(SignedStep(a.step, a.officer_id, a.decision) for a in rows)
        chain = ChainFacts(subject=subject, document_id=document_id, steps=steps)
        approved_on = clock.localdate(rows[-1].acted_at) if chain.outcome == "approved" else None
        chains.append(ChainFacts(subject, document_id, steps, approved_on))
    return tuple(chains)


def _parties(case: Case) -> tuple[PartyFacts, ...]:
    """The case's parties as last recorded: a corrected party counts once, as corrected."""
    rows = list(case.parties.order_by("pk"))
    replaced = {p.supersedes_id for p in rows if p.supersedes_id is not None}
    return tuple(
        PartyFacts(p.pk, p.kind, p.name, p.address, p.individual_business)
        for p in rows
        if p.pk not in replaced
    )


def case_facts(
    case: Case, *, today: date | None = None, calendar: WorkdayCalendar | None = None
) -> CaseFacts:
    return CaseFacts(
        case_id=case.pk,
        case_number=case.case_number,
        procedure=case.procedure,
        start_type=case.start_type,
        stage=case.stage,
        opened_on=clock.localdate(case.opened_at),
        filed_on=clock.localdate(case.filed_at) if case.filed_at else None,
        major=case.major,
        complex_case=case.complex_case,
        legal_review_required=case.legal_review_required,
        parties=_parties(case),
        handler_ids=frozenset(case.handlers.values_list("officer_id", flat=True)),
        officers=_officers(case),
        documents=_documents(case),
        chains=_chains(case),
        catalogue=agency_catalogue(case),
        profile=case.agency.profile,
        calendar=calendar or working_calendar(),
        today=today or clock.today(),
    )
