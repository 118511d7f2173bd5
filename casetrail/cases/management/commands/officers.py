"""`casetrail officers import AGENCY FILE [--dry-run]` and `casetrail officers list [--agency A]
[--json]`: an agency's officers from an XLSX or CSV file, and the officers with their
certificates' state.

import: exit 0 imported (or, with --dry-run, nothing wrong), 1 refused with every problem listed
on stderr (nothing is imported), 2 could not run (unknown agency, unreadable file). AGENCY is the
agency's code (`luanchuan-tjj`). Each new account's one-time activation code is printed once;
with it the person sets their password on the activation page (/activate/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail import clock
from casetrail.cases.actions.activation import ACTIVATION_DAYS
from casetrail.cases.actions.officer_import import do_import_officers
from casetrail.cases.models import Agency
from casetrail.cases.officer_import import ImportPlan, ImportUnreadable
from casetrail.cases.officer_list import officer_rows

REFUSED = 1
COULD_NOT_RUN = 2


class Command(BaseCommand):
    help = "导入（import）或列出（list）执法人员；每个变更都记入账本"

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        importing = commands.add_parser("import", help="从 XLSX 或 CSV 文件导入人员")
        importing.add_argument("agency", help="机关代码（如 luanchuan-tjj）")
        importing.add_argument("file", help="XLSX 或 CSV 文件")
        importing.add_argument("--dry-run", action="store_true", help="只检查并显示将有的变更")
        listing = commands.add_parser("list", help="列出人员及其执法证状态")
        listing.add_argument("--agency", help="机关代码（默认全部机关）")
        listing.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self._import(options["agency"], Path(options["file"]), dry_run=options["dry_run"])
        else:
            self._list(options["agency"], as_json=options["json"])

    def _agency(self, code: str) -> Agency:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            known = "、".join(Agency.objects.order_by("pk").values_list("code", flat=True))
            raise CommandError(
                f"agency: 没有代码为“{code}”的机关（现有：{known or '无'}）",
                returncode=COULD_NOT_RUN,
            )
        return agency

    def _import(self, code: str, path: Path, *, dry_run: bool) -> None:
        agency = self._agency(code)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                f"file: 无法读取 {path}：{error.strerror}", returncode=COULD_NOT_RUN
            ) from None
        try:
            plan = do_import_officers(
                acting_user=None,
                agency=agency,
                filename=path.name,
                content=content,
                dry_run=dry_run,
            )
        except ImportUnreadable as error:
            raise CommandError(f"file: {path.name}：{error}", returncode=COULD_NOT_RUN) from None
        if not plan.ok:
            for problem in plan.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}：{len(plan.problems)} 处问题，未导入任何人员", returncode=REFUSED
            )
        self._report(plan, dry_run=dry_run)

    def _report(self, plan: ImportPlan, *, dry_run: bool) -> None:
        for row in plan.rows:
            changes = f"（{'；'.join(row.changes)}）" if row.changes else ""
            self.stdout.write(
                f"第 {row.row} 行 {row.kind_label} {row.data.username} {row.data.name}{changes}"
            )
        verdict = "预演，未写入" if dry_run else "已导入并记入账本"
        self.stdout.write(self.style.SUCCESS(f"{plan.summary()}：{verdict}"))
        if plan.activation_codes:
            self.stdout.write(
                f"新账号的一次性激活码（{ACTIVATION_DAYS} 日内有效，只显示这一次；"
                "本人在 /activate/ 页面用它设置密码）："
            )
        for username, code in plan.activation_codes.items():
            self.stdout.write(f"激活码\t{username}\t{code}")

    def _list(self, code: str | None, *, as_json: bool) -> None:
        agencies = [self._agency(code)] if code else list(Agency.objects.order_by("pk"))
        rows = officer_rows(agencies, clock.today())
        if as_json:
            document = [row.as_json() for row in rows]
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        for row in rows:
            o = row.officer
            active = "" if o.deactivated_on is None else f" 已停用（{o.deactivated_on}）"
            self.stdout.write(
                f"{row.agency.code}\t{o.user.username}\t{o.name}\t{row.role_names}\t"
                f"{o.certificate_number or '—'}\t{row.state_label}{active}"
            )
