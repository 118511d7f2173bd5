"""Test set-up shared by the whole suite: engines, roles, owner flushes, personas, browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.signals import post_migrate
from django.http import HttpRequest
from django.test import Client, override_settings
from playwright.sync_api import Browser, sync_playwright

from casetrail.ledger.apps import GUARDS_DISPATCH_UID, install_guards_after_migrate
from casetrail.ledger.management.commands.migrate import CREDENTIAL_KEYS
from casetrail.ledger.roles import grant_app_role
from tests import dbowner

# Playwright's sync API runs an event loop in the test thread; the ORM calls around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _flush_as_owner() -> Iterator[None]:
    """Transactional tests empty the throwaway test database past the triggers, as its owner."""

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        dbowner.flush_as_owner(self.connection, sql_list)

    patch = pytest.MonkeyPatch()
    patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
    yield
    patch.undo()


# Two-role mode: the app role's credentials, kept while the owner sets the test database up.
_SERVED: dict[str, Any] = {}


def _use_credentials(credentials: dict[str, Any]) -> None:
    """Connect as another role to the same database (the test database once it exists)."""
    connection.close()
    connection.settings_dict.update(credentials)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Two-role mode: the owner creates and migrates the test database."""
    from django.conf import settings

    owner = settings.CASETRAIL_MIGRATE_DATABASE
    if owner is not None:
        _SERVED.update({key: connection.settings_dict.get(key) for key in CREDENTIAL_KEYS})
        _use_credentials({key: owner.get(key) for key in CREDENTIAL_KEYS})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Two-role mode: grant the app role as `casetrail migrate` does, then run tests as it."""
    from django.conf import settings

    owner = settings.CASETRAIL_MIGRATE_DATABASE
    if owner is None:
        yield
        return
    with django_db_blocker.unblock():
        grant_app_role(connection, _SERVED["USER"])
        dbowner.create_owner_function(connection, _SERVED["USER"])
    _use_credentials(_SERVED)
    # A flush emits post_migrate; the app role may not (re)install triggers, and the owner's
    # flush has already put them back.
    ledger = django_apps.get_app_config("ledger")
    post_migrate.disconnect(sender=ledger, dispatch_uid=GUARDS_DISPATCH_UID)
    yield
    post_migrate.connect(
        install_guards_after_migrate, sender=ledger, dispatch_uid=GUARDS_DISPATCH_UID
    )
    # The owner drops the test database when the session ends.
    _use_credentials({key: owner.get(key) for key in CREDENTIAL_KEYS})


@pytest.fixture(scope="session", autouse=True)
def _one_entry_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One entry key (`ledger/entry_tags.py`) for the whole run, as one application has: tests
    move CASETRAIL_KEY_DIR after building their world, and the entries written before must
    keep the key that tagged them. Tests of the key file itself set their own."""
    key_file = tmp_path_factory.mktemp("entry-key") / "entry-tag.key"
    with override_settings(CASETRAIL_ENTRY_KEY_FILE=key_file):
        yield


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
    # The browser tests first (a walk takes a minute or more): run on several workers, the
    # short tests then fill in around them instead of leaving the walks for last, one a worker.
    items.sort(key=lambda item: "browser" not in item.keywords)
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


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one a test module."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
