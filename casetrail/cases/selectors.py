"""Reads of the cases domain; views and actions ask here instead of writing queries inline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)

from casetrail import clock
from casetrail.cases.documents import Document, DocumentFinal
from casetrail.cases.models import (
    Agency,
    Approval,
    ApprovalSubject,
    CalendarYear,
    Case,
    Officer,
    Party,
)
from casetrail.ledger.models import Checkpoint, LedgerEntry
from casetrail.procedure.citations import cite
from casetrail.procedure.rules.start import BackfillStatus, backfill_due, backfill_status
from casetrail.procedure.workdays import Due, WorkdayCalendar, builtin_calendar_data


def cases_matching(text: str) -> QuerySet[Case, tuple[int]]:
    """The ids of the cases whose number, or a party's name, contains *text* (case-insensitive),
    as a subquery: a UNION of two searches, each answered by its column's trigram index on
    PostgreSQL (migration 0010) — an OR of the two would make the planner read every case."""
    numbered = Case.objects.filter(case_number__icontains=text).order_by().values_list("pk")
    named = Party.objects.filter(name__icontains=text).order_by().values_list("case_id")
    return numbered.union(named)


def with_rows(case: Case) -> Case:
    """*case* with what its page shows and its facts read, each table once: its parties,
    handlers, approvals, and documents with their final and withdrawal rows (as
    ``loaded_documents``, see `case_documents`). Only for a page that does not act."""
    documents = Document.objects.select_related("final", "withdrawal").order_by("created_at", "pk")
    prefetch_related_objects(
        [case],
        "parties",
        "handlers",
        "approvals",
        Prefetch("documents", queryset=documents, to_attr="loaded_documents"),
    )
    return case


def case_documents(case: Case) -> list[Document]:
    """The documents of *case* in the order they were made, with their final and withdrawal
    rows: those `with_rows` read, or one query."""
    loaded: list[Document] | None = getattr(case, "loaded_documents", None)
    if loaded is not None:
        return loaded
    return list(
        Document.objects.filter(case=case)
        .select_related("final", "withdrawal")
        .order_by("created_at", "pk")
    )


def roles_of(officer: Officer, agency: Agency) -> frozenset[str]:
    return frozenset(officer.memberships.filter(agency=agency).values_list("role", flat=True))


def calendar_years() -> dict[int, CalendarYear]:
    """The version in force of each entered year: its latest `CalendarYear`."""
    return {row.year: row for row in CalendarYear.objects.order_by("year", "id")}


def working_calendar() -> WorkdayCalendar:
    """The official schedule from the package, overridden and extended by the entered years:
    the version in force of each year (its latest row) and its days, in one query."""
    newer = CalendarYear.objects.filter(year=OuterRef("year"), id__gt=OuterRef("id"))
    rows = (
        CalendarYear.objects.exclude(Exists(newer))
        .order_by("year", "days__day")
        .values_list("year", "days__day", "days__is_working_day", "days__name")
    )
    years: set[int] = set()
    days: list[tuple[date, bool, str]] = []
    for year, day, working, name in rows:
        years.add(year)
        if day is not None:  # a year entered with no day off or make-up day
            days.append((day, working, name))
    return WorkdayCalendar(builtin_calendar_data().with_overrides(days, years))


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


def timeline(case: Case, titles: dict[int, str] | None = None) -> list[TimelineItem]:
    """Every ledgered act of *case*, in log order; *titles*: its documents' (read once if not
    given)."""
    items = []
    # The size of the agency's latest signed checkpoint, read with the entries (one query).
    latest = Checkpoint.objects.filter(agency_id=case.agency_id).order_by("-size")
    entries = (
        LedgerEntry.objects.filter(case=case)
        .select_related("leaf")
        .annotate(published_size=Subquery(latest.values("size")[:1]))
        .order_by("id")
    )
    payloads = [(entry, json.loads(entry.payload)) for entry in entries]
    if titles is None:
        titles = _document_titles(case, [p.get("facts", {}) for _, p in payloads])
    for entry, payload in payloads:
        actor = payload.get("actor") or {}
        document = payload.get("facts", {}).get("document")
        index = entry.leaf.index if hasattr(entry, "leaf") else None
        items.append(
            TimelineItem(
                entry_id=entry.pk,
                index=index,
                published=index is not None and index < (entry.published_size or 0),
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


def filing_approvals(case: Case) -> list[Approval]:
    """The steps of the filing approval, in the order signed (prefetched on the case page)."""
    steps = [a for a in case.approvals.all() if a.subject == ApprovalSubject.FILING]
    return sorted(steps, key=lambda a: (a.acted_at, a.pk))


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
