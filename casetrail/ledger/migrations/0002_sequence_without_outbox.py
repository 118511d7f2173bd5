"""The outbox goes: the integrator finds recorded entries that have no leaf by itself.

On PostgreSQL every entry carries the id of the transaction that wrote it (`txid`, filled in by
the database, not a model field: no code writes it), indexed with its agency, so the integrator
can take entries in the order their transactions became visible and know when none can still
appear below a point (`ledger/integrate.py`). Entries still in the outbox are found again by
the first integration: the log head's floor starts at 0.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

ADD_TXID = (
    "ALTER TABLE ledger_ledgerentry ADD COLUMN txid bigint NOT NULL "
    "DEFAULT (pg_current_xact_id()::text::bigint)",
    "CREATE INDEX ledger_entry_txid ON ledger_ledgerentry (agency_id, txid, id)",
)
DROP_TXID = (
    "DROP INDEX IF EXISTS ledger_entry_txid",
    "ALTER TABLE ledger_ledgerentry DROP COLUMN IF EXISTS txid",
)


def add_txid(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in ADD_TXID:
            schema_editor.execute(statement)


def drop_txid(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_TXID:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="loghead", name="floor", field=models.BigIntegerField(default=0)
        ),
        migrations.RunPython(add_txid, drop_txid),
        migrations.DeleteModel(name="PendingEntry"),
    ]
