"""An agency's administrative acts, as its audit page lists them (issue 17, item 6): the
entries of its log that set the agency up, register and change officers, grant roles and
qualifications, enter the calendar or change accounts; newest first, 50 a page, by kind and
date. A page is read by keyset on the (agency, id) index: one query however long the log is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from casetrail.cases.models import Agency
from casetrail.ledger.canonical import Json
from casetrail.ledger.models import LedgerEntry

PAGE_SIZE: Final = 50

# Each kind of administrative act: its label and its actions, each with its label.
KINDS: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "agency": (
        "机关",
        {
            "agency.create": "创建机关",
            "agency.change": "变更机关信息",
            "agency.load_profile": "载入制度配置",
        },
    ),
    "officer": (
        "人员与执法证",
        {
            "officer.register": "登记人员",
            "officer.change": "变更证件信息",
            "officer.revoke_certificate": "吊销执法证",
            "officer.deactivate": "停用人员",
        },
    ),
    "role": ("岗位", {"officer.grant_role": "授予角色"}),
    "legal_review": ("法制审核资格", {"officer.set_legal_review": "登记法制审核资格"}),
    "calendar": ("工作日历", {"calendar.set_year": "录入年度工作日历"}),
    "account": (
        "账号",
        {
            "account.create": "创建账号",
            "account.change": "变更账号",
            "account.set_password": "设置密码",
            "account.issue_activation": "签发激活码",
            "account.activate": "激活账号",
        },
    ),
    "ingest": (
        "采集站令牌",
        {"ingest_token.issue": "签发采集站令牌", "ingest_token.revoke": "吊销采集站令牌"},
    ),
}
KIND_LABELS: Final = {kind: label for kind, (label, _) in KINDS.items()}
ACTION_LABELS: Final = {
    action: label for _, acts in KINDS.values() for action, label in acts.items()
}


@dataclass(frozen=True)
class AuditRow:
    entry_id: int
    recorded_at: datetime
    action: str
    label: str
    actor: str
    facts: list[tuple[str, str]]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    newer: int | None  # `after` cursor of the page before (newer acts); None on the first page
    older: int | None  # `before` cursor of the page after; None on the last page


def audit_entries(
    agency: Agency, *, kind: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[LedgerEntry]:
    """*agency*'s administrative entries, of *kind* (every kind when blank), recorded on the
    local days from *since* to *until* (both included)."""
    actions = KINDS[kind][1] if kind in KINDS else ACTION_LABELS
    entries = LedgerEntry.objects.filter(agency=agency, action__in=list(actions))
    if since is not None:
        entries = entries.filter(recorded_at__gte=_start_of(since))
    if until is not None:
        entries = entries.filter(recorded_at__lt=_start_of(until + timedelta(days=1)))
    return entries


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def audit_page(entries: QuerySet[LedgerEntry], *, before: int = 0, after: int = 0) -> AuditPage:
    """The page of *entries* (newest first) older than entry *before*, or newer than *after*."""
    fields = ("id", "recorded_at", "action", "payload")
    if after:
        rows = list(entries.filter(pk__gt=after).order_by("pk").only(*fields)[: PAGE_SIZE + 1])
        page = rows[:PAGE_SIZE][::-1]
        more_newer = len(rows) > PAGE_SIZE
        return AuditPage(
            [_row(e) for e in page],
            newer=page[0].pk if more_newer and page else None,
            older=page[-1].pk if page else None,
        )
    if before:
        entries = entries.filter(pk__lt=before)
    rows = list(entries.order_by("-pk").only(*fields)[: PAGE_SIZE + 1])
    page = rows[:PAGE_SIZE]
    return AuditPage(
        [_row(e) for e in page],
        newer=page[0].pk if before and page else None,
        older=page[-1].pk if len(rows) > PAGE_SIZE else None,
    )


def _row(entry: LedgerEntry) -> AuditRow:
    payload = json.loads(entry.payload)
    actor = payload.get("actor")
    return AuditRow(
        entry_id=entry.pk,
        recorded_at=entry.recorded_at,
        action=entry.action,
        label=ACTION_LABELS.get(entry.action, entry.action),
        actor=str(actor["name"]) if isinstance(actor, dict) else "系统（命令行）",
        facts=[(str(k), _text(v)) for k, v in (payload.get("facts") or {}).items()],
    )


def _text(value: Json) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
