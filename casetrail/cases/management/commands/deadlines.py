"""`casetrail deadlines [--agency A] [--overdue] [--json] | --check | --rebuild`: statutory
deadlines needing attention.

One row per deadline, whatever its kind (AV storage: Seed A art. 14 / Seed B art. 26; backfill
of an emergency start's approval: Seed A art. 6): case number, kind, due date, provisional flag
and reason, status, days left, and the reason given for lateness. Deadlines met on time are not
listed. ``--overdue`` keeps only the missed ones (overdue, or done late).

The list reads the `Obligation` rows, which every act keeps current. ``--check`` recomputes
every row from the ledgered facts with the deadline rules and reports each difference (exit 1
if any); ``--rebuild`` does the same, then rewrites the rows that differ (after a migration that
adds the table, or to repair a damaged row).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.cases.evidence_selectors import Deadline, agency_by_key, deadlines
from casetrail.cases.obligation_rows import check_obligations


def _line(row: Deadline) -> str:
    if row.days_left is None or (row.status == "overdue" and row.days_left >= 0):
        left = ""
    elif row.days_left < 0:
        left = f"，超期 {-row.days_left} 天"
    else:
        left = f"，剩余 {row.days_left} 天"
    done = f"，{row.done_on:%Y-%m-%d} 完成" if row.done_on else ""
    parts = [
        f"{row.case_number or '（全机关）'}",
        f"{row.kind_label}（{row.subject}）",
        f"期限 {row.due_on:%Y-%m-%d}",
        f"{row.status_label}{done}{left}",
    ]
    if row.reason:
        parts.append(f"逾期理由：{row.reason}")
    if row.provisional:
        parts.append(f"暂定：{row.provisional_reason}")
    return " | ".join(parts)


class Command(BaseCommand):
    help = "列出需要关注或已错过的法定期限（音像记录储存、紧急先行启动补办审批等）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="机关代码或简称（默认：全部）")
        parser.add_argument("--overdue", action="store_true", help="只列出已超期或逾期完成的")
        parser.add_argument("--json", action="store_true", help="输出 JSON（每个期限一项）")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--check",
            action="store_true",
            help="按已记账的事实重新推算全部期限，报告差异（不修改）",
        )
        mode.add_argument(
            "--rebuild", action="store_true", help="重新推算全部期限，报告差异并改正期限表"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"] or options["rebuild"]:
            self._check(repair=bool(options["rebuild"]))
            return
        agency = None
        if options["agency"]:
            agency = agency_by_key(options["agency"])
            if agency is None:
                raise CommandError(f"--agency: 没有代码或简称为 {options['agency']!r} 的执法机关")
        rows = deadlines(agency=agency, missed_only=options["overdue"])
        if options["json"]:
            document = [row.as_json() for row in rows]
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("没有需要关注的期限")
            return
        for row in rows:
            self.stdout.write(_line(row))

    def _check(self, *, repair: bool) -> None:
        def progress(done: int, total: int) -> None:
            self.stderr.write(f"已核对 {done}/{total} 件案件")

        found = check_obligations(repair=repair, progress=progress)
        for difference in found:
            self.stdout.write(difference.describe())
        if not found:
            self.stdout.write("期限表与按已记账事实推算的结果一致")
            return
        if repair:
            self.stdout.write(f"发现 {len(found)} 处差异，已按推算结果改正")
            return
        self.stdout.write(f"发现 {len(found)} 处差异（未修改；用 --rebuild 改正）")
        raise SystemExit(1)
