"""Build the `CaseFacts` the procedure rules read, from the database (one read per table; the
case page reads the case's own rows beforehand, `selectors.with_rows`)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from casetrail import clock
from casetrail.cases.documents import Service, Signature, SignatureRefusal
from casetrail.cases.models import Approval, Case, Membership, Officer
from casetrail.cases.selectors import case_documents, working_calendar
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
    """The agency's officers with their roles there, and the case's handlers (one query; a
    second only for a handler who holds no role in the agency)."""
    roles: dict[int, set[str]] = defaultdict(set)
    by_pk: dict[int, Officer] = {}
    for membership in Membership.objects.filter(agency_id=case.agency_id).select_related("officer"):
        roles[membership.officer_id].add(membership.role)
        by_pk[membership.officer_id] = membership.officer
    outside = {h.officer_id for h in case.handlers.all()} - by_pk.keys()
    if outside:
        by_pk.update((o.pk, o) for o in Officer.objects.filter(pk__in=outside))
    officers = sorted(by_pk.values(), key=lambda o: o.pk)
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
    documents = case_documents(case)
    ids = [d.pk for d in documents]
    finals = {d.pk: d.final for d in documents if hasattr(d, "final")}
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
    superseded |= {d.pk for d in documents if hasattr(d, "withdrawal")}
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
    for a in sorted(case.approvals.all(), key=lambda a: (a.acted_at, a.pk)):
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
    rows = sorted(case.parties.all(), key=lambda p: p.pk)
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
        handler_ids=frozenset(h.officer_id for h in case.handlers.all()),
        officers=_officers(case),
        documents=_documents(case),
        chains=_chains(case),
        catalogue=agency_catalogue(case),
        profile=case.agency.profile,
        calendar=calendar or working_calendar(),
        today=today or clock.today(),
    )
