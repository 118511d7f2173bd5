"""Acts of the start stage (程序启动): opening a case and deciding on its filing.

Seed A art. 5 (登记 of an application), art. 6 (立案 internal approval; emergency start with the
approval backfilled); Seed B art. 33 (handler → reviewer → approver); 行政处罚法 第42、54条.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.cases.identifiers import IdentifierError, check_id_number, check_phone, check_uscc
from casetrail.cases.models import (
    Agency,
    Application,
    Approval,
    ApprovalSubject,
    Case,
    CaseHandler,
    CaseNumberCounter,
    Officer,
    Party,
    PartyKind,
    StartType,
)
from casetrail.cases.selectors import filing_approvals, roles_of
from casetrail.ledger.append import append_entry
from casetrail.ledger.records import row_snapshot
from casetrail.procedure import stages
from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation
from casetrail.procedure.rules.start import (
    STEP_ROLE,
    HandlerFacts,
    SignedStep,
    approval_chain_problem,
    chain_outcome,
    handlers_problem,
    limitation_warning,
)


@dataclass(frozen=True)
class PartyInput:
    kind: str
    name: str
    address: str
    phone: str = ""
    sex: str = ""
    id_type: str = ""
    id_number: str = ""
    uscc: str = ""
    legal_representative: str = ""
    individual_business: bool = False


@dataclass(frozen=True)
class ApplicationInput:
    applicant: str
    received_on: date
    request: str


def _required(value: str, field: str, label: str) -> str:
    value = value.strip()
    if not value:
        raise IdentifierError(field=field, rule="必填", message=f"{label}：必须填写")
    return value


def clean_party(party: PartyInput, *, today: date, prefix: str = "party") -> PartyInput:
    """Check a party's identity data; the error names the field and the standard it breaks."""
    name = _required(party.name, f"{prefix}_name", "当事人姓名或名称")
    address = _required(party.address, f"{prefix}_address", "地址")
    phone = check_phone(party.phone, field=f"{prefix}_phone") if party.phone.strip() else ""
    if party.kind == PartyKind.PERSON:
        if party.sex not in ("male", "female"):
            raise IdentifierError(field=f"{prefix}_sex", rule="必填", message="性别：必须选择")
        number = check_id_number(
            party.id_type, party.id_number, today=today, field=f"{prefix}_id_number"
        )
        return PartyInput(
            kind=party.kind,
            name=name,
            address=address,
            phone=phone,
            sex=party.sex,
            id_type=party.id_type,
            id_number=number,
            individual_business=party.individual_business,
        )
    if party.kind == PartyKind.ORGANISATION:
        code = check_uscc(party.uscc, field=f"{prefix}_uscc")
        representative = _required(
            party.legal_representative, f"{prefix}_legal_representative", "法定代表人"
        )
        return PartyInput(
            kind=party.kind,
            name=name,
            address=address,
            phone=phone,
            uscc=code,
            legal_representative=representative,
            individual_business=party.individual_business,
        )
    raise IdentifierError(field=f"{prefix}_kind", rule="必填", message="当事人类型：必须选择")


def _check_handlers(agency: Agency, handlers: Sequence[Officer], today: date) -> None:
    """As the database has them now (a certificate may have been revoked since the caller
    read its officers)."""
    current = Officer.objects.in_bulk([h.pk for h in handlers])
    facts = [_handler_facts(current.get(h.pk, h), today) for h in handlers]
    problem = handlers_problem(
        facts, article=cite(agency.profile, "R1"), certificate_article=cite(agency.profile, "R3")
    )
    if problem is not None:
        raise problem


def _handler_facts(officer: Officer, today: date) -> HandlerFacts:
    revoked_on = officer.certificate_revoked_on
    in_force = revoked_on is not None and revoked_on <= today
    return HandlerFacts(
        officer.pk,
        officer.name,
        officer.certificate_number,
        officer.certificate_valid_on(today),
        revoked_on=revoked_on if in_force else None,
        revocation_reason=officer.certificate_revocation_reason if in_force else "",
        deactivated=officer.deactivated_on is not None,
    )


def _next_case_number(agency: Agency, year: int) -> tuple[int, str]:
    """Take the next number of *agency* in *year*, under a row lock: gapless and unique.

    The counter is bumped in the opening's own transaction, so a failed opening rolls it back
    and no number is ever skipped.
    """
    counter, _ = CaseNumberCounter.objects.select_for_update().get_or_create(
        agency=agency, year=year
    )
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    number = agency.profile.format_case_number(
        short=agency.short_name, year=year, seq=counter.last_seq
    )
    return counter.last_seq, number


def do_open_case(
    *,
    acting_user: User,
    agency: Agency,
    start_type: str,
    procedure: str,
    cause: str,
    parties: Sequence[PartyInput],
    co_handlers: Sequence[Officer],
    opinion: str,
    summary: str = "",
    confidentiality: str = "none",
    emergency_reason: str = "",
    application: ApplicationInput | None = None,
    violation_on: date | None = None,
    discovered_on: date | None = None,
    limitation_five_years: bool = False,
) -> Case:
    """Open a case: number it, record parties and handlers, and sign the handler's proposal.

    on_application: the application is registered (Seed A art. 5); ex_officio: the filing
    approval chain starts (Seed A art. 6); emergency: investigation starts now and the approval
    must be backfilled within the profile's period (Seed A art. 6).
    """
    now = clock.now()
    today = clock.today()
    officer = Officer.objects.get(user=acting_user)
    if "officer" not in roles_of(officer, agency):
        raise RuleViolation(
            rule="role",
            article=cite(agency.profile, "R1"),
            field="agency",
            message="只有本机关的执法人员可以启动案件",
        )
    if start_type not in StartType.values:
        raise RuleViolation(
            rule="start_type",
            article=cite(agency.profile, "R5"),
            field="start_type",
            message="启动方式：必须是依申请、依职权或紧急先行启动",
        )
    if procedure not in ("ordinary", "summary"):
        raise RuleViolation(
            rule="procedure",
            article="《行政处罚法》第五十一条、第五十四条",
            field="procedure",
            message="程序：必须是普通程序或简易程序",
        )
    cause = _required(cause, "cause", "案由")
    opinion = _required(opinion, "opinion", "承办人意见")
    if start_type == StartType.EMERGENCY:
        emergency_reason = _required(emergency_reason, "emergency_reason", "紧急先行启动理由")
    if start_type == StartType.ON_APPLICATION and application is None:
        raise IdentifierError(
            field="applicant", rule="必填", message="申请人：依申请启动必须登记申请"
        )
    if not parties:
        raise IdentifierError(field="party_name", rule="必填", message="当事人：至少一名")
    if violation_on is not None:
        discovered_on = discovered_on or today
        if discovered_on > today:
            raise RuleViolation(
                rule="7",
                article="《行政处罚法》第三十六条",
                field="discovered_on",
                message="发现日期：不能晚于今天",
            )
        if violation_on > discovered_on:
            raise RuleViolation(
                rule="7",
                article="《行政处罚法》第三十六条",
                field="violation_on",
                message="违法行为发生日期：不能晚于发现日期",
            )
    cleaned = [clean_party(p, today=today) for p in parties]
    handlers = [officer, *[h for h in co_handlers if h.pk != officer.pk]]
    _check_handlers(agency, handlers, today)

    with transaction.atomic():
        seq, number = _next_case_number(agency, today.year)
        case = Case.objects.create(
            agency=agency,
            case_number=number,
            year=today.year,
            seq=seq,
            start_type=start_type,
            procedure=procedure,
            stage=(
                stages.SUMMARY_INITIAL_STAGE
                if procedure == "summary"
                else stages.INITIAL_STAGE[start_type]
            ),
            confidentiality=confidentiality,
            cause=cause,
            summary=summary,
            emergency_reason=emergency_reason,
            violation_on=violation_on,
            discovered_on=discovered_on if violation_on else None,
            limitation_five_years=limitation_five_years,
            opened_by=officer,
            opened_at=now,
        )
        rows: list[Party | CaseHandler | Application | Approval | Case] = [case]
        for p in cleaned:
            party = Party(case=case, recorded_at=now, **p.__dict__)
            party.save()
            rows.append(party)
        for h in handlers:
            handler = CaseHandler(
                case=case,
                officer=h,
                officer_name=h.name,
                certificate_number=h.certificate_number,
                assigned_at=now,
            )
            handler.save()
            rows.append(handler)
        if application is not None:
            registered = Application(
                case=case,
                applicant=_required(application.applicant, "applicant", "申请人"),
                received_on=application.received_on,
                request=_required(application.request, "request", "申请事项"),
                registered_at=now,
            )
            registered.save()
            rows.append(registered)
        proposal = _sign(case, officer, "handler", "propose", opinion, now)
        rows.append(proposal)
        append_entry(
            agency=agency,
            action="case.open",
            actor=acting_user,
            case=case,
            records=rows,
            facts={
                "start_type": start_type,
                "stage": case.stage,
                "cause": cause,
                "limitation_warning": limitation_warning(
                    violation_on, discovered_on, five_years=limitation_five_years
                ),
            },
        )
    return case


def _sign(
    case: Case, officer: Officer, step: str, decision: str, opinion: str, now: datetime
) -> Approval:
    approval = Approval(
        case=case,
        subject=ApprovalSubject.FILING,
        step=step,
        decision=decision,
        officer=officer,
        officer_name=officer.name,
        role=STEP_ROLE[step],
        opinion=opinion,
        acted_at=now,
    )
    approval.save()
    return approval


def filing_chain(case: Case) -> list[SignedStep]:
    return [SignedStep(a.step, a.officer_id, a.decision) for a in filing_approvals(case)]


def do_decide_filing(
    *,
    acting_user: User,
    case: Case,
    step: Literal["reviewer", "approver"],
    decision: Literal["approve", "reject"],
    opinion: str,
) -> Approval:
    """Sign the reviewer's or the approver's opinion on filing (立案审批).

    The head's approval files the case (立案); a rejection closes it as 不予立案 — except for an
    emergency start, where investigation has already begun and a rejection is recorded for the
    supervisor to see. Seed A art. 6; Seed B art. 33; 行政处罚法 第54条.
    """
    now = clock.now()
    officer = Officer.objects.get(user=acting_user)
    opinion = _required(opinion, "opinion", "审批意见")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        before = row_snapshot(case)
        problem = approval_chain_problem(
            filing_chain(case),
            step=step,
            officer_id=officer.pk,
            officer_roles=roles_of(officer, case.agency),
            is_handler=case.handlers.filter(officer=officer).exists(),
            article=cite(case.agency.profile, "R5"),
        )
        if problem is not None:
            raise problem
        approval = _sign(case, officer, step, decision, opinion, now)
        outcome = chain_outcome(filing_chain(case))
        if outcome == "approved":
            case.filed_at = now
            if case.stage == stages.FILING_REVIEW.code:
                case.stage = stages.INVESTIGATION.code
        elif outcome == "rejected" and case.stage == stages.FILING_REVIEW.code:
            case.stage = stages.NOT_FILED.code
        case.save(update_fields=["filed_at", "stage"])
        append_entry(
            agency=case.agency,
            action="case.filing_decision",
            actor=acting_user,
            case=case,
            records=[approval, case],
            facts={"step": step, "decision": decision, "outcome": outcome},
            previous={"stage": before["stage"], "filed_at": before["filed_at"]},
        )
    return approval
