"""Acts that set an agency up: the agency itself, its officers and their roles, its profile.

They are ledgered like every other act: who granted whom which power, and which regulation an
agency ran under when, are facts an auditor asks about (Seed B art. 27, 33).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.cases.agency_checks import AgencyInput, checked_agency
from casetrail.cases.models import Agency, CalendarYear, Membership, Officer, Role
from casetrail.cases.obligation_rows import refresh_agency_obligations
from casetrail.ledger.append import append_entry, open_log
from casetrail.ledger.canonical import Json
from casetrail.ledger.records import record_ref, row_snapshot
from casetrail.policy.profiles import builtin_profile_text, parse_profile


def do_create_agency(
    *,
    acting_user: User | None,
    name: str,
    short_name: str,
    code: str,
    profile_key: str = "",
    profile_text: str | None = None,
    profile_file: str = "",
    uscc: str = "",
    address: str = "",
    parent: Agency | None = None,
) -> Agency:
    """Create an agency with its own (empty) log, under a built-in profile (*profile_key*) or
    the TOML in *profile_text* (read from the file named *profile_file*), optionally below *parent*.

    Everything is checked first (`agency_checks`, the profile parser): a refusal writes nothing.
    Its first entry also records every account and entered calendar year it starts from:
    deployment-wide acts go to every agency's log, and those done before this agency existed
    are in no log of its own (`actions/deployment.py`)."""
    if profile_text is None:
        text, source = builtin_profile_text(profile_key), profile_key
    else:
        text, source = profile_text, profile_file or "uploaded.toml"
    profile = parse_profile(text, source=source)
    data = checked_agency(
        AgencyInput(name, short_name, code, uscc=uscc, address=address, parent=parent),
        existing=None,
    )
    with transaction.atomic():
        agency = Agency.objects.create(
            name=data.name,
            short_name=data.short_name,
            code=data.code,
            profile_key=profile.key,
            profile_source=text,
            created_at=clock.now(),
            uscc=data.uscc,
            address=data.address,
            parent=data.parent,
        )
        open_log(agency)
        facts: dict[str, Json] = {
            "name": data.name,
            "short_name": data.short_name,
            "code": data.code,
            "profile": profile.key,
        }
        if profile_text is not None:
            facts["profile_file"] = source
        facts.update(_optional_facts(agency))
        append_entry(
            agency=agency,
            action="agency.create",
            actor=acting_user,
            records=[
                agency,
                *User.objects.order_by("pk"),
                *CalendarYear.objects.order_by("pk"),
            ],
            facts=facts,
        )
    return agency


def _optional_facts(agency: Agency) -> dict[str, Json]:
    facts: dict[str, Json] = {}
    if agency.uscc:
        facts["uscc"] = agency.uscc
    if agency.address:
        facts["address"] = agency.address
    if agency.parent is not None:
        facts["parent"] = agency.parent.code
    return facts


CHANGEABLE = ("name", "short_name", "uscc", "address", "parent")


def _values(agency: Agency) -> dict[str, Json]:
    """The changeable fields as an entry states them (the parent by its code)."""
    return {
        "name": agency.name,
        "short_name": agency.short_name,
        "uscc": agency.uscc,
        "address": agency.address,
        "parent": agency.parent.code if agency.parent is not None else None,
    }


def do_change_agency(*, acting_user: User | None, agency: Agency, data: AgencyInput) -> Agency:
    """Change an agency's name, short name, 统一社会信用代码, address or parent; the entry keeps
    the previous values. Its code is its log's name and is never changed. Case numbers already
    issued keep the short name they were issued with."""
    data = checked_agency(replace(data, code=agency.code), existing=agency)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        before = _values(agency)
        previous = record_ref(agency)
        agency.name = data.name
        agency.short_name = data.short_name
        agency.uscc = data.uscc
        agency.address = data.address
        agency.parent = data.parent
        after = _values(agency)
        changed = [field for field in CHANGEABLE if before[field] != after[field]]
        if not changed:
            return agency
        agency.save(update_fields=changed)
        append_entry(
            agency=agency,
            action="agency.change",
            actor=acting_user,
            records=[agency],
            facts={field: after[field] for field in changed},
            previous={**previous, "values": {field: before[field] for field in changed}},
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
