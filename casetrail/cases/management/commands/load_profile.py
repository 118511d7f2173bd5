"""`casetrail load_profile AGENCY FILE`: put an agency under its own policy profile file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.cases.actions.setup import do_load_agency_profile
from casetrail.cases.models import Agency
from casetrail.policy.locate import error_line
from casetrail.policy.profiles import ProfileError


class Command(BaseCommand):
    help = "为执法机关载入自定义的执法全过程记录制度配置（TOML 文件，先校验后生效）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency", help="机关简称（案号中使用的简称），如 栾统")
        parser.add_argument("file", type=Path, help="配置文件（TOML）")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(short_name=options["agency"]).first()
        if agency is None:
            raise CommandError(f"agency: 没有简称为 {options['agency']!r} 的执法机关")
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"file: 无法读取 {path}: {error.strerror}") from None
        try:
            agency = do_load_agency_profile(
                acting_user=None, agency=agency, text=text, source=str(path)
            )
        except ProfileError as error:
            line = error_line(text, error)
            where = f"（第 {line} 行）" if line else ""
            raise CommandError(f"{error.source}: {error.key}{where}: {error.reason}") from None
        self.stdout.write(self.style.SUCCESS(f"{agency.name} 已改用配置 {agency.profile_key}"))
