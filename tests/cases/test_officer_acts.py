"""The officers' acts (issue 17, item 2): each one ledgered; a revoked certificate or a
deactivated officer is refused as handler with the rule and its article."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from casetrail import clock
from casetrail.cases.actions.officers import (
    do_change_officer,
    do_deactivate_officer,
    do_enrol_officer,
    do_revoke_certificate,
)
from casetrail.cases.models import Case, Officer
from casetrail.cases.officer_checks import OfficerInput
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from tests.ledger.forgery import run_verify
from tests.personas import World, open_case


def test_a_revoked_certificate_is_refused_as_handler_with_rule_three(world: World) -> None:
    """GIVEN 李娜's certificate revoked today WHEN 张伟 opens a case with her THEN refused,
    naming her, the revocation and 统计法实施条例 第三十六条; nothing written."""
    do_revoke_certificate(
        acting_user=world.head.user,
        agency=world.lc,
        officer=world.li,
        revoked_on=clock.today(),
        reason="调离执法岗位",
    )
    with pytest.raises(RuleViolation) as refused:
        open_case(world)
    assert refused.value.rule == "R3"
    assert "李娜" in str(refused.value)
    assert "吊销" in str(refused.value)
    assert "调离执法岗位" in str(refused.value)
    assert "《统计法实施条例》第三十六条" in str(refused.value)
    assert not Case.objects.exists()
    assert LedgerEntry.objects.filter(action="officer.revoke_certificate").count() == 1
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


def test_a_revocation_needs_a_reason_and_no_future_date(world: World) -> None:
    with pytest.raises(RuleViolation, match="吊销原因：必须填写"):
        do_revoke_certificate(
            acting_user=None, agency=world.lc, officer=world.li, revoked_on=clock.today(), reason=""
        )
    with pytest.raises(RuleViolation, match="晚于今天"):
        do_revoke_certificate(
            acting_user=None,
            agency=world.lc,
            officer=world.li,
            revoked_on=clock.today() + timedelta(days=1),
            reason="违纪",
        )


def test_a_new_certificate_number_ends_the_revocation(world: World) -> None:
    li = do_revoke_certificate(
        acting_user=None, agency=world.lc, officer=world.li, revoked_on=clock.today(), reason="遗失"
    )
    data = OfficerInput(
        name="李娜",
        username="li",
        certificate_number="LC-202",
        certificate_issuer="河南省统计局",
        valid_from=clock.today(),
        valid_to=clock.today() + timedelta(days=1000),
        roles=("officer",),
    )
    li = do_change_officer(acting_user=None, agency=world.lc, officer=li, data=data)
    assert li.certificate_revoked_on is None
    assert open_case(world).handlers.count() == 2
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


def test_a_deactivated_officer_cannot_log_in_nor_be_assigned(world: World) -> None:
    li = do_deactivate_officer(acting_user=None, agency=world.lc, officer=world.li)
    assert li.deactivated_on == clock.today()
    assert not li.user.is_active
    assert Officer.objects.filter(pk=li.pk).exists()  # never deleted
    with pytest.raises(RuleViolation, match="已停用"):
        open_case(world, co_handlers=[li])
    code, document = run_verify()
    assert (code, document["findings"]) == (0, [])


def test_enrolling_refuses_an_expired_certificate_and_a_taken_login(world: World) -> None:
    data = OfficerInput(
        name="新人",
        username="zhang",
        certificate_number="LC-777",
        certificate_issuer="河南省统计局",
        valid_from=clock.today() - timedelta(days=800),
        valid_to=clock.today() - timedelta(days=1),
        roles=("officer",),
    )
    with pytest.raises(RuleViolation) as refused:
        do_enrol_officer(acting_user=None, agency=world.lc, data=data)
    assert "证件有效期止" in refused.value.message
    assert "登录名" in refused.value.message
    enrolment = do_enrol_officer(
        acting_user=None,
        agency=world.lc,
        data=replace(data, username="xinren", valid_to=clock.today() + timedelta(days=10)),
    )
    assert enrolment.officer.memberships.get().role == "officer"
    assert not enrolment.officer.user.has_usable_password()
    assert len(enrolment.activation_code) == 19  # XXXX-XXXX-XXXX-XXXX
