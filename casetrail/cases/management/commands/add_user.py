"""`casetrail add_user USERNAME --name NAME [--admin]`: create an account through its act.

For the first administrator of a new deployment (no page can be used before one exists). The
password is read from standard input (one line), never from the command line, so it stays out
of the shell history and the process list. `--admin` makes a superuser with access to the
(read-only) admin site. Exit 0 created, 1 refused (the field and rule named on stderr).
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.cases.actions.accounts import do_create_user
from casetrail.procedure.errors import RuleViolation


class Command(BaseCommand):
    help = "创建登录账号（如第一位系统管理员）；密码从标准输入读取，每次创建都记入账本"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="登录名")
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--admin", action="store_true", help="超级用户（可查看只读的管理站点）")

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password()
        try:
            user = do_create_user(
                acting_user=None,
                username=options["username"],
                name=options["name"],
                password=password,
                is_staff=options["admin"],
                is_superuser=options["admin"],
            )
        except RuleViolation as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"账号 {user.username}（{user.first_name}）已创建"))

    def _password(self) -> str:
        if sys.stdin.isatty():
            first = getpass.getpass("密码：")
            if getpass.getpass("再次输入密码：") != first:
                raise CommandError("password: 两次输入的密码不一致")
            return first
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise CommandError("password: 请从标准输入提供密码（一行）")
        return line
