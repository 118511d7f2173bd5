"""Substring search of the case lists (issue 24 item 3): GIN trigram indexes on PostgreSQL.

The search (`casetrail.web.views.case_list`) filters with ``icontains``, which PostgreSQL runs as
``UPPER(col::text) LIKE UPPER('%…%')``: an index on the raw column is never used, so the indexes
are on ``UPPER(col)``, the expression the query compares. pg_trgm is a trusted extension
(PostgreSQL 13+): the owner role that runs ``casetrail migrate`` creates it in its own database
(README "Deploying on PostgreSQL"). On SQLite the migration does nothing.

The indexes are not in the models' ``Meta.indexes``: ``GinIndex`` cannot be created on SQLite,
and the models are the same for both engines.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEXES = {
    "case_number_trgm": ("cases_case", "case_number"),
    "party_name_trgm": ("cases_party", "name"),
}


def create_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin (UPPER({quote(column)}) gin_trgm_ops)"
        )


def drop_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_agency_hierarchy"),
    ]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; nothing on SQLite
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
