"""The two PostgreSQL roles: the owner that migrates, the application that serves.

`casetrail migrate` connects as the owner (`CASETRAIL_MIGRATE_DATABASE_URL`) when it is set: the
owner creates and owns every table, the insert-only triggers and their function. Afterwards it
grants the application role (the user of `CASETRAIL_DATABASE_URL`) exactly what serving needs:

- record tables and the ledger (every table that carries the insert-only trigger, taken from
  `guards.protected_tables()`): SELECT and INSERT, nothing else;
- every other table (working state: cases, counters, log heads, users, sessions…): SELECT,
  INSERT, UPDATE and DELETE; `django_migrations` SELECT only;
- sequences: USAGE and SELECT.

The application role owns nothing, so it can neither ALTER, DISABLE or DROP a trigger, nor
TRUNCATE, nor lock a record row, and the trigger function is not its to replace. Grants are
issued afresh on every migrate (everything the role had on the schema's tables is revoked
first), so a table a later migration adds is covered by the next `casetrail migrate`.

SQLite has no roles: whoever can write the database file is its owner, and `casetrail verify`
is then the only control.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from casetrail.ledger.guards import protected_tables

RECORD_PRIVILEGES = "SELECT, INSERT"
WORKING_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
OWNER_ONLY_TABLES = frozenset({"django_migrations"})


def grant_statements(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    """The statements that give *app_role* what serving needs on the current schema."""
    quote = connection.ops.quote_name
    role = quote(app_role)
    tables = sorted(connection.introspection.table_names(include_views=False))
    records = set(protected_tables())
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
    ]
    for table in tables:
        if table in OWNER_ONLY_TABLES:
            privileges = "SELECT"
        elif table in records:
            privileges = RECORD_PRIVILEGES
        else:
            privileges = WORKING_PRIVILEGES
        statements.append(f"GRANT {privileges} ON {quote(table)} TO {role}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return statements


def grant_app_role(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    """Grant *app_role* its privileges (PostgreSQL; run as the owner). Returns the statements."""
    statements = grant_statements(connection, app_role)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
