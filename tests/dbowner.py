"""The database owner's privileged path, for the test harness only.

The insert-only triggers have no switch (`casetrail/ledger/guards.py`). The harness still has to
empty its throwaway database between transactional tests, and the tamper helpers
(`tests/ledger/tamper.py`) play an attacker with the owner's rights. Both go through here:

- SQLite: the triggers are dropped, the statements run, the triggers are installed again —
  whoever can write the file can do this, which is why `casetrail verify` is SQLite's control.
- PostgreSQL, one role (the suite's user owns the test database's tables, or is a superuser):
  `DROP TRIGGER` before, `CREATE TRIGGER` after — both need the table's owner.
- PostgreSQL, two roles (`CASETRAIL_MIGRATE_DATABASE_URL` set, the tests run as the app role):
  the same statements, passed to `casetrail_test_as_owner(text)`, a `SECURITY DEFINER` function
  that `tests/conftest.py` creates, as the owner, in the test database only and lets the app
  role execute. A production database has no such function.

Everything runs in the caller's transaction, so a tampering test's changes roll back with it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from casetrail.ledger.guards import (
    install_guards,
    postgres_trigger_names,
    postgres_trigger_statements,
    protected_tables,
    sqlite_trigger_names,
)

OWNER_FUNCTION = "casetrail_test_as_owner"

_OWNER_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {OWNER_FUNCTION}(statement text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    touched bigint;
BEGIN
    EXECUTE statement;
    GET DIAGNOSTICS touched = ROW_COUNT;
    RETURN touched;
END
$$
"""


def two_roles(connection: BaseDatabaseWrapper = default_connection) -> bool:
    """Whether the tests run as the app role while another role owns the tables."""
    return connection.vendor == "postgresql" and bool(
        os.environ.get("CASETRAIL_MIGRATE_DATABASE_URL")
    )


def create_owner_function(connection: BaseDatabaseWrapper, app_role: str) -> None:
    """Create the owner's function in the test database (run as the owner) for *app_role*."""
    role = connection.ops.quote_name(app_role)
    with connection.cursor() as cursor:
        cursor.execute(_OWNER_FUNCTION_SQL)
        cursor.execute(f"REVOKE ALL ON FUNCTION {OWNER_FUNCTION}(text) FROM PUBLIC")
        cursor.execute(f"GRANT EXECUTE ON FUNCTION {OWNER_FUNCTION}(text) TO {role}")


class OwnerCursor:
    """Runs statements with the owner's rights on *connection*, in its current transaction."""

    def __init__(self, connection: BaseDatabaseWrapper, cursor: Any) -> None:
        self.connection = connection
        self.cursor = cursor
        self.rowcount = -1

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if not two_roles(self.connection):
            self.cursor.execute(sql, params)
            self.rowcount = self.cursor.rowcount
            return
        with psycopg.ClientCursor(self.connection.connection) as client:
            statement = client.mogrify(sql, params or None)
        self.cursor.execute(f"SELECT {OWNER_FUNCTION}(%s)", [statement])
        self.rowcount = int(self.cursor.fetchone()[0])

    def fetchone(self) -> Any:
        return self.cursor.fetchone()


@contextmanager
def as_owner(connection: BaseDatabaseWrapper = default_connection) -> Iterator[OwnerCursor]:
    """A cursor with the owner's rights; the triggers stay on."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        yield OwnerCursor(connection, cursor)


def disable_guards(owner: OwnerCursor, tables: Sequence[str]) -> None:
    """Drop the insert-only triggers of *tables*, as only the owner can.

    Dropped rather than disabled: PostgreSQL refuses `ALTER TABLE` on a table with deferred
    foreign-key checks pending in the transaction, and a test's transaction has them.
    """
    postgres = owner.connection.vendor == "postgresql"
    for table in tables:
        names = postgres_trigger_names(table) if postgres else sqlite_trigger_names(table)
        for name in names:
            on_table = f' ON "{table}"' if postgres else ""
            owner.execute(f'DROP TRIGGER IF EXISTS "{name}"{on_table}')


def enable_guards(owner: OwnerCursor, tables: Sequence[str]) -> None:
    """Install the triggers of *tables* again, as the owner."""
    if owner.connection.vendor == "postgresql":
        for table in tables:
            for statement in postgres_trigger_statements(table):
                owner.execute(statement)
    else:
        install_guards(owner.connection)


@contextmanager
def guards_off(
    *tables: str, connection: BaseDatabaseWrapper = default_connection
) -> Iterator[OwnerCursor]:
    """An owner cursor free to change *tables*; their triggers come back when the block ends.

    If the block fails, its transaction is broken and rolls back, the triggers' state with it.
    """
    with as_owner(connection) as owner:
        disable_guards(owner, tables)
        yield owner
        if tables:
            enable_guards(owner, tables)


def flush_as_owner(connection: BaseDatabaseWrapper, sql_list: Sequence[str]) -> None:
    """Empty the test database (Django's flush statements) past the triggers, as the owner."""
    existing = set(connection.introspection.table_names())
    tables = [table for table in protected_tables() if table in existing]
    savepoint = connection.features.can_rollback_ddl
    atomic = transaction.atomic(using=connection.alias, savepoint=savepoint)
    with atomic, guards_off(*tables, connection=connection) as owner:
        for sql in sql_list:
            owner.execute(sql)


def owner_credentials(connection: BaseDatabaseWrapper = default_connection) -> dict[str, Any]:
    """The owner's credentials: the migrate role in two-role mode, else the suite's own."""
    from django.conf import settings

    from casetrail.ledger.management.commands.migrate import CREDENTIAL_KEYS

    owner = settings.CASETRAIL_MIGRATE_DATABASE if two_roles(connection) else None
    source = owner if owner is not None else connection.settings_dict
    return {key: source.get(key) for key in CREDENTIAL_KEYS}


@contextmanager
def owner_connection(
    connection: BaseDatabaseWrapper = default_connection,
) -> Iterator[BaseDatabaseWrapper]:
    """A second connection to the same database as its owner, in a transaction rolled back at
    the end (PostgreSQL). It sees only what other connections committed."""
    settings_dict = {**connection.settings_dict, **owner_credentials(connection)}
    owner = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "owner")
    owner.set_autocommit(False)
    try:
        yield owner
    finally:
        owner.rollback()
        owner.close()


def subprocess_environ() -> dict[str, str]:
    """This process's environment for a subprocess of the suite (a worker, a server) that works
    on the test database: without CASETRAIL_MIGRATE_DATABASE_URL, which names the non-test
    database, so settings would refuse it beside the test database's URL; it never migrates."""
    return {k: v for k, v in os.environ.items() if k != "CASETRAIL_MIGRATE_DATABASE_URL"}
