"""Reads of the cases domain; views and actions ask here instead of writing queries inline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from casetrail import clock
from casetrail.cases.documents import Document, DocumentFinal
from casetrail.cases.models import (
    Agency,
    ApprovalSubject,
    CalendarDay,
    CalendarYear,
    Case,
    Officer,
    Party,
)
from casetrail.ledger.checkpoints import latest_checkpoint
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.citations import cite
from casetrail.procedure.rules.start import BackfillStatus, backfill_due, backfill_status
from casetrail.procedure.workdays import Due, WorkdayCalendar, builtin_calendar_data


def roles_of(officer: Officer, agency: Agency) -> frozenset[str]:
    return frozenset(officer.memberships.filter(agency=agency).values_list("role", flat=True))


def calendar_years() -> dict[int, CalendarYear]:
    """The version in force of each entered year: its latest `CalendarYear`."""
    return {row.year: row for row in CalendarYear.objects.order_by("year", "id")}


def working_calendar() -> WorkdayCalendar:
    """The official schedule from the package, overridden and extended by the entered years."""
    years = calendar_years()
    days = CalendarDay.objects.filter(calendar__in=[row.pk for row in years.values()])
    data = builtin_calendar_data().with_overrides(
        ((d.day, d.is_working_day, d.name) for d in days.order_by("day")), years
    )
    return WorkdayCalendar(data)


@dataclass(frozen=True)
class BackfillView:
    due: Due
    status: BackfillStatus
    days_left: int
    article: str  # the agency's own citation (栾川: art. 6; registry rule 6)


def emergency_backfill(case: Case, calendar: WorkdayCalendar | None = None) -> BackfillView | None:
    """Seed A art. 6: the deadline of an emergency start's approval, and where it stands."""
    if case.start_type != "emergency":
        return None
    calendar = calendar or working_calendar()
    started_on = clock.localdate(case.opened_at)
    due = backfill_due(started_on, case.agency.profile.emergency_backfill, calendar)
    approved_on = clock.localdate(case.filed_at) if case.filed_at else None
    today = clock.today()
    return BackfillView(
        due=due,
        status=backfill_status(due, approved_on=approved_on, today=today),
        days_left=(due.due_on - today).days,
        article=cite(case.agency.profile, "R6"),
    )


@dataclass(frozen=True)
class TimelineItem:
    entry_id: int
    index: int | None  # position in the agency's tree; None while pending integration
    published: bool  # covered by a signed checkpoint
    action: str
    label: str
    actor: str
    at: datetime
    facts: dict[str, Any]
    leaf_hash: str
    subject: str = ""  # the document an act is about (签名 · 询问笔录 · 张伟)


ACTION_LABELS = {
    "case.open": "启动案件",
    "case.filing_decision": "立案审批",
    "case.view_protected": "查阅涉密案件",
    "recording.register": "登记音像记录",
    "backup.run": "异地备份",
    "blob.repair": "修复存储文件",
    "document.create": "制作文书",
    "document.edit": "修改草稿（保存新版本）",
    "document.sign": "签名",
    "document.refusal": "记录拒签",
    "document.finalise": "文书定稿",
    "document.withdraw": "撤回草稿",
    "document.service": "送达",
    "approval.sign": "签署审批意见",
    "case.close_investigation": "调查终结",
    "case.set_gates": "设置审查要求",
    "case.close": "结案",
    "document.read_pdf": "读取文书PDF（涉密案件）",
    "file.read": "读取签名或送达凭证（涉密案件）",
    "case.export": "导出案件材料（涉密案件）",
}


def timeline(case: Case) -> list[TimelineItem]:
    """Every ledgered act of *case*, in log order."""
    items = []
    checkpoint = latest_checkpoint(case.agency_id)
    published_size = checkpoint.size if checkpoint else 0
    entries = LedgerEntry.objects.filter(case=case).select_related("leaf").order_by("id")
    payloads = [(entry, json.loads(entry.payload)) for entry in entries]
    titles = _document_titles(case, [p.get("facts", {}) for _, p in payloads])
    for entry, payload in payloads:
        actor = payload.get("actor") or {}
        document = payload.get("facts", {}).get("document")
        index = entry.leaf.index if hasattr(entry, "leaf") else None
        items.append(
            TimelineItem(
                entry_id=entry.pk,
                index=index,
                published=index is not None and index < published_size,
                action=entry.action,
                label=ACTION_LABELS.get(entry.action, entry.action),
                actor=actor.get("name", "系统"),
                at=entry.recorded_at,
                facts=payload.get("facts", {}),
                leaf_hash=entry.leaf_hash,
                subject=titles.get(document, "") if isinstance(document, int) else "",
            )
        )
    return items


def _document_titles(case: Case, facts: list[Any]) -> dict[int, str]:
    """The titles of the documents the acts name, in one query."""
    named = (f.get("document") for f in facts if isinstance(f, dict))
    ids: set[int] = {i for i in named if isinstance(i, int)}
    if not ids:
        return {}
    return dict(Document.objects.filter(case=case, pk__in=ids).values_list("pk", "title"))


def filing_approvals(case: Case) -> list[Any]:
    return list(case.approvals.filter(subject=ApprovalSubject.FILING).order_by("acted_at", "pk"))


def correction_dates(party: Party) -> list[date]:
    """The days the same party (by 统一社会信用代码 or ID number, else by name) was ordered to
    correct, in any final order of its agency's cases (Seed B art. 14; 统计法实施条例
    第50条(四))."""
    same = Party.objects.filter(case__agency_id=party.case.agency_id)
    if party.uscc:
        same = same.filter(uscc=party.uscc)
    elif party.id_number:
        same = same.filter(id_number=party.id_number)
    else:
        same = same.filter(name=party.name)
    finals = DocumentFinal.objects.filter(
        document__kind="correction_order",
        document__case_id__in=same.values("case_id"),
        document__superseded_by__isnull=True,
    )
    return [clock.localdate(at) for at in finals.values_list("finalised_at", flat=True)]
