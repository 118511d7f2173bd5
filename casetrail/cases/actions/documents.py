"""Acts on documents (文书): create, sign, record a refusal to sign, finalise.

Each act locks the case, checks the rules of `procedure/guards.py` against the case's facts,
writes its rows and one ledger entry in one transaction. Seed A art. 4, 7, 9; Seed B art. 5–7.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import access, clock
from casetrail.cases.actions.files import store_file
from casetrail.cases.documents import (
    Document,
    DocumentFinal,
    DocumentNumberCounter,
    DocumentWithdrawal,
    Signature,
    SignatureMethod,
    SignatureRefusal,
)
from casetrail.cases.facts import agency_catalogue, case_facts
from casetrail.cases.models import Case, Officer
from casetrail.cases.pdf_issue import issue_pdf
from casetrail.cases.selectors import roles_of
from casetrail.evidence.models import Recording
from casetrail.ledger.append import append_entry
from casetrail.ledger.canonical import Json, canonical_json
from casetrail.ledger.records import row_snapshot
from casetrail.policy.catalogue import (
    DocumentKind,
    FieldSpec,
    builtin_catalogue,
    clean_fields,
    document_number,
)
from casetrail.procedure import stages
from casetrail.procedure.citations import cite, statute_of
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.facts import Draft
from casetrail.procedure.guards import create_problems, finalise_problems
from casetrail.procedure.rules.documents import kind_refusal, required_signers


def _refuse(problems: list[RuleViolation]) -> None:
    if problems:
        raise problems[0]


def _officer_of(user: User) -> Officer:
    officer = Officer.objects.filter(user=user).first()
    if officer is None:
        raise RuleViolation(
            rule="role", article=statute_of("R1"), field="user", message="您不是执法人员"
        )
    return officer


def _check_may_write(user: User, case: Case, kind: str) -> None:
    """Who may write a document of *kind* in *case* is decided in `casetrail.access`."""
    if access.can_write_document(user, case, kind):
        return
    raise RuleViolation(
        rule="role",
        article=cite(case.agency.profile, "R42"),
        field="user",
        message="只有本案承办人（审查文书：审核人、负责人）可以制作或处理本案的这种文书",
    )


def _kind(case: Case, code: str) -> DocumentKind:
    catalogue = agency_catalogue(case)
    known = builtin_catalogue().get(code)
    problem = kind_refusal(code, known.title if known else f"文书种类“{code}”", catalogue)
    if problem is not None:
        raise problem
    return catalogue[code]


def _check_references(case: Case, kind: DocumentKind, fields: Mapping[str, Any]) -> None:
    """Fields that point at other rows point at rows of this case (or agency)."""
    for spec in kind.fields:
        value = fields.get(spec.name)
        if value is None or value is False:
            continue
        ok = True
        if spec.type == "party":
            ok = case.parties.filter(pk=value).exists()
        elif spec.type == "recording":
            ok = Recording.objects.filter(pk=value, case=case).exists()
        elif spec.type == "document":
            _check_document_reference(case, kind, spec, value)
        elif spec.type in ("officer", "officers"):
            ids = value if isinstance(value, list) else [value]
            known = set(
                Officer.objects.filter(pk__in=ids, memberships__agency=case.agency).values_list(
                    "pk", flat=True
                )
            )
            ok = known == set(ids)
        if not ok:
            raise RuleViolation(
                rule="schema",
                article=f"{kind.title}的格式",
                field=spec.name,
                message=f"{spec.label}：不是本案（本机关）的记录",
            )


def _check_document_reference(case: Case, kind: DocumentKind, spec: FieldSpec, value: Any) -> None:
    """A document field points at a document of this case of a kind it names (whether it must
    be final, signed or approved is each kind's own rule, checked with its article)."""
    if Document.objects.filter(pk=value, case=case, kind__in=spec.ref_kinds).exists():
        return
    catalogue = agency_catalogue(case)
    titles = "或".join(catalogue[c].title if c in catalogue else c for c in spec.ref_kinds)
    raise RuleViolation(
        rule="schema",
        article=f"{kind.title}的格式",
        field=spec.name,
        message=f"{spec.label}：应为本案的{titles}",
    )


def _content_hash(kind: str, fields: Mapping[str, Json]) -> str:
    return hashlib.sha256(canonical_json({"kind": kind, "fields": dict(fields)})).hexdigest()


def do_create_document(
    *,
    acting_user: User,
    case: Case,
    kind: str,
    fields: Mapping[str, object],
    supersedes: Document | None = None,
) -> Document:
    """Write a document of *kind* with its fields checked against the kind's schema and the
    rules that guard its creation; a correction names the final document it `supersedes`
    (a draft is not corrected but edited: `do_edit_draft`)."""
    if supersedes is not None and not DocumentFinal.objects.filter(document=supersedes).exists():
        raise RuleViolation(
            rule="12",
            article="栾川县制度第十五条",
            field="supersedes",
            message=f"{supersedes.title}：尚未定稿，直接编辑草稿即可；只有已定稿的文书才更正",
        )
    return _write_document(
        acting_user=acting_user, case=case, kind=kind, fields=fields, supersedes=supersedes
    )


def do_edit_draft(
    *, acting_user: User, document: Document, fields: Mapping[str, object]
) -> Document:
    """Save an edited draft as its next version: a new document that supersedes the draft, so
    every saved version stays in the file and the ledger (nothing recorded is changed), while
    the case file lists only the newest. Signatures belong to the version they signed; the new
    version is signed afresh. A final document is corrected instead (Seed A art. 15; rule 12)."""
    with transaction.atomic():
        case, document, _ = _lock(document)  # refuses a final or withdrawn document
        if document.superseded_by.exists():
            raise RuleViolation(
                rule="12",
                article="栾川县制度第十五条",
                field="document",
                message=f"{document.title}：这是旧版本，请编辑最新版本",
            )
        return _write_document(
            acting_user=acting_user,
            case=case,
            kind=document.kind,
            fields=fields,
            supersedes=document,
            action="document.edit",
        )


def _write_document(
    *,
    acting_user: User,
    case: Case,
    kind: str,
    fields: Mapping[str, object],
    supersedes: Document | None,
    action: str = "document.create",
) -> Document:
    officer = _officer_of(acting_user)
    spec = _kind(case, kind)
    cleaned = clean_fields(spec, fields)
    now = clock.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_may_write(acting_user, case, kind)
        _check_references(case, spec, cleaned)
        if supersedes is not None and (supersedes.case_id != case.pk or supersedes.kind != kind):
            raise RuleViolation(
                rule="12",
                article=cite(case.agency.profile, "R12"),
                field="supersedes",
                message="更正只能替代本案同一种类的文书",
            )
        facts = case_facts(case)
        draft = Draft(
            kind=spec,
            fields=cleaned,
            author_id=officer.pk,
            on=facts.today,
            supersedes=supersedes.pk if supersedes else None,
        )
        _refuse(create_problems(facts, draft))
        document = Document(
            case=case,
            kind=kind,
            title=spec.title,
            fields_json=canonical_json(dict(cleaned)).decode("utf-8"),
            content_sha256=_content_hash(kind, dict(cleaned)),
            supersedes=supersedes,
            created_by=officer,
            created_by_name=officer.name,
            created_at=now,
        )
        document.save()
        entry_facts: dict[str, Json] = {"kind": kind, "content_sha256": document.content_sha256}
        if supersedes is not None:
            entry_facts["supersedes"] = supersedes.pk
        append_entry(
            agency=case.agency,
            action=action,
            actor=acting_user,
            case=case,
            records=[document],
            facts=entry_facts,
        )
    return document


def _lock(document: Document) -> tuple[Case, Document, DocumentKind]:
    case = Case.objects.select_for_update().get(pk=document.case_id)
    document = Document.objects.get(pk=document.pk)
    if DocumentFinal.objects.filter(document=document).exists():
        raise RuleViolation(
            rule="12",
            article=cite(case.agency.profile, "R12"),
            field="document",
            message=f"{document.title}：已定稿，不能再修改；更正请制作新的文书替代它",
        )
    if DocumentWithdrawal.objects.filter(document=document).exists():
        raise RuleViolation(
            rule="12",
            article=cite(case.agency.profile, "R12"),
            field="document",
            message=f"{document.title}：草稿已撤回，不能再签名、定稿或撤回",
        )
    return case, document, _kind(case, document.kind)


def _signer_code(kind: DocumentKind, document: Document, signer: str) -> tuple[str, str]:
    """The code a signature is recorded under, and the signer's label; refuses strangers."""
    try:
        spec = kind.signer(signer)
    except KeyError:
        raise RuleViolation(
            rule="9",
            article=cite(document.case.agency.profile, "R9"),
            field="signer",
            message=f"{kind.title}没有“{signer}”这一签名栏",
        ) from None
    return spec.code, spec.label


def do_sign_document(*, acting_user: User, document: Document, signer: str) -> Signature:
    """An officer signs by their login, in the signer block that names them (or their role)."""
    officer = _officer_of(acting_user)
    now = clock.now()
    with transaction.atomic():
        case, document, kind = _lock(document)
        code, label = _signer_code(kind, document, signer)
        spec = kind.signer(code)
        if spec.person:
            raise RuleViolation(
                rule="9",
                article=cite(case.agency.profile, "R9"),
                field="signer",
                message=f"{label}：须由本人在纸面或屏幕上签名，或记录拒签",
            )
        if spec.officer_field:
            value = document.fields.get(spec.officer_field)
            ids = value if isinstance(value, list) else [value]
            allowed = officer.pk in ids
        else:
            allowed = spec.role in roles_of(officer, case.agency)
        if not allowed:
            raise RuleViolation(
                rule="9",
                article=cite(case.agency.profile, "R20"),
                field="signer",
                message=f"{label}：您不是本文书列明的{label}，不能代签",
            )
        if document.signatures.filter(signer=code, officer=officer).exists():
            raise RuleViolation(
                rule="9",
                article=cite(case.agency.profile, "R9"),
                field="signer",
                message=f"{label}：您已签名",
            )
        signature = Signature(
            document=document,
            signer=code,
            name=officer.name,
            officer=officer,
            method=SignatureMethod.LOGIN,
            signed_at=now,
            recorded_by=acting_user,
        )
        signature.save()
        append_entry(
            agency=case.agency,
            action="document.sign",
            actor=acting_user,
            case=case,
            records=[signature],
            facts={"document": document.pk, "signer": code},
        )
    return signature


def do_record_signature(
    *,
    acting_user: User,
    document: Document,
    signer: str,
    name: str,
    method: str,
    image: bytes,
    filename: str,
    relationship: str = "",
) -> Signature:
    """A person's signature: the scanned signed page (paper) or the handwritten image (screen),
    stored and hashed. Seed A art. 9; Seed B art. 7."""
    if method not in (SignatureMethod.PAPER, SignatureMethod.SCREEN):
        raise RuleViolation(
            rule="9",
            article=cite(document.case.agency.profile, "R9"),
            field="method",
            message="签名方式：应为纸面签字扫描件或屏幕手写签名",
        )
    name = name.strip()
    if not name:
        raise RuleViolation(
            rule="9",
            article=cite(document.case.agency.profile, "R9"),
            field="name",
            message="签名人：必须填写",
        )
    blob, created = store_file(
        image,
        filename,
        field="image",
        label="签名图像",
        rule="9",
        article=cite(document.case.agency.profile, "R9"),
    )
    now = clock.now()
    with transaction.atomic():
        case, document, kind = _lock(document)
        _check_may_write(acting_user, case, document.kind)
        code, label = _signer_code(kind, document, signer)
        if not kind.signer(code).person:
            raise RuleViolation(
                rule="9",
                article=cite(case.agency.profile, "R9"),
                field="signer",
                message=f"{label}：执法人员以本人登录签名",
            )
        signature = Signature(
            document=document,
            signer=code,
            name=name,
            method=method,
            image=blob,
            relationship=relationship.strip(),
            signed_at=now,
            recorded_by=acting_user,
        )
        signature.save()
        append_entry(
            agency=case.agency,
            action="document.sign",
            actor=acting_user,
            case=case,
            records=[blob, signature] if created else [signature],
            facts={"document": document.pk, "signer": code, "image_sha256": blob.sha256},
        )
    return signature


def do_record_refusal(
    *,
    acting_user: User,
    document: Document,
    signer: str,
    person_name: str,
    reason: str,
    refused_at: datetime,
    witness_name: str = "",
    witness_officer: Officer | None = None,
    recording: Recording | None = None,
) -> SignatureRefusal:
    """A person refused to sign: reason, time, and a witness or a second officer who attests
    it (Seed A art. 9 第2款; Seed B art. 6–7; 行政强制法 第18条(八)(九); rule 8)."""
    officer = _officer_of(acting_user)
    article = cite(document.case.agency.profile, "R8")
    for field_name, value, label in (
        ("person_name", person_name, "拒签人"),
        ("reason", reason, "拒签理由或情况"),
    ):
        if not value.strip():
            raise RuleViolation(
                rule="8", article=article, field=field_name, message=f"{label}：必须填写"
            )
    if not witness_name.strip() and witness_officer is None:
        raise RuleViolation(
            rule="8",
            article=article,
            field="witness_name",
            message="见证人：拒签须由见证人或另一名执法人员见证",
        )
    if witness_officer is not None and witness_officer.pk == officer.pk:
        raise RuleViolation(
            rule="8",
            article=article,
            field="witness_officer",
            message="见证人：记录人本人不能同时作为见证的执法人员",
        )
    now = clock.now()
    with transaction.atomic():
        case, document, kind = _lock(document)
        _check_may_write(acting_user, case, document.kind)
        code, label = _signer_code(kind, document, signer)
        if not kind.signer(code).person:
            raise RuleViolation(
                rule="8", article=article, field="signer", message=f"{label}：执法人员不能拒签"
            )
        if recording is not None and recording.case_id != case.pk:
            raise RuleViolation(
                rule="8", article=article, field="recording", message="音像记录：不是本案的记录"
            )
        refusal = SignatureRefusal(
            document=document,
            signer=code,
            person_name=person_name.strip(),
            reason=reason.strip(),
            refused_at=refused_at,
            witness_name=witness_name.strip(),
            witness_officer=witness_officer,
            recording=recording,
            recorded_by=officer,
            recorded_at=now,
        )
        refusal.save()
        append_entry(
            agency=case.agency,
            action="document.refusal",
            actor=acting_user,
            case=case,
            records=[refusal],
            facts={"document": document.pk, "signer": code},
        )
    return refusal


def do_withdraw_document(
    *, acting_user: User, document: Document, reason: str
) -> DocumentWithdrawal:
    """Withdraw a draft made by mistake: it stays in the file, marked withdrawn with the reason,
    and no longer keeps the case from moving on. A final document is never withdrawn — it is
    corrected by a new document that supersedes it (Seed A art. 15; rule 12)."""
    officer = _officer_of(acting_user)
    if not reason.strip():
        raise RuleViolation(
            rule="12",
            article=cite(document.case.agency.profile, "R12"),
            field="reason",
            message="撤回理由：必须填写",
        )
    with transaction.atomic():
        case, document, _ = _lock(document)
        _check_may_write(acting_user, case, document.kind)
        withdrawal = DocumentWithdrawal(
            document=document,
            reason=reason.strip(),
            withdrawn_by=officer,
            withdrawn_at=clock.now(),
        )
        withdrawal.save()
        append_entry(
            agency=case.agency,
            action="document.withdraw",
            actor=acting_user,
            case=case,
            records=[withdrawal],
            facts={"document": document.pk, "kind": document.kind},
        )
    return withdrawal


def _number(case: Case, kind: DocumentKind, year: int) -> str:
    counter, _ = DocumentNumberCounter.objects.select_for_update().get_or_create(
        agency=case.agency, kind=kind.code, year=year
    )
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return document_number(case.agency.short_name, kind, year, counter.last_seq)


def final_hash(document: Document) -> str:
    """The document's content with every signature and refusal, as finalised."""
    content: Json = {
        "document": document.content_sha256,
        "signatures": [
            {
                "signer": s.signer,
                "name": s.name,
                "method": s.method,
                "image": s.image.sha256 if s.image else None,
            }
            for s in document.signatures.order_by("pk")
        ],
        "refusals": [
            {"signer": r.signer, "person": r.person_name, "reason": r.reason}
            for r in document.refusals.order_by("pk")
        ],
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()


def do_finalise_document(*, acting_user: User, document: Document) -> DocumentFinal:
    """Finalise: every required signature or refusal present and every rule of its kind met;
    numbered kinds get their 文号. A deciding kind moves the case to 送达执行."""
    officer = _officer_of(acting_user)
    now = clock.now()
    with transaction.atomic():
        case, document, kind = _lock(document)
        _check_may_write(acting_user, case, document.kind)
        if document.superseded_by.exists():
            raise RuleViolation(
                rule="12",
                article=cite(case.agency.profile, "R12"),
                field="document",
                message=f"{document.title}：已被更正的文书替代，不能定稿",
            )
        facts = case_facts(case)
        doc = facts.document(document.pk)
        assert doc is not None
        _refuse(finalise_problems(facts, doc))
        before = row_snapshot(case)
        number = _number(case, kind, facts.today.year) if kind.numbered else ""
        final = DocumentFinal(
            document=document,
            number=number,
            content_sha256=final_hash(document),
            finalised_by=officer,
            finalised_at=now,
        )
        final.save()
        issued, pdf_records = issue_pdf(document=document, final=final)
        records: list[Any] = [final, *pdf_records]
        previous: Json = None
        if kind.code in stages.DECIDING_KINDS and case.stage != stages.DECIDED.code:
            case.stage = stages.DECIDED.code
            case.decided_at = now
            case.save(update_fields=["stage", "decided_at"])
            records.append(case)
            previous = {"stage": before["stage"], "decided_at": before["decided_at"]}
        append_entry(
            agency=case.agency,
            action="document.finalise",
            actor=acting_user,
            case=case,
            records=records,
            facts={
                "document": document.pk,
                "kind": kind.code,
                "number": number,
                "content_sha256": final.content_sha256,
                "signers": [code for code, _ in required_signers(kind, doc)],
                "pdf_sha256": issued.sha256,
                "verification_code": issued.verification_code,
            },
            previous=previous,
        )
    return final


__all__ = [
    "do_create_document",
    "do_edit_draft",
    "do_finalise_document",
    "do_record_refusal",
    "do_record_signature",
    "do_sign_document",
    "do_withdraw_document",
    "final_hash",
]
