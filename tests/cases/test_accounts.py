"""Accounts are ledgered acts (issue 14, item 5).

GIVEN a forged `auth_user` row once went unnoticed (names, `is_superuser`, `is_active`), WHEN
accounts are created and changed only by `do_create_user`, `do_change_user` and
`do_set_password`, each in every agency's log, THEN `verify` re-digests every account and
names a changed flag, name, password or group link made in the table, and a forged account;
a login (`last_login`) is no finding.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django import Settings

from casetrail.cases.actions.accounts import do_change_user, do_create_user, do_set_password
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from tests.ledger.forgery import located, run_verify, use_ledger_dirs
from tests.ledger.tamper import raw
from tests.personas import PASSWORD, World


@pytest.fixture(autouse=True)
def ledger_dirs(settings: Settings, tmp_path: Path) -> None:
    use_ledger_dirs(settings, tmp_path)


def altered_users(document: dict[str, object]) -> list[object]:
    return [f["id"] for f in located(document, "row_altered", "auth_user")]


def test_the_acts_are_ledgered_in_every_log_and_verify_clean(world: World) -> None:
    user = do_create_user(acting_user=None, username="wang", name="王五", password=PASSWORD)
    do_change_user(acting_user=world.head.user, user=user, name="王伍", is_active=False)
    do_set_password(acting_user=world.head.user, user=user, password="another-pass-2026")
    for action in ("account.create", "account.change", "account.set_password"):
        entries = LedgerEntry.objects.filter(action=action, payload__contains='"username":"wang"')
        agencies = entries.values_list("agency_id", flat=True)
        assert sorted(agencies) == sorted([world.lc.pk, world.xl.pk]), action
    user.refresh_from_db()
    assert (user.first_name, user.is_active) == ("王伍", False)
    assert user.check_password("another-pass-2026")
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


def test_bad_input_is_refused_naming_the_field(world: World) -> None:
    with pytest.raises(RuleViolation) as taken:
        do_create_user(acting_user=None, username="zhang", name="重名", password=PASSWORD)
    assert taken.value.field == "username"
    with pytest.raises(RuleViolation) as weak:
        do_create_user(acting_user=None, username="weak", name="弱密码", password="123")
    assert weak.value.field == "password"
    assert "密码" in weak.value.message
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [("is_superuser", True), ("is_active", False), ("first_name", "伪造"), ("is_staff", True)],
)
def test_a_change_made_in_the_table_is_found(world: World, column: str, value: object) -> None:
    user = world.zhang.user
    raw(f'UPDATE auth_user SET "{column}" = %s WHERE id = %s', [value, user.pk])
    code, document = run_verify()
    assert code == 1
    assert altered_users(document) == [user.pk]


def test_a_forged_password_is_found(world: World) -> None:
    user = world.zhang.user
    user.set_password("forged-password-1")
    raw("UPDATE auth_user SET password = %s WHERE id = %s", [user.password, user.pk])
    code, document = run_verify()
    assert (code, altered_users(document)) == (1, [user.pk])


def test_a_forged_group_link_is_found(world: World) -> None:
    raw("INSERT INTO auth_group (name) VALUES (%s)", ["伪造的组"])
    group = Group.objects.get(name="伪造的组")
    raw(
        "INSERT INTO auth_user_groups (user_id, group_id) VALUES (%s, %s)",
        [world.zhang.user.pk, group.pk],
    )
    code, document = run_verify()
    assert code == 1
    assert altered_users(document) == [world.zhang.user.pk]
    assert [f["id"] for f in located(document, "row_unledgered", "auth_group")] == [group.pk]


def test_a_forged_account_is_found(world: World) -> None:
    raw(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, "
        "is_staff, is_active, date_joined) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        ["!", True, "intruder", "", "", "", True, True, "2026-12-01 00:00:00+00:00"],
    )
    intruder = User.objects.get(username="intruder")
    code, document = run_verify()
    assert code == 1
    assert [f["id"] for f in located(document, "row_unledgered", "auth_user")] == [intruder.pk]


def test_a_login_is_no_finding(world: World) -> None:
    assert Client().login(username="zhang", password=PASSWORD)
    world.zhang.user.refresh_from_db()
    assert world.zhang.user.last_login is not None
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


def test_add_user_creates_the_first_administrator(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("first-admin-pass-2026\n"))
    out = io.StringIO()
    call_command("add_user", "root", "--name", "管理员", "--admin", stdout=out)
    root = User.objects.get(username="root")
    assert (root.is_superuser, root.is_staff, root.first_name) == (True, True, "管理员")
    assert root.check_password("first-admin-pass-2026")
    assert "已创建" in out.getvalue()
    created = LedgerEntry.objects.filter(
        action="account.create", payload__contains='"username":"root"'
    )
    assert created.count() == 2  # one in each agency's log


def test_add_user_refuses_a_taken_name(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("first-admin-pass-2026\n"))
    with pytest.raises(CommandError, match="登录名"):
        call_command("add_user", "zhang", "--name", "重名", stdout=io.StringIO())


@pytest.mark.django_db
def test_an_account_made_before_any_agency_is_recorded_by_the_first_agency() -> None:
    from casetrail.cases.actions.setup import do_create_agency

    do_create_user(acting_user=None, username="root", name="管理员", password=PASSWORD)
    do_create_agency(
        acting_user=None,
        name="栾川县统计局",
        short_name="栾统",
        code="luanchuan-tjj",
        profile_key="luanchuan-2020",
    )
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])
