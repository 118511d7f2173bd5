"""Build `CaseFacts` by hand for pure rule tests: no database, explicit dates.

The officers: 1 张伟 and 2 李娜 (handlers), 3 王审核 (reviewer), 4 刘局长 (head).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from casetrail.policy.catalogue import builtin_catalogue, catalogue_for
from casetrail.policy.profiles import PolicyProfile, builtin_profile_text, parse_profile
from casetrail.procedure.facts import (
    CaseFacts,
    ChainFacts,
    DocFacts,
    Draft,
    OfficerFacts,
    SignatureFacts,
)
from casetrail.procedure.rules.start import SignedStep
from casetrail.procedure.workdays import WorkdayCalendar, builtin_calendar_data

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZHANG, LI, REVIEWER, HEAD = 1, 2, 3, 4


def _officer(officer_id: int, name: str, role: str) -> OfficerFacts:
    return OfficerFacts(
        officer_id=officer_id,
        name=name,
        certificate_number=f"LC-{officer_id:03d}",
        certificate_valid_from=date(2025, 1, 1),
        certificate_valid_to=date(2027, 12, 31),
        roles=frozenset({role}),
        legal_review_qualified=role == "reviewer",
    )


OFFICERS: Mapping[int, OfficerFacts] = {
    ZHANG: _officer(ZHANG, "张伟", "officer"),
    LI: _officer(LI, "李娜", "officer"),
    REVIEWER: _officer(REVIEWER, "王审核", "reviewer"),
    HEAD: _officer(HEAD, "刘局长", "head"),
}


@cache
def profile(key: str) -> PolicyProfile:
    """A built-in profile, read as `do_create_agency` reads it.

    Not `builtin_profile(key)`: it also parses `builtin/catalogue.toml` as a profile and fails.
    """
    return parse_profile(builtin_profile_text(key), source=key)


@cache
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar(builtin_calendar_data())


def at(day: date, hour: int = 10) -> str:
    """A field's datetime value, as `clean_fields` stores it (Beijing time, ISO 8601)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).isoformat()


def signed(signer: str, officer_id: int) -> SignatureFacts:
    return SignatureFacts(
        signer=signer, name=OFFICERS[officer_id].name, method="login", officer_id=officer_id
    )


def doc(
    document_id: int,
    kind: str,
    fields: Mapping[str, Any],
    *,
    on: date,
    final: bool = True,
    signatures: tuple[SignatureFacts, ...] = (),
    superseded: bool = False,
    number: str = "",
) -> DocFacts:
    """A document created on *on*, finalised the same day unless `final=False`."""
    return DocFacts(
        document_id=document_id,
        kind=kind,
        fields=dict(fields),
        created_at=datetime(on.year, on.month, on.day, 9, tzinfo=SHANGHAI),
        created_on=on,
        finalised_on=on if final else None,
        number=number,
        signatures=signatures,
        superseded=superseded,
    )


def chain(
    subject: str, document_id: int, *, outcome: str = "approved", approved_on: date | None = None
) -> ChainFacts:
    """A chain of *subject* for a document: approved, "pending" (proposed) or "rejected"."""
    steps = [SignedStep("handler", ZHANG, "propose")]
    if outcome in ("approved", "rejected"):
        steps.append(SignedStep("reviewer", REVIEWER, "approve"))
        steps.append(SignedStep("approver", HEAD, "approve" if outcome == "approved" else "reject"))
    return ChainFacts(subject, document_id, tuple(steps), approved_on)


def case_facts(
    *documents: DocFacts,
    chains: tuple[ChainFacts, ...] = (),
    today: date = date(2026, 9, 28),
    profile_key: str = "luanchuan-2020",
    stage: str = "investigation",
) -> CaseFacts:
    """A filed ordinary case of the profile's agency, in *stage*, holding *documents*."""
    chosen = profile(profile_key)
    return CaseFacts(
        case_id=1,
        case_number="栾统立〔2026〕1号",
        procedure="ordinary",
        start_type="ex_officio",
        stage=stage,
        opened_on=date(2026, 9, 1),
        filed_on=date(2026, 9, 2),
        major=False,
        complex_case=False,
        legal_review_required=False,
        parties=(),
        handler_ids=frozenset({ZHANG, LI}),
        officers=OFFICERS,
        documents=documents,
        chains=chains,
        catalogue=catalogue_for(chosen.documents),
        profile=chosen,
        calendar=calendar(),
        today=today,
    )


def draft(facts: CaseFacts, kind: str, fields: Mapping[str, Any], on: date | None = None) -> Draft:
    """A document of *kind* about to be created by 张伟 (the kind from the builtin catalogue, so
    kinds outside the profile can be tested too)."""
    return Draft(
        kind=builtin_catalogue()[kind], fields=dict(fields), author_id=ZHANG, on=on or facts.today
    )
