"""Documents (文书), their signatures, refusals to sign, finalisation and service — all history.

A `Document` is written once with its fields (checked against its kind's schema). Signatures and
refusals are rows of their own; `DocumentFinal` marks it final (and gives it its 文号), after
which nothing about it changes: a correction is a new document that `supersedes` it. Every row is
insert-only (the database refuses UPDATE and DELETE) and recorded by a ledger entry.

Seed A art. 9 (当事人签字或拒签记录); Seed B art. 7; 行政处罚法 第55条.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from casetrail.cases.models import Agency, Case, Officer
from casetrail.evidence.models import Blob, Recording
from casetrail.ledger.coverage import Coverage, not_a_fact
from casetrail.ledger.models import RecordModel


class Document(RecordModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书种类", max_length=60)
    title = models.CharField("文书名称", max_length=100)
    fields_json = models.TextField("内容（规范化 JSON）")
    content_sha256 = models.CharField(max_length=64)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    created_by_name = models.CharField(max_length=50)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "文书"
        ordering = ["created_at", "pk"]
        # The case page lists a case's documents in order; the inbox looks for drafts by kind.
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="document_case_order"),
            models.Index(fields=["kind", "created_at", "id"], name="document_kind_order"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.case.case_number}）"

    @cached_property
    def fields(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.fields_json)
        return value


class SignatureMethod(models.TextChoices):
    LOGIN = "login", "执法人员登录签名"
    PAPER = "paper", "纸面签字（扫描件）"
    SCREEN = "screen", "屏幕手写签名"


class Signature(RecordModel):
    """One signer's signature: an officer by login, or a person on paper or on screen."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="signatures")
    signer = models.CharField("签名人身份", max_length=40)
    name = models.CharField("签名人", max_length=100)
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=10, choices=SignatureMethod.choices)
    image = models.ForeignKey(Blob, on_delete=models.PROTECT, null=True, blank=True)
    relationship = models.CharField("与当事人关系（代签时）", max_length=50, blank=True)
    signed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "签名"
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_method_display()}）"


class SignatureRefusal(RecordModel):
    """A person's refusal to sign, with reason and time, witnessed (Seed A art. 9 第2款)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="refusals")
    signer = models.CharField("应签名人身份", max_length=40)
    person_name = models.CharField("拒绝签名人", max_length=100)
    reason = models.TextField("拒签理由或情况")
    refused_at = models.DateTimeField("拒签时间")
    witness_name = models.CharField("见证人", max_length=100, blank=True)
    witness_officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recording = models.ForeignKey(Recording, on_delete=models.PROTECT, null=True, blank=True)
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "拒绝签名记录"

    def __str__(self) -> str:
        return f"{self.person_name} 拒绝签名"


class DocumentFinal(RecordModel):
    """The document is final: numbered, hashed with its signatures, immutable from now on."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="final")
    number = models.CharField("文号", max_length=100, blank=True)
    content_sha256 = models.CharField(max_length=64)
    finalised_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "文书定稿"

    def __str__(self) -> str:
        return self.number or str(self.document_id)


class DocumentWithdrawal(RecordModel):
    """A draft withdrawn before it was finalised (made by mistake, or replaced): it stays in the
    file, marked withdrawn with the reason, and no longer counts as pending (Seed A art. 15)."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="withdrawal")
    reason = models.TextField("撤回理由")
    withdrawn_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "文书草稿撤回"

    def __str__(self) -> str:
        return f"{self.document_id} 撤回"


class DocumentNumberCounter(models.Model):
    """The last 文号 issued per agency, kind and year; locked while a document is finalised."""

    ledger_coverage: ClassVar[Coverage] = not_a_fact("文号计数器：发出的文号在已核对的定稿行中")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=60)
    year = models.IntegerField()
    last_seq = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "year"], name="one_doc_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.kind}/{self.year}: {self.last_seq}"


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", "直接送达"
    LEFT_AT_ADDRESS = "left_at_address", "留置送达"
    ENTRUSTED = "entrusted", "委托送达"
    POSTAL = "postal", "邮寄送达"
    FORWARDED = "forwarded", "转交送达"
    ELECTRONIC = "electronic", "电子送达"
    PUBLIC_NOTICE = "public_notice", "公告送达"


class Service(RecordModel):
    """The service (送达) of a final document, with its proof (details per method)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="services")
    method = models.CharField("送达方式", max_length=20, choices=ServiceMethod.choices)
    served_on = models.DateField("送达日期", null=True, blank=True)
    recipient = models.CharField("受送达人", max_length=100)
    details_json = models.TextField("送达情况（规范化 JSON）", default="{}")
    proof = models.ForeignKey(Blob, on_delete=models.PROTECT, null=True, blank=True)
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "送达记录"
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.document} {self.get_method_display()}"

    @cached_property
    def details(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.details_json)
        return value
