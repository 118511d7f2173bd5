"""Record tables and the ledger refuse UPDATE and DELETE — in the code and in the database.

The database's refusal has no switch: neither the session setting nor the SQLite function that
switched the last release's triggers off opens anything (issue 14, item 1).
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from pytest_django import Settings

from casetrail.cases.actions.start import ApplicationInput
from casetrail.ledger.checkpoints import publish
from casetrail.ledger.guards import PG_FUNCTION_NAME, protected_tables, sqlite_trigger_names
from casetrail.ledger.models import InsertOnlyError, LedgerEntry
from casetrail.ledger.selectors import agency_log
from tests.dbowner import as_owner, owner_connection
from tests.personas import World, build_world, open_case

MIGRATION = importlib.import_module("casetrail.ledger.migrations.0004_guards_without_bypass")

# The back doors of the last release, to show they open nothing now.
OLD_SETTING = "casetrail.maintenance"
OLD_VALUE = "purge-test-database"
OLD_SQLITE_FUNCTION = "casetrail_purge_mode"
OLD_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION_NAME}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{OLD_SETTING}', true) = '{OLD_VALUE}' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'casetrail: % is insert-only (% refused)', TG_TABLE_NAME, TG_OP;
END
$$;
"""

EXPECTED = {
    "ledger_ledgerentry",
    "ledger_ledgerleaf",
    "ledger_ledgerhash",
    "ledger_checkpoint",
    "cases_party",
    "cases_casehandler",
    "cases_application",
    "cases_approval",
}


def test_every_history_table_is_protected(db: None) -> None:
    assert set(protected_tables()) >= EXPECTED


@pytest.fixture
def recorded(world: World, settings: Settings, tmp_path: Path) -> World:
    """A world with a row in every protected table: a case, integrated and published."""
    settings.CASETRAIL_KEY_DIR = tmp_path
    open_case(world, start_type="on_application", application=_application())
    publish(agency_log(world.lc))
    return world


# The serving role is refused by its grants (two-role mode) or by the trigger (one role).
REFUSED = "insert-only|permission denied"


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_raw_update_is_refused_by_the_database(recorded: World, table: str) -> None:
    """GIVEN a row in a record table WHEN raw SQL updates it, as the serving connection or as
    the owner THEN the database refuses; the owner is stopped by the trigger."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        assert cursor.fetchone()[0] > 0
        with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
            cursor.execute(f'UPDATE "{table}" SET id = id')
    insert_only = pytest.raises(DatabaseError, match="insert-only")
    with as_owner() as owner, insert_only, transaction.atomic():
        owner.execute(f'UPDATE "{table}" SET id = id')


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_raw_delete_is_refused_by_the_database(recorded: World, table: str) -> None:
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
            cursor.execute(f'DELETE FROM "{table}"')
        insert_only = pytest.raises(DatabaseError, match="insert-only")
        with as_owner() as owner, insert_only, transaction.atomic():
            owner.execute(f'DELETE FROM "{table}"')
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        assert cursor.fetchone()[0] > 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_on_postgres() -> None:
    open_case(build_world())
    refused = pytest.raises(DatabaseError, match=REFUSED)
    with connection.cursor() as cursor, refused, transaction.atomic():
        cursor.execute('TRUNCATE "ledger_ledgerentry" CASCADE')
    insert_only = pytest.raises(DatabaseError, match="insert-only")
    with as_owner() as owner, insert_only, transaction.atomic():
        owner.execute('TRUNCATE "ledger_ledgerentry" CASCADE')
    assert LedgerEntry.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_the_old_maintenance_setting_opens_nothing(recorded: World, table: str) -> None:
    """GIVEN the session setting that used to switch the PostgreSQL trigger off WHEN a client,
    even the owner, sets it and updates or deletes THEN the database still refuses."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {OLD_SETTING} = '{OLD_VALUE}'")
        with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
            cursor.execute(f'UPDATE "{table}" SET id = id')
    with as_owner() as owner:
        owner.execute(f"SET LOCAL {OLD_SETTING} = '{OLD_VALUE}'")
        for statement in (f'UPDATE "{table}" SET id = id', f'DELETE FROM "{table}"'):
            with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
                owner.execute(statement)


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_the_old_sqlite_function_opens_nothing(recorded: World, table: str) -> None:
    """GIVEN a SQLite client that defines the function which used to switch the triggers off
    WHEN it updates or deletes a record THEN the triggers still refuse."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's triggers")
    connection.connection.create_function(OLD_SQLITE_FUNCTION, 0, lambda: 1)
    with connection.cursor() as cursor:
        for statement in (f'UPDATE "{table}" SET id = id', f'DELETE FROM "{table}"'):
            with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
                cursor.execute(statement)


def test_the_migration_takes_the_sqlite_bypass_out(recorded: World) -> None:
    """GIVEN the triggers as the last release installed them (a WHEN clause asking a function
    any client may define) WHEN migration 0004 runs THEN they refuse without condition."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's triggers")
    connection.connection.create_function(OLD_SQLITE_FUNCTION, 0, lambda: 1)
    table = "cases_party"
    update = f'UPDATE "{table}" SET name = name'
    with connection.cursor() as cursor:
        for name in sqlite_trigger_names(table):
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute(
            f'CREATE TRIGGER "{table}_insert_only_update" BEFORE UPDATE ON "{table}" '
            f"WHEN {OLD_SQLITE_FUNCTION}() IS NOT 1 "
            f"BEGIN SELECT RAISE(ABORT, 'casetrail: {table} is insert-only'); END"
        )
        cursor.execute(update)
        assert cursor.rowcount > 0  # the old back door, open

        MIGRATION.reinstall(None, SimpleNamespace(connection=connection))

        with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
            cursor.execute(update)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_migration_takes_the_postgres_bypass_out() -> None:
    """GIVEN the trigger function as the last release installed it (let through when the
    session's casetrail.maintenance says purge) WHEN migration 0004 runs, as the owner THEN
    the setting opens nothing."""
    truncate = 'TRUNCATE "ledger_ledgerhash"'
    with owner_connection() as owner:
        with owner.cursor() as cursor:
            cursor.execute(OLD_PG_FUNCTION)
            cursor.execute(f"SET LOCAL {OLD_SETTING} = '{OLD_VALUE}'")
            cursor.execute("SAVEPOINT back_door")
            cursor.execute(truncate)  # the old back door, open
            cursor.execute("ROLLBACK TO SAVEPOINT back_door")

        MIGRATION.reinstall(None, SimpleNamespace(connection=owner))

        with owner.cursor() as cursor, pytest.raises(DatabaseError, match="insert-only"):
            cursor.execute(truncate)


def test_the_orm_refuses_to_change_or_delete_a_record(world: World) -> None:
    entry = LedgerEntry.objects.first()
    assert entry is not None
    entry.action = "forged"
    with pytest.raises(InsertOnlyError):
        entry.save()
    with pytest.raises(InsertOnlyError):
        entry.delete()


def _application() -> ApplicationInput:
    return ApplicationInput(
        applicant="某街道办", received_on=date(2026, 11, 20), request="请求查处"
    )
