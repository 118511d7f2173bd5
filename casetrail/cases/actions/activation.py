"""Acts of an account's activation: issuing a one-time code, and spending it to set the first
password. Both go to every agency's log, as the account's other acts do (`accounts.py`)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Final

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.cases.actions.accounts import do_set_password
from casetrail.cases.actions.deployment import append_to_every_log
from casetrail.cases.models import AccountActivation, ActivationCode
from casetrail.procedure.errors import RuleViolation

ACTIVATION_DAYS: Final = 7
# Crockford's base32 without I, L, O, U: 16 characters, about 80 bits, read aloud without doubt.
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ARTICLE: Final = "系统规则：新账号以一次性激活码设置首个密码"
REFUSED: Final = "登录名或激活码不正确，或激活码已过期、已使用、已被新的激活码取代"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalised(code: str) -> str:
    return code.strip().upper().replace(" ", "").replace("-", "")


def do_issue_activation_code(*, acting_user: User | None, user: User) -> str:
    """A new code for *user*, valid `ACTIVATION_DAYS` days; earlier unused codes lapse. The
    code itself is returned once and never stored."""
    code = new_code()
    now = clock.now()
    with transaction.atomic():
        row = ActivationCode(
            user=user,
            code_hash=make_password(normalised(code)),
            issued_at=now,
            expires_at=now + timedelta(days=ACTIVATION_DAYS),
            issued_by=acting_user,
        )
        row.save()
        append_to_every_log(
            action="account.issue_activation",
            actor=acting_user,
            records=[row],
            facts={"username": user.username, "expires_at": row.expires_at.isoformat()},
        )
    return code


def do_activate_account(*, username: str, code: str, password: str) -> User:
    """Set the first password of *username* with their latest unspent, unexpired code."""
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    latest = (
        ActivationCode.objects.filter(user=user).order_by("-issued_at", "-pk").first()
        if user is not None
        else None
    )
    if (
        user is None
        or latest is None
        or latest.expires_at < clock.now()
        or AccountActivation.objects.filter(code=latest).exists()
        or not check_password(normalised(code), latest.code_hash)
    ):
        raise RuleViolation(rule="activation", article=ARTICLE, field="code", message=REFUSED)
    with transaction.atomic():
        user = do_set_password(acting_user=user, user=user, password=password)
        activation = AccountActivation(code=latest, activated_at=clock.now())
        activation.save()
        append_to_every_log(
            action="account.activate",
            actor=user,
            records=[activation],
            facts={"username": user.username},
        )
    return user
