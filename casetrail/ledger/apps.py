from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_guards(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from casetrail.ledger.guards import install_guards

    install_guards(connections[using])


class LedgerConfig(AppConfig):
    name = "casetrail.ledger"
    label = "ledger"
    verbose_name = "账本"

    def ready(self) -> None:
        post_migrate.connect(_install_guards, sender=self, dispatch_uid="casetrail-guards")
