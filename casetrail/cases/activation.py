"""One-time activation codes: how a new account gets its first password (issue 17, item 4).

An administrator's act issues a code (only its salted hash is kept); the person enters it with
their login on the activation page and chooses a password. Both are rows of history, so a code
is used at most once: it is spent when an activation row points at it, and only the latest
code of an account counts.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from casetrail.ledger.coverage import Coverage, rows
from casetrail.ledger.models import RecordModel


class ActivationCode(RecordModel):
    ledger_coverage: ClassVar[Coverage] = rows(
        "一次性激活码：由 do_issue_activation_code 记账，只保存其散列"
    )

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=200)
    issued_at = models.DateTimeField("签发时间")
    expires_at = models.DateTimeField("有效期至")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "激活码"
        indexes = [models.Index(fields=["user", "-issued_at"], name="activation_latest")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.issued_at:%Y-%m-%d}"


class AccountActivation(RecordModel):
    ledger_coverage: ClassVar[Coverage] = rows("激活码的使用：由 do_activate_account 记账")

    code = models.OneToOneField(ActivationCode, on_delete=models.PROTECT, related_name="activation")
    activated_at = models.DateTimeField("激活时间")

    class Meta:
        verbose_name = verbose_name_plural = "账号激活"

    def __str__(self) -> str:
        return f"{self.code_id} {self.activated_at:%Y-%m-%d}"
