"""Every ledger entry carries a tag: HMAC(entry key, leaf hash) (`ledger/entry_tags.py`).

Entries recorded before this migration are tagged here, with the application's entry key
(created on first use, like the signing keys): the migration must run where the application's
key folder is (or `CASETRAIL_ENTRY_KEY_FILE` points at the key). It vouches for the entries as
they are when it runs, so run `casetrail verify` first: an entry forged before the migration
would be tagged with the others. A database without entries (a new installation) never reads
the key here.

The insert-only trigger refuses the UPDATE, so the migration, run by the owner of the tables,
sets it aside for this one statement per entry: on PostgreSQL with ``ALTER TABLE … DISABLE
TRIGGER`` (the owner's privilege; DDL is transactional, so a failure re-enables it), on SQLite
by dropping it; the triggers are installed again after every migrate (`guards.py`).
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from casetrail.ledger.config import ledger_hash
from casetrail.ledger.entry_tags import entry_key, entry_tag

TABLE = "ledger_ledgerentry"


def tag_existing_entries(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    entries = apps.get_model("ledger", "LedgerEntry").objects.filter(tag="")
    if not entries.exists():
        return
    key, h = entry_key(), ledger_hash()
    rows = list(entries.order_by("pk").values_list("pk", "leaf_hash"))
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        guarded = False
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
                [TABLE, f"{TABLE}_insert_only"],
            )
            guarded = cursor.fetchone() is not None
            if guarded:
                cursor.execute(f'ALTER TABLE "{TABLE}" DISABLE TRIGGER "{TABLE}_insert_only"')
        else:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_insert_only_update"')
        for pk, stored in rows:
            try:
                leaf = bytes.fromhex(stored)
            except ValueError:
                continue  # not a hash: left untagged, so verify names it
            cursor.execute(
                f'UPDATE "{TABLE}" SET "tag" = %s WHERE "id" = %s', [entry_tag(leaf, key, h), pk]
            )
        if guarded:
            cursor.execute(f'ALTER TABLE "{TABLE}" ENABLE TRIGGER "{TABLE}_insert_only"')


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_guards_without_bypass"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="tag",
            field=models.CharField(db_default="", default="", max_length=64),
        ),
        migrations.RunPython(tag_existing_entries, migrations.RunPython.noop, elidable=False),
    ]
