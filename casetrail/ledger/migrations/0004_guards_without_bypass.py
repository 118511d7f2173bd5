"""The insert-only triggers reinstalled without their bypass.

Until now the PostgreSQL trigger function let a connection through when its session setting
``casetrail.maintenance`` was ``purge-test-database``, and the SQLite triggers did nothing when
the connection's ``casetrail_purge_mode()`` function returned 1 — any client could provide
either. PostgreSQL: ``CREATE OR REPLACE FUNCTION`` without the condition (the triggers call it
by name). SQLite: each trigger dropped and created again without its ``WHEN`` clause.

Not reversible into the old triggers: going back keeps the guards as they are now.
"""

from typing import Any

from django.db import migrations


def reinstall(apps: Any, schema_editor: Any) -> None:
    from casetrail.ledger.guards import install_guards

    install_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_limitation"),
        ("documents", "0001_initial"),
        ("evidence", "0002_checkpointreplica"),
        ("ledger", "0003_ledger_references_without_constraints"),
    ]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop, elidable=False)]
