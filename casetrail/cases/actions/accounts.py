"""Acts on user accounts: creating one, changing who it is and what it may, setting a password.

An account's name, `is_active`, `is_superuser`, `is_staff`, password hash and group links decide
who may act and under which name, so each change is an act in every agency's log, and
`casetrail verify` re-digests every account (`auth.User` in `ledger/coverage.py`; only
`last_login` is left out). Seed B art. 27 (who holds which power is recorded).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from casetrail.cases.actions.deployment import append_to_every_log
from casetrail.ledger.canonical import Json
from casetrail.ledger.records import record_ref
from casetrail.procedure.errors import RuleViolation

ARTICLE = "系统规则：账号的每次设立与变更都是记账的行为"
MAX_USERNAME = 150


def _refused(field: str, message: str) -> RuleViolation:
    return RuleViolation(rule="account", article=ARTICLE, field=field, message=message)


def _facts(user: User) -> dict[str, Json]:
    return {
        "username": user.username,
        "name": user.first_name,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def _checked_password(password: str, user: User) -> str:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise _refused("password", "密码：" + "；".join(error.messages)) from error
    return password


def do_create_user(
    *,
    acting_user: User | None,
    username: str,
    name: str,
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an account; without a password it cannot log in (a machine account)."""
    username = username.strip()
    name = name.strip()
    if not username or len(username) > MAX_USERNAME:
        raise _refused("username", f"登录名：必须填写，且不超过 {MAX_USERNAME} 个字符")
    if not name:
        raise _refused("name", "姓名：必须填写")
    if User.objects.filter(username=username).exists():
        raise _refused("username", f"登录名：{username} 已被使用")
    user = User(username=username, first_name=name, is_staff=is_staff, is_superuser=is_superuser)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(_checked_password(password, user))
    with transaction.atomic():
        user.save()
        append_to_every_log(
            action="account.create", actor=acting_user, records=[user], facts=_facts(user)
        )
    return user


def do_change_user(
    *,
    acting_user: User | None,
    user: User,
    name: str | None = None,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
) -> User:
    """Change an account's name or powers; what is not given stays."""
    if name is not None and not name.strip():
        raise _refused("name", "姓名：不能为空")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        previous = record_ref(user)
        if name is not None:
            user.first_name = name.strip()
        if is_active is not None:
            user.is_active = is_active
        if is_staff is not None:
            user.is_staff = is_staff
        if is_superuser is not None:
            user.is_superuser = is_superuser
        user.save()
        append_to_every_log(
            action="account.change",
            actor=acting_user,
            records=[user],
            facts=_facts(user),
            previous=previous,
        )
    return user


def do_set_password(*, acting_user: User | None, user: User, password: str) -> User:
    """Set an account's password (validated; only its hash is kept, and committed)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        previous = record_ref(user)
        user.set_password(_checked_password(password, user))
        user.save(update_fields=["password"])
        append_to_every_log(
            action="account.set_password",
            actor=acting_user,
            records=[user],
            facts={"username": user.username},
            previous=previous,
        )
    return user
