"""What the document page shows: its fields in words, its signers and their state, its chain.

Reads only; the page's buttons post to the views that call the actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.utils import timezone

from casetrail.cases.actions.review import CHAIN_DOCUMENT_KIND
from casetrail.cases.documents import Document, Signature, SignatureRefusal
from casetrail.cases.models import Approval, ApprovalSubject, Case, Officer
from casetrail.evidence.models import Recording
from casetrail.policy.catalogue import DocumentKind, FieldSpec
from casetrail.procedure.rules.start import SignedStep, chain_outcome, next_step

# The approval chain a final document of these kinds starts (Seed B art. 33).
SUBJECT_OF_KIND: dict[str, str] = {
    kind: subject for subject, kind in CHAIN_DOCUMENT_KIND.items() if kind is not None
}


@dataclass(frozen=True)
class ValueRow:
    label: str
    text: str
    href: str = ""
    multiline: bool = False


class _Lookups:
    """The rows a document's fields point at, read once for the whole page."""

    def __init__(self, kind: DocumentKind, fields: Mapping[str, Any], case: Case) -> None:
        ids: dict[str, set[int]] = {"officer": set(), "party": set(), "recording": set()}
        documents: set[int] = set()
        for spec in kind.fields:
            value = fields.get(spec.name)
            if value is None or isinstance(value, bool):
                continue
            if spec.type in ("officer", "officers"):
                ids["officer"].update(value if isinstance(value, list) else [value])
            elif spec.type in ("party", "recording"):
                ids[spec.type].add(int(value))
            elif spec.type == "document":
                documents.add(int(value))
        self.officers = {o.pk: o for o in Officer.objects.filter(pk__in=ids["officer"])}
        self.parties = {p.pk: p for p in case.parties.filter(pk__in=ids["party"])}
        self.recordings = {
            r.pk: r for r in Recording.objects.filter(case=case, pk__in=ids["recording"])
        }
        self.documents = {
            d.pk: d
            for d in Document.objects.filter(case=case, pk__in=documents).select_related("final")
        }

    def officer(self, officer_id: object) -> str:
        officer = self.officers.get(int(str(officer_id)))
        return officer.name if officer else f"编号{officer_id}"


def _text(spec: FieldSpec, value: Any, lookups: _Lookups) -> str:
    match spec.type:
        case "boolean":
            return "是" if value else "否"
        case "choice":
            return spec.choice_label(str(value))
        case "datetime":
            return f"{timezone.localtime(datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
        case "money":
            return f"{value} 元"
        case "officer":
            return lookups.officer(value)
        case "officers":
            return "、".join(lookups.officer(v) for v in value)
        case "party":
            party = lookups.parties.get(int(value))
            return party.name if party else f"编号{value}"
        case "recording":
            recording = lookups.recordings.get(int(value))
            return recording.filename if recording else f"编号{value}"
        case "document":
            found = lookups.documents.get(int(value))
            if found is None:
                return f"编号{value}"
            number = found.final.number if hasattr(found, "final") else ""
            return f"{found.title} {number}".strip()
    return str(value)


def field_rows(kind: DocumentKind, document: Document) -> list[ValueRow]:
    fields = document.fields
    lookups = _Lookups(kind, fields, document.case)
    rows = []
    for spec in kind.fields:
        value = fields.get(spec.name)
        if value is None or value == []:
            rows.append(ValueRow(spec.label, "—"))
            continue
        href = ""
        if spec.type == "document":
            href = f"/cases/{document.case_id}/documents/{value}/"
        rows.append(
            ValueRow(spec.label, _text(spec, value, lookups), href, spec.type == "textarea")
        )
    return rows


def person_name(kind: DocumentKind, document: Document, signer: str) -> str:
    """The name a person signer goes by in the document (the field that names them)."""
    spec = kind.signer(signer)
    if not spec.name_field:
        return ""
    value = document.fields.get(spec.name_field)
    if value is None:
        return ""
    field = kind.field(spec.name_field)
    return _text(field, value, _Lookups(kind, {field.name: value}, document.case))


SignerState = Literal["signed", "refused", "missing"]


@dataclass(frozen=True)
class SignerRow:
    key: str  # "officers:12" for one officer of an officer field, else the signer code
    signer: str  # the signer code the actions take
    label: str
    person: bool
    who: str
    state: SignerState
    signatures: tuple[Signature, ...] = ()
    refusal: SignatureRefusal | None = None
    may_sign: bool = False  # the viewing officer signs this block by login, now


def signer_rows(
    kind: DocumentKind,
    document: Document,
    *,
    final: bool,
    me: Officer | None,
    my_roles: frozenset[str],
) -> list[SignerRow]:
    signatures = list(document.signatures.select_related("image").order_by("signed_at", "pk"))
    refusals = list(document.refusals.select_related("witness_officer").order_by("pk"))
    lookups = _Lookups(kind, document.fields, document.case)
    rows: list[SignerRow] = []
    for spec in kind.signers:
        mine = tuple(s for s in signatures if s.signer == spec.code)
        if spec.person:
            refusal = next((r for r in refusals if r.signer == spec.code), None)
            state: SignerState = "signed" if mine else "refused" if refusal else "missing"
            who = person_name(kind, document, spec.code)
            rows.append(
                SignerRow(spec.code, spec.code, spec.label, True, who, state, mine, refusal)
            )
        elif spec.officer_field:
            value = document.fields.get(spec.officer_field)
            for officer_id in value if isinstance(value, list) else [value] if value else []:
                theirs = tuple(s for s in mine if s.officer_id == officer_id)
                may = not final and not theirs and me is not None and me.pk == officer_id
                rows.append(
                    SignerRow(
                        f"{spec.code}:{officer_id}",
                        spec.code,
                        spec.label,
                        False,
                        lookups.officer(officer_id),
                        "signed" if theirs else "missing",
                        theirs,
                        may_sign=may,
                    )
                )
        else:
            may = not final and not mine and spec.role in my_roles
            who = "、".join(s.name for s in mine) or f"（{spec.label}）"
            state = "signed" if mine else "missing"
            rows.append(
                SignerRow(spec.code, spec.code, spec.label, False, who, state, mine, None, may)
            )
    return rows


@dataclass(frozen=True)
class ChainView:
    subject: str
    label: str
    steps: list[Approval]
    outcome: str  # "pending" | "approved" | "rejected" | "none"
    next_step: str | None


def chain_view(document: Document) -> ChainView | None:
    subject = SUBJECT_OF_KIND.get(document.kind)
    if subject is None:
        return None
    rows = list(document.approvals.filter(subject=subject).order_by("acted_at", "pk"))
    signed = [SignedStep(a.step, a.officer_id, a.decision) for a in rows]
    return ChainView(
        subject=subject,
        label=ApprovalSubject(subject).label,
        steps=rows,
        outcome=chain_outcome(signed) if rows else "none",
        next_step=next_step(signed) if rows else "handler",
    )
