"""Record tables and the ledger refuse UPDATE and DELETE — in the code and in the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from pytest_django import Settings

from casetrail.cases.actions.start import ApplicationInput
from casetrail.ledger.checkpoints import publish
from casetrail.ledger.guards import protected_tables
from casetrail.ledger.models import InsertOnlyError, LedgerEntry
from casetrail.ledger.selectors import agency_log
from tests.personas import World, build_world, open_case

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


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_raw_update_is_refused_by_the_database(recorded: World, table: str) -> None:
    """GIVEN a row in a record table WHEN raw SQL updates it THEN the trigger refuses."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        assert cursor.fetchone()[0] > 0
        with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
            cursor.execute(f'UPDATE "{table}" SET id = id')


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_raw_delete_is_refused_by_the_database(recorded: World, table: str) -> None:
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
            cursor.execute(f'DELETE FROM "{table}"')
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        assert cursor.fetchone()[0] > 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_on_postgres() -> None:
    open_case(build_world())
    refused = pytest.raises(DatabaseError, match="insert-only")
    with connection.cursor() as cursor, refused, transaction.atomic():
        cursor.execute('TRUNCATE "ledger_ledgerentry" CASCADE')
    assert LedgerEntry.objects.exists()


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
