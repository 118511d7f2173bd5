"""Acts that set an agency up: the agency itself, its officers and their roles, its profile.

They are ledgered like every other act: who granted whom which power, and which regulation an
agency ran under when, are facts an auditor asks about (Seed B art. 27, 33).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.cases.models import Agency, CalendarYear, Membership, Officer, Role
from casetrail.cases.obligation_rows import refresh_agency_obligations
from casetrail.ledger.append import append_entry, open_log
from casetrail.ledger.canonical import Json
from casetrail.ledger.records import record_ref, row_snapshot
from casetrail.policy.profiles import builtin_profile_text, parse_profile


def do_create_agency(
    *, acting_user: User | None, name: str, short_name: str, code: str, profile_key: str
) -> Agency:
    """Create an agency running under a built-in profile, with its own (empty) log.

    Its first entry also records every account and entered calendar year it starts from:
    deployment-wide acts go to every agency's log, and those done before this agency existed
    are in no log of its own (`actions/deployment.py`)."""
    text = builtin_profile_text(profile_key)
    parse_profile(text, source=profile_key)
    with transaction.atomic():
        agency = Agency.objects.create(
            name=name,
            short_name=short_name,
            code=code,
            profile_key=profile_key,
            profile_source=text,
            created_at=clock.now(),
        )
        open_log(agency)
        append_entry(
            agency=agency,
            action="agency.create",
            actor=acting_user,
            records=[
                agency,
                *User.objects.order_by("pk"),
                *CalendarYear.objects.order_by("pk"),
            ],
            facts={"name": name, "short_name": short_name, "code": code, "profile": profile_key},
        )
    return agency


def do_load_agency_profile(
    *, acting_user: User | None, agency: Agency, text: str, source: str
) -> Agency:
    """Put *agency* under the profile in *text* (validated first: a broken file changes nothing)."""
    profile = parse_profile(text, source=source)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        previous = record_ref(agency)
        agency.profile_key = profile.key
        agency.profile_source = text
        agency.save(update_fields=["profile_key", "profile_source"])
        append_entry(
            agency=agency,
            action="agency.load_profile",
            actor=acting_user,
            records=[agency],
            facts={"profile": profile.key, "source": source},
            previous=previous,
        )
        refresh_agency_obligations(agency)  # its periods and backup age are the profile's
    return agency


def do_register_officer(
    *,
    acting_user: User | None,
    agency: Agency,
    user: User,
    name: str,
    certificate_number: str = "",
    certificate_valid_from: date | None = None,
    certificate_valid_to: date | None = None,
    certificate_issuer: str = "",
    legal_review_certificate_number: str = "",
) -> Officer:
    with transaction.atomic():
        officer = Officer.objects.create(
            user=user,
            name=name,
            certificate_number=certificate_number,
            certificate_issuer=certificate_issuer,
            certificate_valid_from=certificate_valid_from,
            certificate_valid_to=certificate_valid_to,
            legal_review_certificate_number=legal_review_certificate_number,
        )
        facts: dict[str, Json] = {"name": name, "certificate_number": certificate_number}
        if certificate_issuer:
            facts["certificate_issuer"] = certificate_issuer
        append_entry(
            agency=agency,
            action="officer.register",
            actor=acting_user,
            records=[officer],
            facts=facts,
        )
    return officer


def do_set_legal_review(
    *, acting_user: User | None, officer: Officer, agency: Agency, qualified: bool
) -> Officer:
    """Record whether *officer* holds 法律职业资格 and so may be one of *agency*'s legal
    reviewers (法制审核人员, 行政处罚法 第58条 第2款); with the reviewer role they may review."""
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        previous = record_ref(officer)
        officer.legal_review_qualified = qualified
        officer.save(update_fields=["legal_review_qualified"])
        append_entry(
            agency=agency,
            action="officer.set_legal_review",
            actor=acting_user,
            records=[officer],
            facts={"officer": officer.name, "legal_review_qualified": qualified},
            previous=previous,
        )
    return officer


def do_grant_role(
    *, acting_user: User | None, officer: Officer, agency: Agency, role: Role | str
) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.create(officer=officer, agency=agency, role=role)
        append_entry(
            agency=agency,
            action="officer.grant_role",
            actor=acting_user,
            records=[membership],
            facts={"officer": officer.name, "role": str(role)},
            previous=row_snapshot(officer),
        )
    return membership
