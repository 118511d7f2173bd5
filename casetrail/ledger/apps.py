from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

GUARDS_DISPATCH_UID = "casetrail-guards"


def install_guards_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from casetrail.ledger.guards import install_guards

    install_guards(connections[using])


class LedgerConfig(AppConfig):
    name = "casetrail.ledger"
    label = "ledger"
    verbose_name = "账本"

    def ready(self) -> None:
        post_migrate.connect(
            install_guards_after_migrate, sender=self, dispatch_uid=GUARDS_DISPATCH_UID
        )
