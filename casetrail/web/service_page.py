"""What the document page shows of its service: each recorded service or failed attempt in
words, with the hashes of its proof files. Reads only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from django.urls import reverse
from django.utils import timezone

from casetrail.cases.documents import Document, Service
from casetrail.cases.facts import agency_catalogue
from casetrail.cases.models import Case
from casetrail.evidence.models import Recording
from casetrail.procedure.rules.service import ELECTRONIC_CHANNELS, METHODS, POSTAL_TYPES

PROOF_LABELS: Final[Mapping[str, str]] = {
    "receipt": "送达回证",
    "posting_proof": "付邮凭证",
    "return_receipt": "签收回执",
    "delivery_proof": "送达凭证",
    "posting_photo": "张贴公告的照片",
}
DETAIL_LABELS: Final[Mapping[str, str]] = {
    "signed_by": "签收人",
    "relationship": "与受送达人的关系",
    "refusal_reason": "拒收事由",
    "witness_name": "见证人",
    "recording": "音像记录",
    "letter": "委托送达函",
    "entrusted_body": "受委托机关",
    "mail_type": "邮寄方式",
    "tracking_number": "邮件号码",
    "document_list": "邮寄文书清单",
    "return_reason": "退回原因",
    "forwarding_body": "转交机关",
    "server_signature": "转交人",
    "addressee_signature": "受送达人签名",
    "channel": "电子送达方式",
    "address": "发送地址",
    "sent_at": "发送时间",
    "notice": "送达公告",
    "reason": "公告原因",
    "medium": "公告媒体或地点",
    "published_on": "公告日期",
    "abroad": "境外",
    "attempted_on": "尝试送达日期",
}
CHOICE_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "mail_type": POSTAL_TYPES,
    "channel": ELECTRONIC_CHANNELS,
}


@dataclass(frozen=True)
class ProofRow:
    label: str
    sha256: str
    url: str


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    method_label: str
    failed: bool
    served_on: date | None
    details: list[tuple[str, str]]
    proofs: list[ProofRow]
    late: str


def _referenced(services: Iterable[Service]) -> tuple[dict[int, str], dict[int, str]]:
    """The titles of the documents and recordings the services point at, in two queries."""
    documents: set[int] = set()
    recordings: set[int] = set()
    for service in services:
        for name in ("letter", "notice"):
            if isinstance(service.details.get(name), int):
                documents.add(service.details[name])
        if isinstance(service.details.get("recording"), int):
            recordings.add(service.details["recording"])
    titles = {  # the detail's label names the kind (送达公告): the 文号 says which one
        d.pk: (d.final.number if hasattr(d, "final") else "") or d.title
        for d in Document.objects.filter(pk__in=documents).select_related("final")
    }
    files = {r.pk: r.filename for r in Recording.objects.filter(pk__in=recordings)}
    return titles, files


def _text(name: str, value: Any, titles: Mapping[int, str], files: Mapping[int, str]) -> str:
    if name in ("letter", "notice"):
        return titles.get(value, f"编号{value}")
    if name == "recording":
        return files.get(value, f"编号{value}")
    if name in CHOICE_LABELS:
        return CHOICE_LABELS[name].get(str(value), str(value))
    if name == "sent_at" and isinstance(value, str):
        return f"{timezone.localtime(datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def service_rows(document: Document) -> list[ServiceRow]:
    """Every service of *document*, served or failed, in the order they were recorded."""
    services = list(document.services.select_related("recorded_by").order_by("recorded_at", "pk"))
    titles, files = _referenced(services)
    rows = []
    for service in services:
        details = service.details
        proofs = [
            ProofRow(
                label,
                str(details[name]),
                reverse(
                    "service-proof",
                    args=[document.case_id, document.pk, service.pk, name],
                ),
            )
            for name, label in PROOF_LABELS.items()
            if isinstance(details.get(name), str)
        ]
        shown = [
            (label, _text(name, details[name], titles, files))
            for name, label in DETAIL_LABELS.items()
            if details.get(name) not in (None, "", False)
        ]
        rows.append(
            ServiceRow(
                service=service,
                method_label=METHODS.get(service.method, service.method),
                failed=details.get("outcome") == "failed",
                served_on=service.served_on,
                details=shown,
                proofs=proofs,
                late=str(details.get("late") or ""),
            )
        )
    return rows


# Documents a method of service relies on, made with their generated forms.
HELPER_KINDS: Final = (
    ("entrusted", "entrusted_service_letter"),
    ("public_notice", "public_notice"),
    ("electronic", "service_address_confirmation"),
)


@dataclass(frozen=True)
class HelperLink:
    method: str
    title: str
    url: str


def service_links(case: Case, document: Document) -> list[HelperLink]:
    """Links to make the entrustment letter, the public notice or the consent to electronic
    service, where the agency's catalogue has them."""
    catalogue = agency_catalogue(case)
    return [
        HelperLink(method, catalogue[kind].title, reverse("document-create", args=[case.pk, kind]))
        for method, kind in HELPER_KINDS
        if kind in catalogue and case.procedure in catalogue[kind].procedures
    ]
