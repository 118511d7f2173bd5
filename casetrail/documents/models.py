"""The PDF issued for a finalised document: stored once, hashed into the finalisation's entry."""

from __future__ import annotations

from django.db import models

from casetrail.cases.documents import Document
from casetrail.evidence.models import Blob
from casetrail.ledger.models import RecordModel


class IssuedPdf(RecordModel):
    """The archive PDF of a final document (PDF/A-2u), as issued; insert-only.

    Written by `do_finalise_document` in its transaction and recorded by its ledger entry (with
    the PDF's SHA-256 and the verification code among the entry's facts).
    """

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="issued_pdf")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField("PDF 的 SHA-256", max_length=64, unique=True)
    size = models.BigIntegerField()
    verification_code = models.CharField("验证码", max_length=14, unique=True)
    issued_at = models.DateTimeField("签发时间")
    renderer = models.CharField("生成软件版本", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "签发的文书PDF"

    def __str__(self) -> str:
        return f"{self.verification_code} ({self.sha256[:12]}…)"
