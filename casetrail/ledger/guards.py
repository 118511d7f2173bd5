"""Database triggers that make record tables and the ledger insert-only.

The code already refuses to change a recorded row (`RecordModel`); these triggers make the
database refuse it too, so a raw `UPDATE`/`DELETE`/`TRUNCATE` from any client fails
(DESIGN invariant 1; Seed A art. 15: 不得伪造、删改、销毁行政执法记录).

They are (re)installed after every `migrate` (`post_migrate`), because SQLite drops a table's
triggers when a migration rebuilds the table.

The only way around them short of dropping them is *test-database purge mode*: the test runner
empties its throwaway database between transactional tests. It is switched on per connection
by `purge_mode()` and used nowhere else. A superuser can always drop a trigger; that is why the
ledger's Merkle proofs, signed checkpoints and `casetrail verify` exist.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

from casetrail.ledger.models import RecordModel

PURGE_SETTING = "casetrail.maintenance"
PURGE_VALUE = "purge-test-database"
SQLITE_PURGE_FUNCTION = "casetrail_purge_mode"
_PURGING: weakref.WeakSet[BaseDatabaseWrapper] = weakref.WeakSet()

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION casetrail_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{PURGE_SETTING}', true) = '{PURGE_VALUE}' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
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


def _sqlite_statements(table: str) -> list[str]:
    statements = []
    for op in ("UPDATE", "DELETE"):
        statements.append(
            f'CREATE TRIGGER IF NOT EXISTS "{table}_insert_only_{op.lower()}" '
            f'BEFORE {op} ON "{table}" WHEN {SQLITE_PURGE_FUNCTION}() IS NOT 1 '
            f"BEGIN SELECT RAISE(ABORT, 'casetrail: {table} is insert-only ({op} refused)'); END"
        )
    return statements


def _postgres_statements(table: str) -> list[str]:
    return [
        f'CREATE OR REPLACE TRIGGER "{table}_insert_only" BEFORE UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION casetrail_refuse_change()",
        f'CREATE OR REPLACE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION casetrail_refuse_change()",
    ]


def install_guards(connection: BaseDatabaseWrapper) -> list[str]:
    """Install the triggers on every protected table; idempotent. Returns the tables."""
    tables = protected_tables()
    existing = set(connection.introspection.table_names())
    tables = [table for table in tables if table in existing]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            statements = [s for table in tables for s in _postgres_statements(table)]
        elif connection.vendor == "sqlite":
            statements = [s for table in tables for s in _sqlite_statements(table)]
        else:
            raise ImproperlyConfigured(
                f"casetrail supports SQLite and PostgreSQL, not {connection.vendor}"
            )
        for statement in statements:
            cursor.execute(statement)
    return tables


def register_sqlite_function(connection: BaseDatabaseWrapper) -> None:
    """Give each SQLite connection the function the triggers ask (off unless purge mode)."""
    if connection.vendor != "sqlite":
        return

    def purge_mode() -> int:
        return 1 if connection in _PURGING else 0

    connection.connection.create_function(SQLITE_PURGE_FUNCTION, 0, purge_mode)


@contextmanager
def purge_mode(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Let the test runner empty its throwaway database. Never used by the application."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET {PURGE_SETTING} = '{PURGE_VALUE}'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"RESET {PURGE_SETTING}")
        return
    _PURGING.add(connection)
    try:
        yield
    finally:
        _PURGING.discard(connection)


def on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    register_sqlite_function(connection)
