"""`casetrail issue_ingest_token AGENCY USERNAME [--label L] [--create NAME]`: a station's token.

The token is printed once, on stdout, and only its SHA-256 is kept: store it in the ingest
station's configuration at once. The account must be an officer holding the ``ingest`` role
(采集站) in the agency; ``--create NAME`` makes such an account (no password: it cannot log in
to the pages) through the same ledgered acts an administrator would use.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from casetrail.cases.actions.accounts import do_create_user
from casetrail.cases.actions.ingest_tokens import do_issue_ingest_token
from casetrail.cases.actions.setup import do_grant_role, do_register_officer
from casetrail.cases.evidence_selectors import agency_by_key
from casetrail.cases.models import Agency, Officer, Role
from casetrail.procedure.errors import RuleViolation


def _agency(key: str) -> Agency:
    agency = agency_by_key(key)
    if agency is None:
        raise CommandError(f"agency: 没有代码或简称为 {key!r} 的执法机关")
    return agency


def _create_station(agency: Agency, username: str, name: str) -> Officer:
    if User.objects.filter(username=username).exists():
        raise CommandError(f"--create: 用户名 {username!r} 已存在，去掉 --create 即可为其签发令牌")
    user = do_create_user(acting_user=None, username=username, name=name)  # API only
    officer = do_register_officer(acting_user=None, agency=agency, user=user, name=name)
    do_grant_role(acting_user=None, officer=officer, agency=agency, role=Role.INGEST)
    return officer


def _station(username: str) -> Officer:
    officer = Officer.objects.filter(user__username=username).first()
    if officer is None:
        raise CommandError(
            f"username: 没有用户名为 {username!r} 的执法人员账号（可加 --create 名称）"
        )
    return officer


class Command(BaseCommand):
    help = "为采集站账号签发 API 令牌（令牌只显示一次，系统只保存其 SHA-256）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency", help="机关代码或简称，如 luanchuan-tjj 或 栾统")
        parser.add_argument("username", help="采集站账号的用户名")
        parser.add_argument("--label", default="", help="令牌标签，如设备所在地点（默认：用户名）")
        parser.add_argument("--create", metavar="NAME", help="账号不存在时先创建，NAME 为显示名称")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = _agency(options["agency"])
        username: str = options["username"]
        try:
            with transaction.atomic():
                if options["create"]:
                    officer = _create_station(agency, username, options["create"])
                else:
                    officer = _station(username)
                label = options["label"] or username
                row, token = do_issue_ingest_token(
                    acting_user=None, agency=agency, officer=officer, label=label
                )
        except RuleViolation as refusal:
            raise CommandError(f"{refusal.field}: {refusal}") from None
        self.stderr.write(
            f"已为 {agency.name} 的采集站 {officer.name} 签发令牌 #{row.pk}（{label}）："
        )
        self.stdout.write(token)
