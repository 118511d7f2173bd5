"""Every table is classed, and the classes decide what verify checks and what the triggers guard.

Issue 14, item 5: the set of tables `verify` checks and the set carrying the insert-only trigger
derive from the models (`casetrail/ledger/coverage.py`); these tests fail when a model has no
class, when an insert-only table is not verified, or when a verified insert-only table lacks
its trigger in the database.
"""

from __future__ import annotations

import pytest
from django.db import connection, models

from casetrail.ledger.coverage import (
    Check,
    all_models,
    coverage_of,
    is_insert_only,
    member_relations,
    models_checked,
)
from casetrail.ledger.guards import protected_tables
from casetrail.ledger.verify import ledgered_models

pytestmark = pytest.mark.django_db

VERIFIED = (Check.ROWS, Check.MEMBERS, Check.STRUCTURE)


def tables_with_trigger() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE %s",
                ["%_insert_only"],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE %s",
                ["%_insert_only_%"],
            )
        return {row[0] for row in cursor.fetchall()}


def test_every_model_is_classified() -> None:
    unclassified = [m._meta.label for m in all_models() if coverage_of(m) is None]
    assert unclassified == []


def test_the_django_tables_that_matter_are_covered() -> None:
    by_label = {m._meta.label: coverage_of(m) for m in all_models()}
    user = by_label["auth.User"]
    assert user is not None
    assert user.check is Check.ROWS
    assert user.uncommitted == frozenset({"last_login"})
    assert set(user.members) == {"groups", "user_permissions"}
    for link in ("auth.User_groups", "auth.User_user_permissions", "auth.Group_permissions"):
        covered = by_label[link]
        assert covered is not None, link
        assert covered.check is Check.MEMBERS, link


def test_every_insert_only_model_is_verified() -> None:
    for model in all_models():
        if is_insert_only(model):
            covered = coverage_of(model)
            assert covered is not None, model._meta.label
            assert covered.check in VERIFIED, model._meta.label


def test_the_guarded_tables_are_exactly_the_insert_only_models() -> None:
    insert_only = {m._meta.db_table for m in all_models() if is_insert_only(m)}
    assert set(protected_tables()) == insert_only


def test_every_verified_insert_only_table_carries_its_trigger() -> None:
    triggered = tables_with_trigger()
    for check in VERIFIED:
        for model in models_checked(check):
            if is_insert_only(model):
                assert model._meta.db_table in triggered, model._meta.db_table
    mutable = {m._meta.db_table for m in all_models() if not is_insert_only(m)}
    assert triggered & mutable == set()


def test_verify_checks_every_rows_table_and_nothing_else() -> None:
    assert ledgered_models() == models_checked(Check.ROWS)
    tables = {m._meta.db_table for m in ledgered_models()}
    assert {"auth_user", "auth_group", "cases_calendaryear", "evidence_backuprun"} <= tables
    assert {"cases_calendarday", "evidence_replica", "django_session"}.isdisjoint(tables)


def _member_models(model: type[models.Model]) -> set[type[models.Model]]:
    found: set[type[models.Model]] = set()
    for relation in member_relations(model):
        field = model._meta.get_field(relation)
        if field.many_to_many:
            through = getattr(model, relation).through
            found.add(through)
        else:
            assert field.related_model is not None
            found.add(field.related_model)
    return found


def test_every_members_table_is_inside_a_verified_rows_digest() -> None:
    inside = set().union(*(_member_models(m) for m in models_checked(Check.ROWS)))
    for model in models_checked(Check.MEMBERS):
        assert model in inside, model._meta.label
