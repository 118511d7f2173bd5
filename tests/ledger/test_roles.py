"""Two database roles: the owner migrates, the application serves (issue 14, item 2).

On PostgreSQL a throwaway database is migrated by `casetrail migrate` as an owner role, then the
application role does its normal work (an act, the worker, verify) and is shown unable to
change history: no UPDATE, DELETE, TRUNCATE, row lock, ALTER, DISABLE or DROP on any record or
ledger table, no `session_replication_role`, no say over the trigger function. CI provides the
roles (`CASETRAIL_MIGRATE_DATABASE_URL`); otherwise the suite's superuser makes two for the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from casetrail.ledger.guards import PG_FUNCTION_NAME, postgres_trigger_names, protected_tables
from casetrail.ledger.management.commands.migrate import CREDENTIAL_KEYS
from casetrail.ledger.roles import OWNER_ONLY_TABLES
from casetrail.settings import migrate_database_config
from tests.dbowner import owner_credentials, two_roles

ROOT = Path(__file__).resolve().parents[2]
Credentials = dict[str, Any]


@dataclass
class Deployment:
    name: str
    owner: Credentials
    app: Credentials
    data_dir: Path

    def url(self, role: Credentials) -> str:
        password = f":{quote(role['PASSWORD'], safe='')}" if role.get("PASSWORD") else ""
        host = role.get("HOST") or "127.0.0.1"
        port = f":{role['PORT']}" if role.get("PORT") else ""
        return f"postgres://{quote(role['USER'], safe='')}{password}@{host}{port}/{self.name}"

    def casetrail(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "CASETRAIL_MIGRATE_DATABASE_URL": self.url(self.owner),
            "CASETRAIL_DATABASE_URL": self.url(self.app),
            "CASETRAIL_DATA_DIR": str(self.data_dir),
            "PYTHONPATH": str(ROOT),
        }
        return subprocess.run(
            [sys.executable, "-m", "casetrail", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


def connect(role: Credentials, dbname: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=role.get("HOST") or "127.0.0.1",
        port=role.get("PORT") or None,
        user=role["USER"],
        password=role.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
    )


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """A fresh database owned by the owner role; two roles made for it unless CI has them."""
    if connection.vendor != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    served = {key: connection.settings_dict.get(key) for key in CREDENTIAL_KEYS}
    made: list[str] = []
    if two_roles():
        owner, app = owner_credentials(), served
    else:
        suffix = os.getpid()
        owner = {**served, "USER": f"casetrail_test_owner_{suffix}", "PASSWORD": None}
        app = {**served, "USER": f"casetrail_test_app_{suffix}", "PASSWORD": None}
        with connect(served, "postgres") as admin:
            for role, options in ((owner, "LOGIN CREATEDB"), (app, "LOGIN")):
                admin.execute(f'DROP ROLE IF EXISTS "{role["USER"]}"')
                admin.execute(f'CREATE ROLE "{role["USER"]}" {options}')
                made.append(str(role["USER"]))
    name = f"casetrail_roles_{os.getpid()}"
    with connect(owner, "postgres") as as_owner:
        as_owner.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        as_owner.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Deployment(name, owner, app, tmp_path)
    finally:
        with connect(owner, "postgres") as as_owner:
            as_owner.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if made:
            with connect(served, "postgres") as admin:
                for role_name in made:
                    admin.execute(f'DROP ROLE IF EXISTS "{role_name}"')


def forbidden_on(table: str, app_role: str) -> list[str]:
    """What the app role must not do to a record or ledger table."""
    row_trigger, truncate_trigger = postgres_trigger_names(table)
    return [
        f'UPDATE "{table}" SET id = id',
        f'DELETE FROM "{table}"',
        f'TRUNCATE "{table}"',
        f'TRUNCATE "{table}" CASCADE',
        f'SELECT id FROM "{table}" FOR UPDATE',
        f'ALTER TABLE "{table}" DISABLE TRIGGER USER',
        f'ALTER TABLE "{table}" DISABLE TRIGGER "{row_trigger}"',
        f'ALTER TABLE "{table}" ENABLE REPLICA TRIGGER "{truncate_trigger}"',
        f'DROP TRIGGER "{row_trigger}" ON "{table}"',
        f'DROP TRIGGER "{truncate_trigger}" ON "{table}"',
        f'ALTER TABLE "{table}" ADD COLUMN forged integer',
        f'ALTER TABLE "{table}" RENAME TO "{table}_old"',
        f'ALTER TABLE "{table}" OWNER TO "{app_role}"',
        f'DROP TABLE "{table}" CASCADE',
    ]


def forbidden_everywhere(app_role: str, dbname: str) -> list[str]:
    """Settings and objects that could switch the guards off or around."""
    return [
        "SET session_replication_role = replica",
        "SELECT set_config('session_replication_role', 'replica', false)",
        f'ALTER ROLE "{app_role}" SET session_replication_role = replica',
        f'ALTER DATABASE "{dbname}" SET session_replication_role = replica',
        f'ALTER ROLE "{app_role}" SUPERUSER',
        f'ALTER ROLE "{app_role}" BYPASSRLS',
        f"CREATE OR REPLACE FUNCTION {PG_FUNCTION_NAME}() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        f"ALTER FUNCTION {PG_FUNCTION_NAME}() RENAME TO casetrail_old",
        f'ALTER FUNCTION {PG_FUNCTION_NAME}() OWNER TO "{app_role}"',
        f"DROP FUNCTION {PG_FUNCTION_NAME}() CASCADE",
        "CREATE FUNCTION public.casetrail_forged() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
        "CREATE TABLE public.casetrail_forged (id integer)",
    ]


def refusals(conn: psycopg.Connection[Any], statements: list[str]) -> list[str]:
    """The statements the database did NOT refuse for lack of privilege (each rolled back)."""
    allowed = []
    for statement in statements:
        try:
            with conn.transaction(force_rollback=True):
                conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege:
            continue
        except psycopg.Error as error:
            allowed.append(f"{statement}: {type(error).__name__}: {error}")
            continue
        allowed.append(f"{statement}: accepted")
    return allowed


@pytest.mark.postgres_only
def test_the_app_role_serves_but_cannot_change_history(deployment: Deployment) -> None:
    """GIVEN `casetrail migrate` run as the owner WHEN the app role opens a case, runs the
    worker and verify THEN all succeed, and every way to change, empty, unguard or re-own a
    record or ledger table, and every guard-related setting, is refused to the app role; the
    owner itself is stopped by the trigger whatever it sets."""
    migrated = deployment.casetrail("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    assert f"已为应用角色 {deployment.app['USER']} 授权" in migrated.stdout

    act = "from tests.personas import build_world, open_case; open_case(build_world())"
    for args in (("shell", "-c", act), ("worker", "--once"), ("verify",)):
        done = deployment.casetrail(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)

    app_role = deployment.app["USER"]
    with connect(deployment.app, deployment.name) as app:
        tables = {
            row[0]
            for row in app.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        records = sorted(set(protected_tables()) & tables)
        assert {"ledger_ledgerentry", "ledger_checkpoint", "cases_party"} <= set(records)
        entries = app.execute("SELECT count(*) FROM ledger_ledgerentry").fetchone()
        assert entries is not None
        assert entries[0] > 0  # the act was recorded by the app role

        statements = [s for table in records for s in forbidden_on(table, app_role)]
        statements += forbidden_everywhere(app_role, deployment.name)
        assert refusals(app, statements) == []

        owned = app.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = current_user"
        ).fetchone()
        assert owned == (0,)

    # The grants follow the guards' registry: exactly the guarded tables are insert-only.
    with connect(deployment.owner, deployment.name) as owner:
        guarded = {
            row[0]
            for row in owner.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = c.relname || '_insert_only'"
            )
        }
        assert guarded == set(records)
        for table in sorted(tables):
            can = owner.execute(
                "SELECT has_table_privilege(%s, %s, 'INSERT'), "
                "has_table_privilege(%s, %s, 'UPDATE'), has_table_privilege(%s, %s, 'DELETE'), "
                "has_table_privilege(%s, %s, 'TRUNCATE'), has_table_privilege(%s, %s, 'TRIGGER')",
                [app_role, f'"{table}"'] * 5,
            ).fetchone()
            if table in OWNER_ONLY_TABLES:
                expected = (False, False, False, False, False)
            elif table in guarded:
                expected = (True, False, False, False, False)
            else:
                expected = (True, True, True, False, False)
            assert (table, can) == (table, expected)

        # The owner, even with the old maintenance setting, is stopped by the trigger: only
        # dropping it gets past, and the proofs and `casetrail verify` are there for that.
        for statement in ('UPDATE "ledger_ledgerentry" SET id = id', 'DELETE FROM "cases_party"'):
            insert_only = pytest.raises(psycopg.errors.IntegrityConstraintViolation)
            with insert_only as refused, owner.transaction():
                owner.execute("SET LOCAL casetrail.maintenance = 'purge-test-database'")
                owner.execute(statement)
            assert "insert-only" in str(refused.value)


def test_the_owner_url_is_for_postgresql_and_the_same_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served = {"ENGINE": "django.db.backends.postgresql", "NAME": "casetrail"}
    monkeypatch.delenv("CASETRAIL_MIGRATE_DATABASE_URL", raising=False)
    assert migrate_database_config(served) is None

    monkeypatch.setenv("CASETRAIL_MIGRATE_DATABASE_URL", "postgres://owner@db:5432/casetrail")
    owner = migrate_database_config(served)
    assert owner is not None
    assert owner["USER"] == "owner"

    monkeypatch.setenv("CASETRAIL_MIGRATE_DATABASE_URL", "postgres://owner@db:5432/other")
    with pytest.raises(ImproperlyConfigured, match="数据库名 'other'"):
        migrate_database_config(served)

    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/data/casetrail.sqlite3"}
    monkeypatch.setenv("CASETRAIL_MIGRATE_DATABASE_URL", "postgres://owner@db:5432/casetrail")
    with pytest.raises(ImproperlyConfigured, match="SQLite 没有数据库角色"):
        migrate_database_config(sqlite)
