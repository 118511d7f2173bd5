"""The deadline list as data: one `Obligation` row per deadline the list can show.

Derived state, not a record: every row is computed from ledgered facts by the pure deadline
functions (`procedure.deadlines.case_deadlines`, the recording's stored due date, the agency's
backup status) and rewritten by the act that moves it, in that act's transaction
(`cases.obligation_rows.refresh_obligations`). `casetrail deadlines --check` recomputes every row
and reports any difference; `--rebuild` repairs them. Pages and the CLI read these rows with
indexed queries instead of computing each case's facts on every request (issue 24).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.cases.models import Agency, Case
from casetrail.ledger.coverage import Coverage, not_a_fact


class Obligation(models.Model):
    ledger_coverage: ClassVar[Coverage] = not_a_fact(
        "期限表：由已记账的事实按期限规则推算，随每个行为在同一事务中更新；"
        "casetrail deadlines --check 重新推算并比对，--rebuild 修复"
    )

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="obligations"
    )
    case_number = models.CharField(max_length=100, blank=True)  # "": the agency's own (backup)
    kind = models.CharField(max_length=40)
    label = models.CharField(max_length=100)
    subject = models.CharField(max_length=400)
    article = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    due_at = models.DateTimeField(null=True, blank=True)  # due at an instant (the next backup)
    opens_on = models.DateField(null=True, blank=True)  # a window's first day (court)
    provisional = models.BooleanField(default=False)
    provisional_reason = models.CharField(max_length=200, blank=True)
    # a period the agency lets run (statement, hearing request): listed only until it ends
    waiting = models.BooleanField(default=False)
    settled_on = models.DateField(null=True, blank=True)
    settled_late = models.BooleanField(default=False)
    reason = models.TextField(blank=True)  # the reason given for lateness
    # open, or settled late: what the deadline list may show (on-time ones are left out)
    on_list = models.BooleanField()

    class Meta:
        verbose_name = verbose_name_plural = "期限"
        indexes = [
            models.Index(fields=["agency", "on_list", "due_on"], name="obligation_agency_due"),
            models.Index(fields=["case", "on_list", "due_on"], name="obligation_case_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number or self.agency_id} {self.kind} {self.due_on}"
