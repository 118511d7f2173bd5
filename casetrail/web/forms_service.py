"""The service form (送达): one method of seven, its details and proof files (Seed A art. 11;
Seed B art. 18–24; 民事诉讼法 第87–95条).

The form only shapes input. Which details and proofs a method *needs* is decided by
`casetrail/procedure/rules/service.py`: the form offers each method's inputs, builds the same
`ServiceDraft` the action checks, and shows the rule's message next to the field it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from casetrail.cases.documents import Document
from casetrail.cases.models import Case
from casetrail.evidence.models import Recording
from casetrail.ledger.canonical import Json
from casetrail.procedure.facts import DocFacts
from casetrail.procedure.rules.service import (
    ELECTRONIC_CHANNELS,
    METHODS,
    POSTAL_TYPES,
    ServiceDraft,
)
from casetrail.web.forms_documents import EMPTY, SHANGHAI, Choices, ShanghaiDateTimeField

# The inputs each method offers, in the order the form shows them.
METHOD_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "direct": ("signed_by", "relationship", "receipt"),
    "left_at_address": ("refusal_reason", "witness_name", "recording", "left_receipt"),
    "entrusted": ("letter", "entrusted_body", "entrusted_receipt"),
    "postal": (
        "mail_type",
        "tracking_number",
        "document_list",
        "posting_proof",
        "return_receipt",
        "return_reason",
    ),
    "forwarded": (
        "forwarding_body",
        "server_signature",
        "addressee_signature",
        "forwarded_receipt",
    ),
    "electronic": ("channel", "address", "sent_at", "delivery_proof"),
    "public_notice": (
        "notice",
        "reason",
        "medium",
        "published_on",
        "abroad",
        "posting_photo",
        "recording",
    ),
}
# Each method's own receipt input (its label says what the receipt shows); all are the proof
# the rules call "receipt".
PROOF_OF_FIELD: Final[Mapping[str, str]] = {
    "left_receipt": "receipt",
    "entrusted_receipt": "receipt",
    "forwarded_receipt": "receipt",
}
FILE_FIELDS: Final = frozenset(
    {"receipt", "posting_proof", "return_receipt", "delivery_proof", "posting_photo"}
    | PROOF_OF_FIELD.keys()
)
ID_FIELDS: Final = frozenset({"letter", "notice", "recording"})
# 民事诉讼法 第89条、第95条: refused at the address or published, the document *is* served.
NEVER_FAILED: Final = frozenset({"left_at_address", "public_notice"})
# Fields that only make sense for one outcome (a returned letter has no return receipt).
OUTCOME_OF_FIELD: Final[Mapping[str, str]] = {
    "return_receipt": "served",
    "return_reason": "failed",
}
OUTCOMES: Final = (("served", "已送达"), ("failed", "未能送达（如邮件被退回、查无此人）"))


def _methods_of(name: str) -> tuple[str, ...]:
    return tuple(method for method, names in METHOD_FIELDS.items() if name in names)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label: str, *, long: bool = False, max_length: int = 200) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 2}) if long else None
    return forms.CharField(max_length=max_length, required=False, label=label, widget=widget)


def _file(label: str) -> forms.FileField:
    return forms.FileField(
        required=False, label=label, help_text="PNG、JPEG 图片或 PDF 扫描件，保存时计算哈希"
    )


def _select(label: str, choices: Choices) -> forms.ChoiceField:
    return forms.ChoiceField(choices=[EMPTY, *choices], required=False, label=label)


@dataclass(frozen=True)
class ServiceChoices:
    """What the service of one document may point at: the case's recordings and the final
    entrustment letters and public notices that name this document."""

    recordings: Choices
    letters: Choices
    notices: Choices

    @classmethod
    def of(cls, case: Case, document: Document) -> ServiceChoices:
        referring: dict[str, Choices] = {"entrusted_service_letter": [], "public_notice": []}
        finals = Document.objects.filter(
            case=case, kind__in=referring, final__isnull=False, superseded_by__isnull=True
        ).select_related("final")
        for d in finals.order_by("created_at", "pk"):
            if d.fields.get("served_document") == document.pk:
                referring[d.kind].append((str(d.pk), f"{d.title} {d.final.number}".strip()))
        recordings = Recording.objects.filter(case=case).order_by("recorded_start_at", "pk")
        return cls(
            recordings=[
                (
                    str(r.pk),
                    f"{r.filename}（{r.get_kind_display()}，"
                    f"{timezone.localtime(r.recorded_start_at):%Y-%m-%d %H:%M}）",
                )
                for r in recordings
            ],
            letters=referring["entrusted_service_letter"],
            notices=referring["public_notice"],
        )


@dataclass(frozen=True)
class FieldRow:
    """A field as the template lays it out: the methods (and outcome) it belongs to."""

    field: forms.BoundField
    methods: tuple[str, ...]
    outcome: str = ""

    @property
    def methods_attr(self) -> str:
        return " ".join(self.methods)

    @property
    def methods_label(self) -> str:
        return "、".join(METHODS[m].removesuffix("送达") for m in self.methods)


class ServiceForm(forms.Form):
    """Every method's inputs in one form; only the chosen method's are read."""

    method = forms.ChoiceField(
        choices=list(METHODS.items()), required=False, initial="direct", label="送达方式"
    )
    outcome = forms.ChoiceField(
        choices=OUTCOMES,
        required=False,
        initial="served",
        widget=forms.RadioSelect,
        label="送达结果",
    )
    recipient = _text("受送达人", max_length=100)
    served_on = forms.DateField(
        widget=_date_widget(),
        required=False,
        label="送达日期",
        help_text="邮寄送达为签收回执上的日期；未能送达的，填写尝试送达的日期",
    )
    signed_by = _text("签收人", max_length=100)
    relationship = _text("签收人与受送达人的关系（本人、法定代表人等）")
    refusal_reason = _text("拒收事由", long=True)
    witness_name = _text("见证人姓名（在送达回证上签名的基层组织或单位代表）", max_length=100)
    letter = _select("委托送达函（已定稿）", [])
    entrusted_body = _text("受委托机关")
    mail_type = _select("邮寄方式", list(POSTAL_TYPES.items()))
    tracking_number = _text("邮件号码", max_length=50)
    document_list = _text("邮寄文书清单（文书名称及文号）", long=True, max_length=1000)
    return_reason = _text("退回原因", long=True)
    forwarding_body = _text("代为转交的机关或单位")
    server_signature = _text("转交人签名", max_length=100)
    addressee_signature = _text("受送达人签名", max_length=100)
    channel = _select("电子送达方式", list(ELECTRONIC_CHANNELS.items()))
    address = _text("传真号码、电子邮箱或手机号码")
    sent_at = ShanghaiDateTimeField(required=False, label="传真发送时间")
    notice = _select("送达公告（已定稿）", [])
    reason = _text("公告送达的原因", long=True)
    medium = _text("公告的媒体或张贴地点")
    published_on = forms.DateField(
        widget=_date_widget(),
        required=False,
        label="公告日期",
        help_text="自公告之日起经过三十日，即视为送达（《民事诉讼法》第九十五条）",
    )
    abroad = forms.BooleanField(required=False, label="受送达人在境外（经过六十日视为送达）")
    recording = _select("音像记录（留置过程或张贴公告的录像、照片）", [])
    receipt = _file("签收的送达回证（扫描件）")
    left_receipt = _file("注明拒收事由、日期的送达回证（扫描件）")
    entrusted_receipt = _file("受委托机关交回的送达回证（扫描件）")
    forwarded_receipt = _file("转交机关交回的送达回证（扫描件）")
    posting_proof = _file("付邮凭证（扫描件）")
    return_receipt = _file("签收回执（扫描件）")
    delivery_proof = _file("送达凭证（截图或发送记录）")
    posting_photo = _file("张贴公告的照片")

    def __init__(self, *args: Any, choices: ServiceChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, options in (
            ("letter", choices.letters),
            ("notice", choices.notices),
            ("recording", choices.recordings),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [EMPTY, *options]

    def clean_method(self) -> str:
        return str(self.cleaned_data.get("method") or "direct")

    def clean_outcome(self) -> str:
        return str(self.cleaned_data.get("outcome") or "served")

    # --- what the action takes -----------------------------------------------------------

    @property
    def chosen(self) -> str:
        return str(self.cleaned_data["method"])

    def _names(self) -> tuple[str, ...]:
        return METHOD_FIELDS.get(self.chosen, ())

    def details(self) -> dict[str, Json]:
        """The chosen method's details as the action records them (ids as numbers, dates as
        ISO text); empty inputs are left out, so the rule names what is missing."""
        details: dict[str, Json] = {}
        for name in self._names():
            if name in FILE_FIELDS:
                continue
            value = self.cleaned_data.get(name)
            if value in (None, "", False):
                continue
            if name in ID_FIELDS:
                details[name] = int(str(value))
            elif isinstance(value, datetime):
                details[name] = value.astimezone(SHANGHAI).isoformat()
            elif isinstance(value, date):
                details[name] = value.isoformat()
            elif isinstance(value, bool):
                details[name] = value
            else:
                details[name] = str(value).strip()
        attempted = self.cleaned_data.get("served_on")
        if self.chosen_outcome == "failed" and isinstance(attempted, date):
            details["attempted_on"] = attempted.isoformat()
        return details

    def _uploads(self) -> dict[str, UploadedFile[bytes]]:
        """The chosen method's files by the proof name the rules use."""
        names = [n for n in self._names() if n in FILE_FIELDS]
        return {
            PROOF_OF_FIELD.get(n, n): f for n in names if (f := self.cleaned_data.get(n)) and f.size
        }

    def aliases(self) -> dict[str, str]:
        """The input a rule's field name stands for under the chosen method."""
        return {PROOF_OF_FIELD[n]: n for n in self._names() if n in PROOF_OF_FIELD}

    def proof_files(self) -> dict[str, tuple[bytes, str]]:
        return {name: (f.read(), f.name or name) for name, f in self._uploads().items()}

    @property
    def chosen_outcome(self) -> str:
        return str(self.cleaned_data["outcome"])

    @property
    def recipient_text(self) -> str:
        return str(self.cleaned_data.get("recipient") or "")

    @property
    def service_day(self) -> date | None:
        """The date the officer gives; none for a failed attempt (it is kept in the details)
        or a public notice (served 30 days after publication)."""
        if self.chosen_outcome == "failed" or self.chosen == "public_notice":
            return None
        value = self.cleaned_data.get("served_on")
        return value if isinstance(value, date) else None

    def draft(self, document: DocFacts, recording_ids: frozenset[int]) -> ServiceDraft:
        """The service as the action would check it, built from the form alone (no writes)."""
        return ServiceDraft(
            document=document,
            method=self.chosen,
            outcome=self.chosen_outcome,
            served_on=self.service_day,
            recipient=self.recipient_text,
            details={**self.details(), "outcome": self.chosen_outcome},
            proofs=frozenset(self._uploads()),
            recording_ids=recording_ids,
        )

    # --- how the template lays it out -----------------------------------------------------

    @property
    def never_failed(self) -> str:
        return " ".join(sorted(NEVER_FAILED))

    def common_rows(self) -> list[FieldRow]:
        served_for = tuple(m for m in METHODS if m != "public_notice")
        return [
            FieldRow(self["recipient"], tuple(METHODS)),
            FieldRow(self["served_on"], served_for),
        ]

    def method_rows(self) -> list[FieldRow]:
        """Each method's inputs once, in the order the methods list them; scans last."""
        seen: list[str] = []
        for names in METHOD_FIELDS.values():
            seen.extend(n for n in names if n not in seen)
        seen.sort(key=lambda n: n in FILE_FIELDS)
        return [FieldRow(self[n], _methods_of(n), OUTCOME_OF_FIELD.get(n, "")) for n in seen]


def initial_service(case: Case, document: Document, today: date) -> dict[str, object]:
    """The addressee (the only party), today, and the postal list naming this document."""
    parties = list(case.parties.order_by("pk"))
    superseded = {p.supersedes_id for p in parties}
    current = [p for p in parties if p.pk not in superseded]
    number = document.final.number if hasattr(document, "final") else ""
    return {
        "method": "direct",
        "outcome": "served",
        "recipient": current[0].name if len(current) == 1 else "",
        "served_on": today,
        "document_list": f"{document.title} {number}".strip(),
    }
