"""Service (送达) of final documents by one of seven methods, each with its proof.

Seed A art. 11; Seed B art. 18–24; 行政处罚法 第61条; the rules are in
`casetrail/procedure/rules/service.py`. A failed attempt is recorded too (outcome "failed"):
public notice is allowed only after one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.contrib.auth.models import User
from django.db import models, transaction

from casetrail import access, clock
from casetrail.cases.actions.files import store_file
from casetrail.cases.documents import Document, Service
from casetrail.cases.facts import case_facts
from casetrail.cases.models import Case, Officer
from casetrail.evidence.models import Recording
from casetrail.ledger.append import append_entry
from casetrail.ledger.canonical import Json, canonical_json
from casetrail.procedure.citations import cite, statute_of
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import ServiceFacts
from casetrail.procedure.rules.service import (
    DECISION_KINDS,
    ServiceDraft,
    decision_service_due,
    service_date,
    service_problem,
)

ProofFiles = Mapping[str, tuple[bytes, str]]  # proof name → (content, file name)


def _officer(user: User) -> Officer:
    officer = Officer.objects.filter(user=user).first()
    if officer is None:
        raise RuleViolation(
            rule="28", article=statute_of("R1"), field="user", message="您不是执法人员"
        )
    return officer


def do_record_service(
    *,
    acting_user: User,
    document: Document,
    method: str,
    served_on: date | None,
    recipient: str,
    details: Mapping[str, Json] | None = None,
    proof_files: ProofFiles | None = None,
    outcome: str = "served",
) -> Service:
    """Record how and when a final document reached its addressee, or an attempt that failed,
    with the proof its method needs; the legal service date follows the method (post: the
    return receipt; public notice: 30 days after publication)."""
    officer = _officer(acting_user)
    proof_files = dict(proof_files or {})
    recorded_details: dict[str, Json] = {**dict(details or {}), "outcome": outcome}
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=document.case_id)
        if not access.can_act(acting_user, case, "handle"):
            raise RuleViolation(
                rule="28",
                article=cite(case.agency.profile, "R28"),
                field="user",
                message="只有本案承办人可以记录送达",
            )
        facts = case_facts(case)
        doc = facts.document(document.pk)
        assert doc is not None
        draft = ServiceDraft(
            document=doc,
            method=method,
            outcome=outcome,
            served_on=served_on,
            recipient=recipient,
            details=recorded_details,
            proofs=frozenset(name for name, (data, _) in proof_files.items() if data),
            recording_ids=frozenset(
                Recording.objects.filter(case=case).values_list("pk", flat=True)
            ),
        )
        problem = service_problem(facts, draft)
        if problem is not None:
            raise problem
        rows: list[models.Model] = []
        for name, (data, filename) in sorted(proof_files.items()):
            blob, created = store_file(
                data,
                filename,
                field=name,
                label="送达凭证",
                rule="29",
                article=cite(facts.profile, "R29"),
            )
            recorded_details[name] = blob.sha256
            if created:
                rows.append(blob)
        legal_date = service_date(draft)
        completed = ServiceFacts(method, legal_date, recipient, recorded_details).completed_on
        if doc.kind in DECISION_KINDS and completed is not None:
            due = decision_service_due(facts, doc)
            if due is not None and completed > due.due_on:
                recorded_details["late"] = f"晚于法定送达期限（{due.due_on.isoformat()}）"
        service = Service(
            document=document,
            method=method,
            served_on=legal_date,
            recipient=recipient.strip(),
            details_json=canonical_json(recorded_details).decode("utf-8"),
            recorded_by=officer,
            recorded_at=clock.now(),
        )
        service.save()
        rows.append(service)
        append_entry(
            agency=case.agency,
            action="document.service",
            actor=acting_user,
            case=case,
            records=rows,
            facts={"document": document.pk, "method": method, "outcome": outcome},
        )
    return service
