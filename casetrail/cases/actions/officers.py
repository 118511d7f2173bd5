"""Acts on an agency's officers: enrolling one (account, officer, roles, qualification),
changing their certificate data, revoking the certificate, deactivating them (never deleting).

Each is ledgered in the agency's log (the account's own acts in every log, `accounts.py`);
who may act in a case rests on these rows (REFERENCE.md rules 1–3, Seed B art. 27).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.cases.actions.accounts import do_change_user, do_create_user
from casetrail.cases.actions.activation import do_issue_activation_code
from casetrail.cases.actions.setup import do_grant_role, do_register_officer, do_set_legal_review
from casetrail.cases.models import Agency, Officer
from casetrail.cases.officer_checks import (
    CERTIFICATE_ARTICLE,
    FIELD_CODES,
    FieldProblem,
    OfficerInput,
    officer_problems,
    taken_problems,
)
from casetrail.ledger.append import append_entry
from casetrail.ledger.canonical import Json
from casetrail.ledger.records import record_ref
from casetrail.procedure.errors import RuleViolation

ARTICLE = "系统规则：人员、证件和岗位的每次变更都是记账的行为"
CERTIFICATE_FIELDS = frozenset({"执法证号", "发证机关", "证件有效期起", "证件有效期止"})


def refusal(problems: list[FieldProblem]) -> RuleViolation:
    """Every problem in one refusal; its field is the first problem's; it cites rule 3 when
    the certificate is at issue."""
    certificate = any(p.field in CERTIFICATE_FIELDS for p in problems)
    return RuleViolation(
        rule="R3" if certificate else "officer",
        article=CERTIFICATE_ARTICLE if certificate else ARTICLE,
        field=FIELD_CODES.get(problems[0].field, ""),
        message="；".join(str(p) for p in problems),
    )


@dataclass(frozen=True)
class Enrolment:
    officer: Officer
    activation_code: str  # shown once to the administrator, never stored


def do_enrol_officer(*, acting_user: User | None, agency: Agency, data: OfficerInput) -> Enrolment:
    """A new person of *agency*: an account without a password and a one-time activation code
    to set it, the officer with their certificate, their roles and, given its number,
    法律职业资格 — all or nothing."""
    problems = officer_problems(data, today=clock.today()) + taken_problems(data, existing=None)
    if problems:
        raise refusal(problems)
    with transaction.atomic():
        user = do_create_user(acting_user=acting_user, username=data.username, name=data.name)
        officer = do_register_officer(
            acting_user=acting_user,
            agency=agency,
            user=user,
            name=data.name.strip(),
            certificate_number=data.certificate_number.strip(),
            certificate_issuer=data.certificate_issuer.strip(),
            certificate_valid_from=data.valid_from,
            certificate_valid_to=data.valid_to,
            legal_review_certificate_number=data.legal_review_certificate_number.strip(),
        )
        for role in data.roles:
            do_grant_role(acting_user=acting_user, officer=officer, agency=agency, role=role)
        if data.legal_review_certificate_number.strip():
            officer = do_set_legal_review(
                acting_user=acting_user, officer=officer, agency=agency, qualified=True
            )
        code = do_issue_activation_code(acting_user=acting_user, user=user)
    return Enrolment(officer, code)


def _certificate_facts(officer: Officer) -> dict[str, Json]:
    return {
        "officer": officer.name,
        "certificate_number": officer.certificate_number,
        "certificate_issuer": officer.certificate_issuer,
        "certificate_valid_from": _day(officer.certificate_valid_from),
        "certificate_valid_to": _day(officer.certificate_valid_to),
        "legal_review_certificate_number": officer.legal_review_certificate_number,
    }


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def do_change_officer(
    *, acting_user: User | None, agency: Agency, officer: Officer, data: OfficerInput
) -> Officer:
    """Change an officer's name and certificate data (a renewal, a correction). A new
    certificate number is a new certificate: a revocation of the old one no longer applies.
    Their login and roles are not changed here."""
    problems = officer_problems(data, today=clock.today()) + taken_problems(data, existing=officer)
    if problems:
        raise refusal(problems)
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        previous = record_ref(officer)
        number = data.certificate_number.strip()
        if number != officer.certificate_number:
            officer.certificate_revoked_on = None
            officer.certificate_revocation_reason = ""
        officer.name = data.name.strip()
        officer.certificate_number = number
        officer.certificate_issuer = data.certificate_issuer.strip()
        officer.certificate_valid_from = data.valid_from
        officer.certificate_valid_to = data.valid_to
        officer.legal_review_certificate_number = data.legal_review_certificate_number.strip()
        officer.save()
        append_entry(
            agency=agency,
            action="officer.change",
            actor=acting_user,
            records=[officer],
            facts=_certificate_facts(officer),
            previous=previous,
        )
        if officer.user.first_name != officer.name:
            do_change_user(acting_user=acting_user, user=officer.user, name=officer.name)
    return officer


def do_revoke_certificate(
    *, acting_user: User | None, agency: Agency, officer: Officer, revoked_on: date, reason: str
) -> Officer:
    """Record that the officer's certificate was revoked (吊销) on *revoked_on*: from that day
    they may not be assigned as handler nor act as an officer (rule 3)."""
    problems = []
    if not officer.certificate_number:
        problems.append(FieldProblem("执法证号", "该人员没有登记执法证件，无可吊销"))
    if officer.certificate_revoked_on is not None:
        problems.append(
            FieldProblem("吊销日期", f"该证件已于 {officer.certificate_revoked_on} 吊销")
        )
    if revoked_on > clock.today():
        problems.append(FieldProblem("吊销日期", f"{revoked_on} 晚于今天，不能预先登记吊销"))
    if not reason.strip():
        problems.append(FieldProblem("吊销原因", "必须填写"))
    elif len(reason.strip()) > 200:
        problems.append(FieldProblem("吊销原因", "不超过200个字符"))
    if problems:
        raise refusal(problems)
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        previous = record_ref(officer)
        officer.certificate_revoked_on = revoked_on
        officer.certificate_revocation_reason = reason.strip()
        officer.save(update_fields=["certificate_revoked_on", "certificate_revocation_reason"])
        append_entry(
            agency=agency,
            action="officer.revoke_certificate",
            actor=acting_user,
            records=[officer],
            facts={
                "officer": officer.name,
                "certificate_number": officer.certificate_number,
                "revoked_on": revoked_on.isoformat(),
                "reason": officer.certificate_revocation_reason,
            },
            previous=previous,
        )
    return officer


def do_deactivate_officer(*, acting_user: User | None, agency: Agency, officer: Officer) -> Officer:
    """Stop an officer (离职、调离): kept with all their history, their account can no longer
    log in, and they are no longer assigned to cases."""
    if officer.deactivated_on is not None:
        raise refusal([FieldProblem("停用", f"该人员已于 {officer.deactivated_on} 停用")])
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        previous = record_ref(officer)
        officer.deactivated_on = clock.today()
        officer.save(update_fields=["deactivated_on"])
        append_entry(
            agency=agency,
            action="officer.deactivate",
            actor=acting_user,
            records=[officer],
            facts={"officer": officer.name, "deactivated_on": officer.deactivated_on.isoformat()},
            previous=previous,
        )
        officer.user = do_change_user(acting_user=acting_user, user=officer.user, is_active=False)
    return officer
