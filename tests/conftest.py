"""Test set-up shared by the whole suite: engines, purge mode for flushes, personas, browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from django.http import HttpRequest
from django.test import Client

from casetrail.ledger.guards import purge_mode

# Playwright's sync API runs an event loop in the test thread; the ORM calls around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _flush_in_purge_mode() -> Iterator[None]:
    """Transactional tests empty the throwaway test database; let them past the triggers."""
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        with purge_mode(self.connection):
            original(self, sql_list)

    patch = pytest.MonkeyPatch()
    patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
    yield
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def _login_with_a_request() -> Iterator[None]:
    """The login guard (django-axes) judges every login by its request, as the login page gives
    it; the test client's shortcut `login()` gets one from 127.0.0.1 unless the test gives its
    own."""
    original = Client.login

    def login(self: Client, **credentials: Any) -> bool:
        if "request" not in credentials:
            request = HttpRequest()
            request.META["REMOTE_ADDR"] = "127.0.0.1"
            credentials["request"] = request
        return original(self, **credentials)

    patch = pytest.MonkeyPatch()
    patch.setattr(Client, "login", login)
    yield
    patch.undo()


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Real hashing costs ~0.3 s a user; the personas need a dozen users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("CASETRAIL_REQUIRE_POSTGRES") and connection.vendor != "postgresql":
        raise pytest.UsageError(
            f"CASETRAIL_REQUIRE_POSTGRES is set but the database is {connection.vendor}"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with CASETRAIL_DATABASE_URL=postgres://…")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def world(db: Any) -> Any:
    from tests.personas import build_world

    return build_world()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CASETRAIL_REQUIRE_BROWSER"):
        pytest.fail("CASETRAIL_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
