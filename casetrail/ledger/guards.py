"""Database triggers that make record tables and the ledger insert-only.

The code already refuses to change a recorded row (`RecordModel`); these triggers make the
database refuse it too, so a raw `UPDATE`/`DELETE`/`TRUNCATE` from any client fails
(DESIGN invariant 1; Seed A art. 15: 不得伪造、删改、销毁行政执法记录).

They are (re)installed after every `migrate` (`post_migrate`), because SQLite drops a table's
triggers when a migration rebuilds the table.

The triggers have no switch: no setting, session variable or SQL function a connection can
provide turns them off. Only whoever may alter the tables can get past them — on PostgreSQL the
owner role that runs `casetrail migrate` (`ALTER TABLE … DISABLE TRIGGER`, `DROP TRIGGER`) or a
superuser; on SQLite whoever can write the database file. The application serves with a role
that owns nothing (`casetrail/ledger/roles.py`). Against the owner and the superuser, the
ledger's Merkle proofs, signed checkpoints and `casetrail verify` are the control.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

from casetrail.ledger.models import RecordModel

PG_FUNCTION_NAME = "casetrail_refuse_change"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION_NAME}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'casetrail: % is insert-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""


def protected_tables() -> list[str]:
    """Every table whose rows are history: subclasses of RecordModel, the ledger included."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, RecordModel) and not model._meta.proxy
    )


def sqlite_trigger_names(table: str) -> list[str]:
    return [f"{table}_insert_only_{op}" for op in ("update", "delete")]


def postgres_trigger_names(table: str) -> list[str]:
    return [f"{table}_insert_only", f"{table}_no_truncate"]


def _sqlite_statements(table: str) -> list[str]:
    # Dropped first: a trigger of an older release may carry a condition; this one has none.
    statements = [f'DROP TRIGGER IF EXISTS "{name}"' for name in sqlite_trigger_names(table)]
    for op in ("UPDATE", "DELETE"):
        statements.append(
            f'CREATE TRIGGER "{table}_insert_only_{op.lower()}" BEFORE {op} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, 'casetrail: {table} is insert-only ({op} refused)'); END"
        )
    return statements


def postgres_trigger_statements(table: str) -> list[str]:
    return [
        f'CREATE OR REPLACE TRIGGER "{table}_insert_only" BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION_NAME}()",
        f'CREATE OR REPLACE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION_NAME}()",
    ]


def install_guards(connection: BaseDatabaseWrapper) -> list[str]:
    """Install the triggers on every protected table; idempotent. Returns the tables."""
    tables = protected_tables()
    existing = set(connection.introspection.table_names())
    tables = [table for table in tables if table in existing]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            statements = [s for table in tables for s in postgres_trigger_statements(table)]
        elif connection.vendor == "sqlite":
            statements = [s for table in tables for s in _sqlite_statements(table)]
        else:
            raise ImproperlyConfigured(
                f"casetrail supports SQLite and PostgreSQL, not {connection.vendor}"
            )
        for statement in statements:
            cursor.execute(statement)
    return tables
