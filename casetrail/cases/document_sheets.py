"""Sheets from the records: a final document, a draft, or a blank form of a case.

Only insert-only rows feed a final sheet (the document, its signatures and refusals, the
parties, recordings and documents it names), plus the names of the agency and its officers,
so the same record renders to the same bytes later (docs/documents.md, "Determinism").
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date, datetime

from django.conf import settings

from casetrail.cases.documents import Document, DocumentFinal, Signature, SignatureRefusal
from casetrail.cases.facts import agency_catalogue
from casetrail.cases.models import Case, Officer, Party
from casetrail.documents.codes import verification_code
from casetrail.documents.formatting import CHINA, chinese_date, chinese_datetime, money
from casetrail.documents.sheet import Mark, Refusal, Row, Sheet, SignerBlock, State
from casetrail.evidence.models import Recording
from casetrail.evidence.storage import primary_store
from casetrail.policy.catalogue import DocumentKind, FieldSpec

IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
SIGNATURE_NOTES = {
    "login": "系统登录签名",
    "screen": "屏幕手写签名",
    "paper": "纸面签字",
}
# Blank forms: fields filled from the case's (only) party besides the `party` fields.
PARTY_PREFILL = {"party_name": "name", "party_address": "address"}


def verify_url(code: str) -> str:
    return f"{str(settings.CASETRAIL_PUBLIC_URL).rstrip('/')}/v/{code}"


def _party_details(party: Party) -> tuple[tuple[str, str], ...]:
    pairs = [
        ("统一社会信用代码", party.uscc),
        ("法定代表人", party.legal_representative),
        ("性别", party.get_sex_display() if party.sex else ""),
        ("证件号码", party.id_number),
        ("地址", party.address),
    ]
    return tuple((label, value) for label, value in pairs if value)


def _officers(ids: list[int]) -> str:
    found = {o.pk: o for o in Officer.objects.filter(pk__in=ids)}
    names = []
    for pk in ids:
        officer = found.get(pk)
        if officer is None:
            names.append(f"（执法人员 {pk}）")
        elif officer.certificate_number:
            names.append(f"{officer.name}（执法证号：{officer.certificate_number}）")
        else:
            names.append(officer.name)
    return "、".join(names)


def _referenced(pk: int, as_of: datetime | None) -> str:
    """A referenced document: its title, and its 文号 if it was final by *as_of*."""
    document = Document.objects.filter(pk=pk).first()
    if document is None:
        return f"（文书 {pk}）"
    final = DocumentFinal.objects.filter(document_id=pk).first()
    if final and final.number and (as_of is None or final.finalised_at <= as_of):
        return f"{document.title}（{final.number}）"
    return document.title


def _value(
    spec: FieldSpec, value: object, as_of: datetime | None
) -> tuple[str, tuple[tuple[str, str], ...]]:
    if value is None or value == "" or value == []:
        return "", ()
    match spec.type:
        case "date":
            return chinese_date(date.fromisoformat(str(value))), ()
        case "datetime":
            return chinese_datetime(datetime.fromisoformat(str(value))), ()
        case "money":
            return money(str(value)), ()
        case "boolean":
            return ("是" if value else "否"), ()
        case "choice":
            return spec.choice_label(str(value)), ()
        case "officer" | "officers":
            ids = value if isinstance(value, list) else [value]
            return _officers([int(str(i)) for i in ids]), ()
        case "party":
            party = Party.objects.filter(pk=int(str(value))).first()
            if party is None:
                return f"（当事人 {value}）", ()
            return party.name, _party_details(party)
        case "recording":
            recording = Recording.objects.filter(pk=int(str(value))).select_related("blob").first()
            if recording is None:
                return f"（音像记录 {value}）", ()
            return f"{recording.filename}（SHA-256：{recording.blob.sha256[:16]}…）", ()
        case "document":
            return _referenced(int(str(value)), as_of), ()
    return str(value), ()


def field_rows(
    kind: DocumentKind, fields: Mapping[str, object], as_of: datetime | None
) -> tuple[Row, ...]:
    rows = []
    for spec in kind.fields:
        raw = fields.get(spec.name)
        value, details = _value(spec, raw, as_of)
        choices = tuple(label for _, label in spec.choices)
        rows.append(Row(spec.name, spec.label, spec.type, value, raw, details, choices))
    return tuple(rows)


def _image(signature: Signature) -> str:
    blob = signature.image
    if blob is None or blob.media_type not in IMAGE_TYPES:
        return ""
    with primary_store().open(blob.sha256) as handle:
        data = handle.read()
    return f"data:{blob.media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _mark(signature: Signature) -> Mark:
    note = SIGNATURE_NOTES.get(signature.method, signature.method)
    if signature.relationship:
        note += f"，代签（与当事人关系：{signature.relationship}）"
    image = _image(signature)
    if signature.image is not None and not image:
        note += f"，扫描件 SHA-256：{signature.image.sha256[:16]}…"
    return Mark(signature.name, note, chinese_datetime(signature.signed_at), image)


def _refusal(refusal: SignatureRefusal) -> Refusal:
    witness = refusal.witness_name or (
        refusal.witness_officer.name if refusal.witness_officer else ""
    )
    return Refusal(
        refusal.person_name, refusal.reason, chinese_datetime(refusal.refused_at), witness
    )


def signer_blocks(kind: DocumentKind, document: Document | None) -> tuple[SignerBlock, ...]:
    signatures = (
        list(document.signatures.select_related("image").order_by("pk")) if document else []
    )
    refusals = (
        list(document.refusals.select_related("witness_officer").order_by("pk")) if document else []
    )
    return tuple(
        SignerBlock(
            code=spec.code,
            label=spec.label,
            person=spec.person,
            marks=tuple(_mark(s) for s in signatures if s.signer == spec.code),
            refusals=tuple(_refusal(r) for r in refusals if r.signer == spec.code),
        )
        for spec in kind.signers
    )


def _kind(case: Case, code: str) -> DocumentKind:
    return agency_catalogue(case)[code]


def document_sheet(document: Document, *, final: DocumentFinal | None = None) -> Sheet:
    """The sheet of *document*: final (numbered, dated, with its verification code) if it has
    been finalised, else a draft to print for paper signatures."""
    case = document.case
    kind = _kind(case, document.kind)
    if final is None:
        final = DocumentFinal.objects.filter(document=document).first()
    state: State = "final" if final is not None else "draft"
    code = verification_code(document.pk, final.content_sha256) if final else ""
    return Sheet(
        kind=kind.code,
        title=document.title,
        agency=case.agency.name,
        number=final.number if final else "",
        numbered=kind.numbered,
        case_number=case.case_number,
        rows=field_rows(kind, document.fields, final.finalised_at if final else None),
        signers=signer_blocks(kind, document),
        seal=kind.seal,
        transcript=kind.transcript,
        state=state,
        dated=chinese_date(final.finalised_at.astimezone(CHINA).date()) if final else "",
        moment=final.finalised_at.astimezone(CHINA) if final else None,
        code=code,
        verify_url=verify_url(code) if code else "",
    )


def preview_sheet(case: Case, kind_code: str, fields: Mapping[str, object]) -> Sheet:
    """The draft sheet of fields not yet saved (the form's 预览): as the saved draft will print,
    without signatures."""
    kind = _kind(case, kind_code)
    return Sheet(
        kind=kind.code,
        title=kind.title,
        agency=case.agency.name,
        number="",
        numbered=kind.numbered,
        case_number=case.case_number,
        rows=field_rows(kind, fields, None),
        signers=signer_blocks(kind, None),
        seal=kind.seal,
        transcript=kind.transcript,
        state="draft",
    )


def current_parties(case: Case) -> list[Party]:
    """The case's parties as now recorded: corrected rows replaced by their corrections."""
    replaced = case.parties.exclude(supersedes=None).values("supersedes")
    return list(case.parties.exclude(pk__in=replaced).order_by("pk"))


def blank_sheet(case: Case, kind_code: str) -> Sheet:
    """A blank form of *kind_code* for *case*: case number and parties filled in."""
    kind = _kind(case, kind_code)
    parties = current_parties(case)
    only = parties[0] if len(parties) == 1 else None
    rows = []
    for spec in kind.fields:
        value, raw = "", None
        details: tuple[tuple[str, str], ...] = ()
        if spec.type == "party" and parties:
            value = "、".join(p.name for p in parties)
            details = _party_details(only) if only else ()
        elif spec.name in PARTY_PREFILL and only is not None:
            value = str(getattr(only, PARTY_PREFILL[spec.name]))
        choices = tuple(label for _, label in spec.choices)
        rows.append(Row(spec.name, spec.label, spec.type, value, raw, details, choices))
    return Sheet(
        kind=kind.code,
        title=kind.title,
        agency=case.agency.name,
        number="",
        numbered=kind.numbered,
        case_number=case.case_number,
        rows=tuple(rows),
        signers=signer_blocks(kind, None),
        seal=kind.seal,
        transcript=kind.transcript,
        state="blank",
        parties=tuple(p.name for p in parties),
    )
