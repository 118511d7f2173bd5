"""The PDF issued for a finalised document: stored once, hashed into the finalisation's entry."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.evidence.models import Blob
from casetrail.ledger.coverage import Coverage, not_a_fact
from casetrail.ledger.models import RecordModel


class IssuedPdf(RecordModel):
    """The archive PDF of a final document (PDF/A-2u), as issued; insert-only.

    Written by `do_finalise_document` in its transaction and recorded by its ledger entry (with
    the PDF's SHA-256 and the verification code among the entry's facts).
    """

    document = models.OneToOneField(
        "cases.Document", on_delete=models.PROTECT, related_name="issued_pdf"
    )
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


class RateHit(models.Model):
    """A working table, not history: one request to a public page (/v/), kept for the length
    of the limiter's sliding window and then removed (see `casetrail.documents.ratelimit`).

    In the database, so that every app process counts the same requests.
    """

    ledger_coverage: ClassVar[Coverage] = not_a_fact(
        "公开核验页（/v/）的访问计数：工作表，过了滑动窗口即删除，不改变任何案件事实"
    )

    scope = models.CharField(max_length=20)
    address = models.CharField(max_length=45)  # an IPv6 address in full is 39 characters
    hit_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["scope", "address", "hit_at"], name="ratehit_window"),
            models.Index(fields=["hit_at"], name="ratehit_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.address} {self.hit_at:%H:%M:%S}"
