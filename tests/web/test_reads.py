"""Reads of protected material are acts (DESIGN invariant 4; Seed B 第29–30条).

GIVEN every URL the project serves, WHEN the resolver is swept, THEN each is either a ledgered
read (``casetrail.web.reads.READS``) or named as not a read with its reason, and every URL of one
case is a read. GIVEN a confidential case, WHEN its pages, PDFs and exports are fetched, THEN each
answer has its read entry with the SHA-256 of the bytes given; an ordinary case's have none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casetrail.cases.models import Case, Officer
from casetrail.ledger.models import LedgerEntry
from casetrail.web.reads import NOT_READ_NAMESPACES, NOT_READS, READS
from tests.documents.world import issued_inquiry
from tests.personas import World
from tests.procedure_world import filed_case

CASE_ARGUMENTS = {"case_id", "document_id"}


def url_patterns(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Every pattern the project serves, with its namespaced name ("" when unnamed)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern
        else:
            yield namespace, pattern


def classified(name: str) -> bool:
    space = name.split(":")[0] if ":" in name else ""
    return name in READS or name in NOT_READS or space in NOT_READ_NAMESPACES


def test_every_url_is_a_ledgered_read_or_says_why_not() -> None:
    unclassified = [
        f"{name or '(unnamed)'} {pattern.pattern}"
        for name, pattern in url_patterns()
        if not classified(name)
    ]
    assert unclassified == [], "add these URLs to READS or NOT_READS in casetrail/web/reads.py"


def test_every_url_of_one_case_is_a_ledgered_read() -> None:
    not_read = [
        name
        for name, pattern in url_patterns()
        if CASE_ARGUMENTS & set(pattern.pattern.converters) and name not in READS
    ]
    assert not_read == []


def test_the_lists_name_only_urls_that_exist() -> None:
    served = {name for name, _ in url_patterns()}
    assert set(READS) - served == set()
    assert set(NOT_READS) - served == set()
    assert set(READS) & set(NOT_READS) == set()


def test_a_new_download_url_would_fail_the_sweep() -> None:
    """The sweep is not vacuous: a name neither list knows is caught."""
    assert not classified("case-recording-download")
    assert classified("admin:cases_agency_changelist")


def as_user(officer: Officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def reads_of(case: Case) -> list[dict[str, object]]:
    entries = LedgerEntry.objects.filter(case=case).order_by("pk")
    payloads = [json.loads(entry.payload) for entry in entries]
    return [payload for payload in payloads if payload["action"] in READ_ACTIONS]


READ_ACTIONS = {"case.view_protected", "document.read_pdf", "file.read", "case.export"}


def urls_of(case: Case, document_id: int, entry_id: int) -> dict[str, str]:
    return {
        "case-detail": reverse("case-detail", args=[case.pk]),
        "document-detail": reverse("document-detail", args=[case.pk, document_id]),
        "document-new": reverse("document-new", args=[case.pk]),
        "case-performance": reverse("case-performance", args=[case.pk]),
        "document-pdf": reverse("document-pdf", args=[document_id]),
        "document-blank-pdf": reverse("document-blank-pdf", args=[case.pk, "prior_notice"]),
        "case-act-proof": reverse("case-act-proof", args=[case.pk, entry_id]),
    }


def test_pages_pdfs_and_exports_of_a_confidential_case_are_ledgered(world: World) -> None:
    case, document = issued_inquiry(world, confidentiality="trade_secret")
    entry = LedgerEntry.objects.filter(case=case).order_by("pk").first()
    assert entry is not None
    client = as_user(world.reviewer)
    given = {}
    for name, url in urls_of(case, document.pk, entry.pk).items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = response.getvalue()
        given[name] = hashlib.sha256(body).hexdigest()
    reads = reads_of(case)
    assert [read["facts"]["view"] for read in reads] == list(given)  # type: ignore[index]
    for read in reads:
        facts = read["facts"]
        assert isinstance(facts, dict)
        assert facts["sha256"] == given[facts["view"]]
        assert facts["confidentiality"] == "trade_secret"
        assert read["actor"]["username"] == world.reviewer.user.username  # type: ignore[index]
    actions = {read["facts"]["view"]: read["action"] for read in reads}  # type: ignore[index]
    assert actions["case-detail"] == "case.view_protected"
    assert actions["document-pdf"] == "document.read_pdf"
    assert actions["case-act-proof"] == "case.export"


def test_an_ordinary_case_is_read_without_entries(world: World) -> None:
    case, document = issued_inquiry(world)
    entry = LedgerEntry.objects.filter(case=case).order_by("pk").first()
    assert entry is not None
    before = LedgerEntry.objects.count()
    client = as_user(world.reviewer)
    for url in urls_of(case, document.pk, entry.pk).values():
        assert client.get(url).status_code == 200
    assert LedgerEntry.objects.count() == before


def test_a_refused_read_is_not_ledgered(world: World) -> None:
    case = filed_case(world, confidentiality="state_secret")
    assert as_user(world.bystander).get(reverse("case-detail", args=[case.pk])).status_code == 404
    assert reads_of(case) == []


def test_the_admin_sites_case_page_is_a_ledgered_read(world: World) -> None:
    case = filed_case(world, confidentiality="personal_privacy")
    admin = User.objects.create_superuser("root", "root@example.invalid", "x")
    client = Client()
    client.force_login(admin)
    url = reverse("admin:cases_case_change", args=[case.pk])
    assert client.get(url).status_code == 200
    reads = reads_of(case)
    assert [(read["action"], read["facts"]["view"]) for read in reads] == [  # type: ignore[index]
        ("case.view_protected", "admin:cases_case_change")
    ]


@pytest.mark.parametrize("name", sorted(READS))
def test_every_read_finds_its_case(name: str) -> None:
    """Each READS entry knows how to find the case from its URL's own arguments."""
    pattern = dict(url_patterns())[name]
    arguments = set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)
    assert arguments & (CASE_ARGUMENTS | {"object_id"}), name
