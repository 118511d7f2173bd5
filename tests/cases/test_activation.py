"""One-time activation codes (issue 17, item 4, first part): a code sets the first password
once, within its days, and only the latest code of an account counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casetrail import clock
from casetrail.cases.actions.accounts import do_create_user
from casetrail.cases.actions.activation import (
    ACTIVATION_DAYS,
    do_activate_account,
    do_issue_activation_code,
)
from casetrail.cases.models import AccountActivation, ActivationCode
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from tests.ledger.forgery import run_verify
from tests.personas import World

NEW_PASSWORD = "first-pass-2026!"


def test_a_code_sets_the_first_password_once(world: World) -> None:
    user = do_create_user(acting_user=None, username="newbie", name="新人")
    code = do_issue_activation_code(acting_user=world.head.user, user=user)
    assert not ActivationCode.objects.get().code_hash.endswith(code)  # a hash, not the code
    activated = do_activate_account(username="newbie", code=code.lower(), password=NEW_PASSWORD)
    assert activated.check_password(NEW_PASSWORD)
    assert AccountActivation.objects.count() == 1
    assert LedgerEntry.objects.filter(action="account.activate").count() == 2  # both agencies
    with pytest.raises(RuleViolation, match="已使用"):
        do_activate_account(username="newbie", code=code, password="another-pass-2026!")
    code_, document = run_verify()
    assert (code_, document["findings"]) == (0, [])


def test_a_wrong_expired_or_replaced_code_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = do_create_user(acting_user=None, username="newbie", name="新人")
    first = do_issue_activation_code(acting_user=None, user=user)
    second = do_issue_activation_code(acting_user=None, user=user)
    with pytest.raises(RuleViolation, match="已被新的激活码取代"):
        do_activate_account(username="newbie", code=first, password=NEW_PASSWORD)
    with pytest.raises(RuleViolation):
        do_activate_account(username="nobody", code=second, password=NEW_PASSWORD)
    later = clock.now() + timedelta(days=ACTIVATION_DAYS, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(RuleViolation, match="已过期"):
        do_activate_account(username="newbie", code=second, password=NEW_PASSWORD)
    assert not user.has_usable_password()


def test_a_weak_password_is_refused_and_the_code_stays_unspent(world: World) -> None:
    user = do_create_user(acting_user=None, username="newbie", name="新人")
    code = do_issue_activation_code(acting_user=None, user=user)
    with pytest.raises(RuleViolation) as refused:
        do_activate_account(username="newbie", code=code, password="123")
    assert refused.value.field == "password"
    assert not AccountActivation.objects.exists()
    do_activate_account(username="newbie", code=code, password=NEW_PASSWORD)
