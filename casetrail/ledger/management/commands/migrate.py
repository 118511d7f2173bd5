"""`casetrail migrate`: Django's migrate, as the owner role, then the app role's grants.

With `CASETRAIL_MIGRATE_DATABASE_URL` set (PostgreSQL), the command connects as that owner role
for the migrations and the insert-only triggers, then grants the role of
`CASETRAIL_DATABASE_URL` what serving needs and nothing more (`casetrail/ledger/roles.py`).
Without it, one role migrates and serves (SQLite, or a PostgreSQL set-up without the split).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from casetrail.ledger.roles import grant_app_role

# What names the role and its way in; the database itself (NAME) stays the one being served.
CREDENTIAL_KEYS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


class Command(DjangoMigrate):
    help = (
        "执行数据库迁移并安装只增触发器；设置 CASETRAIL_MIGRATE_DATABASE_URL 时以所有者角色迁移，"
        "随后为 CASETRAIL_DATABASE_URL 的应用角色授权"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        owner: dict[str, Any] | None = settings.CASETRAIL_MIGRATE_DATABASE
        connection = connections[options["database"]]
        if owner is None or connection.settings_dict.get("USER") == owner.get("USER"):
            super().handle(*args, **options)
            return
        if connection.vendor != "postgresql":
            raise CommandError("CASETRAIL_MIGRATE_DATABASE_URL：只用于 PostgreSQL")
        app_role = connection.settings_dict.get("USER")
        if not app_role:
            raise CommandError(
                "CASETRAIL_DATABASE_URL：两角色部署须在地址中写明应用角色（postgres://角色@主机/库）"
            )
        served = {key: connection.settings_dict.get(key) for key in CREDENTIAL_KEYS}
        connection.close()
        connection.settings_dict.update({key: owner.get(key) for key in CREDENTIAL_KEYS})
        try:
            super().handle(*args, **options)
            statements = grant_app_role(connection, app_role)
        finally:
            connection.close()
            connection.settings_dict.update(served)
        if options["verbosity"] >= 1:
            self.stdout.write(f"已为应用角色 {app_role} 授权（{len(statements)} 条语句）")
