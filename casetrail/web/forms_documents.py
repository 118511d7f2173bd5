"""The document form, generated from its kind's schema in the catalogue (文书目录).

One Django field per catalogue field, with the catalogue's Chinese label and a widget per type.
The form only shapes input: every value is then checked by the catalogue's own `clean_value`
(so all schema errors show at once, each naming its article) and by the action's rules.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Count, Q
from django.utils import timezone

from casetrail import access, clock
from casetrail.cases.documents import Document
from casetrail.cases.field_checks import field_problems
from casetrail.cases.models import Case, Membership, Officer, Role, StartType
from casetrail.evidence.models import Recording
from casetrail.policy.catalogue import DocumentKind, FieldSpec, clean_value
from casetrail.procedure.errors import RuleViolation
from casetrail.web.form_errors import NamedErrorsMixin, limit_help

# The longest text of one document field (a long 询问笔录's questions and answers fit).
DOCUMENT_TEXT_LIMIT = 50000

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
EMPTY: tuple[str, str] = ("", "——")
Choices = list[tuple[str, str]]


class ShanghaiDateTimeField(forms.DateTimeField):
    """`datetime-local` carries no zone: the officer types Beijing time (Asia/Shanghai)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE)

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(SHANGHAI):
            return super().to_python(value)


def officer_label(officer: Officer) -> str:
    return f"{officer.name}（证号 {officer.certificate_number or '无'}）"


def document_label(document: Document) -> str:
    """A referenced document as a picker names it: 文号 and title, else title and date."""
    number = document.final.number if hasattr(document, "final") else ""
    if number:
        return f"{number} {document.title}"
    return f"{document.title}（{timezone.localtime(document.created_at):%Y-%m-%d}）"


@dataclass(frozen=True)
class CaseChoices:
    """The rows of the case (and its agency) that a document's fields may point at."""

    officers: Choices
    handler_ids: tuple[str, ...]
    parties: Choices
    recordings: Choices
    documents: tuple[tuple[str, str, str], ...]  # final, current documents: id, label, kind
    party_addresses: tuple[str, ...] = ()  # in the order of `parties`
    legal_reviewers: Choices = field(default_factory=list)  # reviewers who do not handle it
    non_handlers: Choices = field(default_factory=list)  # officers who do not handle it
    statement_period: str = ""  # the profile's 陈述申辩期限, e.g. 3个工作日
    unserved: frozenset[str] = frozenset()  # final documents without a completed service
    began_at: datetime | None = None  # 立案 (or, before it and for an emergency, 启动) time
    began_as: str = "立案"

    def documents_of(self, kinds: Collection[str]) -> Choices:
        """The final documents of *kinds*, newest first (the order of `documents`)."""
        return [(pk, label) for pk, label, kind in self.documents if kind in kinds]

    @classmethod
    def of(cls, case: Case) -> CaseChoices:
        handler_ids = tuple(str(i) for i in case.handlers.values_list("officer_id", flat=True))
        memberships = Membership.objects.filter(
            agency=case.agency, role__in=[Role.OFFICER, Role.REVIEWER, Role.HEAD]
        ).select_related("officer")
        officers = {m.officer_id: m.officer for m in memberships}
        ranked = sorted(officers.values(), key=lambda o: (str(o.pk) not in handler_ids, o.name))
        finals = (
            Document.objects.filter(case=case, final__isnull=False, superseded_by__isnull=True)
            .select_related("final")
            .annotate(served=Count("services", filter=Q(services__served_on__isnull=False)))
            .order_by("-created_at", "-pk")
        )
        documents = tuple((str(d.pk), document_label(d), d.kind) for d in finals)
        parties = list(case.parties.order_by("pk"))
        emergency_or_unfiled = case.start_type == StartType.EMERGENCY or case.filed_at is None
        return cls(
            officers=[(str(o.pk), officer_label(o)) for o in ranked],
            legal_reviewers=[(str(o.pk), officer_label(o)) for o in access.legal_reviewers(case)],
            non_handlers=[
                (str(o.pk), officer_label(o)) for o in ranked if str(o.pk) not in handler_ids
            ],
            handler_ids=handler_ids,
            parties=[(str(p.pk), p.name) for p in parties],
            party_addresses=tuple(p.address for p in parties),
            recordings=[
                (
                    str(r.pk),
                    f"{r.filename}（{r.get_kind_display()}，"
                    f"{timezone.localtime(r.recorded_start_at):%Y-%m-%d %H:%M}）",
                )
                for r in Recording.objects.filter(case=case).order_by("recorded_start_at", "pk")
            ],
            documents=documents,
            unserved=frozenset(str(d.pk) for d in finals if not d.served),
            statement_period=case.agency.profile.statement.label,
            began_at=case.opened_at if emergency_or_unfiled else case.filed_at,
            began_as="启动" if emergency_or_unfiled else "立案",
        )


# 法制审核人员: the agency's reviewers with 法律职业资格 who do not handle the case
# (行政处罚法 第58条; rule 18, `legal_review_gate`; `access.legal_reviewers`).
LEGAL_REVIEWER_FIELDS: Final = frozenset({("legal_review_opinion", "reviewer")})
# 听证主持人: an officer who did not investigate the case (行政处罚法 第64条(四); rule 23,
# `hearing_chair_problem`, which also knows the officers named on investigation records).
HEARING_CHAIR_FIELDS: Final = frozenset(
    {("hearing_notice", "chair"), ("hearing_transcript", "chair"), ("hearing_report", "chair")}
)


def _select(choices: Choices) -> forms.ChoiceField:
    return forms.ChoiceField(choices=[EMPTY, *choices], required=False)


def _django_field(spec: FieldSpec, choices: CaseChoices, kind: str) -> forms.Field:
    if (kind, spec.name) in LEGAL_REVIEWER_FIELDS:
        return _select(choices.legal_reviewers)
    if (kind, spec.name) in HEARING_CHAIR_FIELDS:
        return _select(choices.non_handlers)
    match spec.type:
        case "textarea":
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=DOCUMENT_TEXT_LIMIT,
                required=False,
            )
        case "date":
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False
            )
        case "datetime":
            return ShanghaiDateTimeField(required=False)
        case "integer":
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric"}))
        case "money":
            return forms.CharField(
                widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "元"})
            )
        case "choice":
            return _select(list(spec.choices))
        case "boolean":
            return forms.BooleanField(required=False)
        case "officer":
            return _select(choices.officers)
        case "officers":
            return forms.MultipleChoiceField(
                choices=choices.officers, widget=forms.CheckboxSelectMultiple, required=False
            )
        case "party":
            return _select(choices.parties)
        case "recording":
            return _select(choices.recordings)
        case "document":
            return _select(choices.documents_of(spec.ref_kinds))
    return forms.CharField()


@dataclass(frozen=True)
class FieldRow:
    """One field as the template shows it: the bound field and how to lay it out."""

    field: forms.BoundField
    spec: FieldSpec

    @property
    def required(self) -> bool:
        return self.spec.required and self.spec.type != "boolean"


class DocumentForm(NamedErrorsMixin, forms.Form):
    def __init__(self, *args: Any, kind: DocumentKind, choices: CaseChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.choices = choices
        for spec in kind.fields:
            field = _django_field(spec, choices, kind.code)
            field.required = False  # the catalogue decides, with its article
            field.label = spec.label
            field.help_text = spec.help
            if spec.type == "textarea":  # the limit, stated before submit (maxlength too)
                field.help_text = f"{spec.help}{limit_help(DOCUMENT_TEXT_LIMIT)}"
            field.error_messages["invalid_choice"] = (
                f"{spec.label}：请从列表中选择（“%(value)s”不是可选的一项）"
            )
            self.fields[spec.name] = field
        self.name_errors()

    def rows(self) -> list[FieldRow]:
        return [FieldRow(self[spec.name], spec) for spec in self.kind.fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for spec in self.kind.fields:
            if spec.name in self.errors:
                continue
            try:
                clean_value(self.kind, spec, raw_value(spec, cleaned.get(spec.name)))
            except RuleViolation as refusal:
                self.add_error(spec.name, str(refusal))
        values = {
            spec.name: raw_value(spec, cleaned.get(spec.name))
            for spec in self.kind.fields
            if spec.name not in self.errors
        }
        problems = field_problems(
            self.kind,
            values,
            now=clock.now(),
            case_began_at=self.choices.began_at,
            began_as=self.choices.began_as,
        )
        for name, problem in problems.items():
            self.add_error(name, problem)
        return cleaned

    def raw_fields(self) -> dict[str, object]:
        """The values as the action takes them (strings, lists, booleans; ISO dates)."""
        return {
            spec.name: raw_value(spec, self.cleaned_data.get(spec.name))
            for spec in self.kind.fields
        }


def raw_value(spec: FieldSpec, value: Any) -> object:
    if spec.type == "boolean":
        return bool(value)
    if spec.type == "officers":
        return [str(v) for v in value or []]
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def initial_from(kind: DocumentKind, fields: Mapping[str, Any]) -> dict[str, object]:
    """A document's stored values as the form's initial data (a correction starts from them)."""
    initial: dict[str, object] = {}
    for spec in kind.fields:
        value = fields.get(spec.name)
        if value is None:
            continue
        if spec.type == "datetime" and isinstance(value, str):
            initial[spec.name] = (
                datetime.fromisoformat(value).astimezone(SHANGHAI).strftime(LOCAL_MINUTE)
            )
        elif spec.type == "officers" and isinstance(value, list):
            initial[spec.name] = [str(v) for v in value]
        elif spec.type == "boolean":
            initial[spec.name] = bool(value)
        else:
            initial[spec.name] = str(value)
    return initial


def initial_for_new(kind: DocumentKind, choices: CaseChoices) -> dict[str, object]:
    """Sensible defaults: the handlers as the officers, the only party as the party (its name
    and address where a text field asks for them), the only final document a required
    reference may point at, and on a service record the newest document not yet served."""
    initial: dict[str, object] = {}
    only_party = len(choices.parties) == 1
    for spec in kind.fields:
        documents = choices.documents_of(spec.ref_kinds) if spec.type == "document" else []
        if spec.type == "officers" and spec.name == "officers":
            initial[spec.name] = list(choices.handler_ids)
        elif spec.type == "party" and only_party:
            initial[spec.name] = choices.parties[0][0]
        elif spec.name == "party_name" and spec.type == "text" and only_party:
            initial[spec.name] = choices.parties[0][1]
        elif spec.name == "party_address" and spec.type == "text" and only_party:
            initial[spec.name] = choices.party_addresses[0]
        elif (kind.code, spec.name) == ("prior_notice", "statement_right"):
            initial[spec.name] = statement_right(choices.statement_period)
        elif spec.name == "served_document":
            unserved = [pk for pk, _ in documents if pk in choices.unserved]
            if unserved:
                initial[spec.name] = unserved[0]
        elif len(documents) == 1:  # required or not: the one that fits (a heard case's 笔录)
            initial[spec.name] = documents[0][0]
    return initial


def statement_right(period: str) -> str:
    """The notice's sentence on the right to state and defend, with the profile's period (the
    one the system counts: 行政处罚法 第44条、第45条; the profile's ``statement``)."""
    return (
        f"你（单位）可在收到本告知书之日起{period}内向本机关提出陈述、申辩；"
        "逾期未提出的，视为放弃陈述、申辩的权利。"
    )


def add_refusal(
    form: forms.Form, refusal: Exception, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a refused act's message next to the field it names (else above the form)."""
    field = str(getattr(refusal, "field", "") or "")
    field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, str(refusal))


def kinds_for_stage(
    catalogue: Mapping[str, DocumentKind], *, stage: str, procedure: str
) -> Sequence[DocumentKind]:
    """The kinds a case may make now: its stage's kinds and those of any stage."""
    return [
        kind
        for kind in catalogue.values()
        if procedure in kind.procedures and (stage in kind.stages or "any" in kind.stages)
    ]
