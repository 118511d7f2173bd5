"""`casetrail agencies create --name … --short-name … --code … --profile KEY|FILE.toml
[--parent CODE] [--uscc …] [--address …]` and `casetrail agencies list [--json]`.

create: exit 0 created, 1 refused (every field named on stderr, nothing written), 2 could not
run (an unreadable profile file, an unknown parent). A profile is a built-in key
(luanchuan-2020, xinglongtai-2019) or a TOML file, validated as `casetrail load_profile` does:
a bad file is refused with its key and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.cases.actions.setup import do_create_agency
from casetrail.cases.agency_list import agency_rows
from casetrail.cases.models import Agency
from casetrail.policy.locate import error_line
from casetrail.policy.preview import profile_preview
from casetrail.policy.profiles import ProfileError, builtin_profiles
from casetrail.procedure.errors import RuleViolation

REFUSED = 1
COULD_NOT_RUN = 2


class Command(BaseCommand):
    help = "创建（create）或列出（list）执法机关；每次创建都记入该机关的账本"

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        create = commands.add_parser("create", help="创建执法机关")
        create.add_argument("--name", required=True, help="机关名称，如 栾川县统计局")
        create.add_argument("--short-name", required=True, help="简称（用于案号），如 栾统")
        create.add_argument("--code", required=True, help="代码（账本标识），如 luanchuan-tjj")
        create.add_argument(
            "--profile",
            required=True,
            help=f"内置制度配置（{'、'.join(builtin_profiles())}）或 TOML 文件",
        )
        create.add_argument("--parent", help="上级机关的代码")
        create.add_argument("--uscc", default="", help="统一社会信用代码")
        create.add_argument("--address", default="", help="地址")
        listing = commands.add_parser("list", help="列出执法机关及其上级机关")
        listing.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "create":
            self._create(options)
        else:
            self._list(as_json=options["json"])

    def _create(self, options: dict[str, Any]) -> None:
        parent = self._parent(options["parent"])
        profile_args = self._profile(options["profile"])
        try:
            agency = do_create_agency(
                acting_user=None,
                name=options["name"],
                short_name=options["short_name"],
                code=options["code"],
                uscc=options["uscc"],
                address=options["address"],
                parent=parent,
                **profile_args,
            )
        except ProfileError as error:
            line = error_line(str(profile_args.get("profile_text", "")), error)
            where = f"（第 {line} 行）" if line else ""
            self.stderr.write(f"profile: {error.source}: {error.key}{where}: {error.reason}")
            raise CommandError("制度配置有误，未创建机关", returncode=REFUSED) from None
        except RuleViolation as refused:
            for problem in refused.message.split("；"):
                self.stderr.write(problem)
            raise CommandError(f"未创建机关（{refused.article}）", returncode=REFUSED) from None
        self.stdout.write(self.style.SUCCESS(f"已创建 {agency.name}（{agency.code}），记入账本"))
        for label, value in profile_preview(agency.profile):
            self.stdout.write(f"  {label}：{value}")

    def _parent(self, code: str | None) -> Agency | None:
        if not code:
            return None
        parent = Agency.objects.filter(code=code).first()
        if parent is None:
            known = "、".join(Agency.objects.order_by("pk").values_list("code", flat=True))
            raise CommandError(
                f"parent: 没有代码为“{code}”的机关（现有：{known or '无'}）",
                returncode=COULD_NOT_RUN,
            )
        return parent

    def _profile(self, value: str) -> dict[str, str]:
        if value in builtin_profiles():
            return {"profile_key": value}
        path = Path(value)
        if path.suffix != ".toml":
            known = "、".join(builtin_profiles())
            raise CommandError(
                f"profile: “{value}”既不是内置配置（{known}）也不是 .toml 文件",
                returncode=COULD_NOT_RUN,
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "不是 UTF-8 编码的文本文件"
            raise CommandError(
                f"profile: 无法读取 {path}：{reason}", returncode=COULD_NOT_RUN
            ) from None
        return {"profile_text": text, "profile_file": path.name}

    def _list(self, *, as_json: bool) -> None:
        rows = agency_rows()
        if as_json:
            self.stdout.write(
                json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2)
            )
            return
        for row in rows:
            a = row.agency
            self.stdout.write(
                f"{a.code}\t{a.name}\t{a.short_name}\t{a.profile_key}\t"
                f"{row.parent_code or '—'}\t{a.uscc or '—'}"
            )
