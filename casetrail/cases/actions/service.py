"""Service (送达) of final documents. Part 1 records direct service with its receipt; the
method-specific proofs of Seed A art. 11 and Seed B art. 18–24 are checked by the service rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.cases.documents import Document, Service, ServiceMethod
from casetrail.cases.models import Case, Officer
from casetrail.ledger.append import append_entry
from casetrail.ledger.canonical import Json, canonical_json
from casetrail.procedure.errors import RuleViolation


def do_record_service(
    *,
    acting_user: User,
    document: Document,
    method: str,
    served_on: date | None,
    recipient: str,
    details: Mapping[str, Json] | None = None,
) -> Service:
    """Record how and when a final document reached its addressee (Seed B art. 18)."""
    officer = Officer.objects.filter(user=acting_user).first()
    article = "兴隆台区办法第十八条"
    if officer is None:
        raise RuleViolation(rule="28", article=article, field="user", message="您不是执法人员")
    if method not in ServiceMethod.values:
        raise RuleViolation(
            rule="28", article=article, field="method", message="送达方式：未知的方式"
        )
    if not recipient.strip():
        raise RuleViolation(
            rule="28", article=article, field="recipient", message="受送达人：必须填写"
        )
    now = clock.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=document.case_id)
        if not case.handlers.filter(officer=officer).exists():
            raise RuleViolation(
                rule="28", article=article, field="user", message="只有承办人可以记录送达"
            )
        if not hasattr(Document.objects.get(pk=document.pk), "final"):
            raise RuleViolation(
                rule="28",
                article=article,
                field="document",
                message=f"{document.title}：尚未定稿，不能送达",
            )
        if served_on is not None and served_on > clock.today():
            raise RuleViolation(
                rule="28", article=article, field="served_on", message="送达日期：不能晚于今天"
            )
        service = Service(
            document=document,
            method=method,
            served_on=served_on,
            recipient=recipient.strip(),
            details_json=canonical_json(dict(details or {})).decode("utf-8"),
            recorded_by=officer,
            recorded_at=now,
        )
        service.save()
        append_entry(
            agency=case.agency,
            action="document.service",
            actor=acting_user,
            case=case,
            records=[service],
            facts={"document": document.pk, "method": method},
        )
    return service
