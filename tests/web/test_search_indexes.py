"""Issue 24 item 3: the case list's substring search (number or party name) is answered from GIN
trigram indexes on PostgreSQL (migration cases 0010), not by reading every case; the models and
migrations agree on both engines.

GIVEN 栾统 with 3,000 cases (two opened through the actions, the rest copies of their rows under
new numbers and party names, as bench/pages.py makes them) WHEN the head searches by a number or
a party's name THEN the page finds the case, and EXPLAIN of its queries shows no sequential scan
of the case or party tables.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from casetrail.cases.models import Case, Party
from tests.dbowner import as_owner
from tests.personas import PASSWORD, World, company, open_case

COPIES = 3_000
SCANNED = ("cases_case", "cases_party")


def test_the_models_and_the_migrations_agree(db: None) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # SystemExit(1) if not


def copy_of(row: Any, **changes: Any) -> Any:
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    values.pop(row._meta.pk.attname)
    values.update(changes)
    return type(row)(**values)


def many_cases(world: World) -> None:
    """COPIES cases of 栾统: the rows of one opened case under new numbers and party names."""
    template = open_case(world, parties=[company(name="某某矿业有限公司")])
    party = template.parties.get()
    copies = Case.objects.bulk_create(
        copy_of(template, case_number=f"栾统立〔2025〕{n}号", seq=n, year=2025)
        for n in range(100_000, 100_000 + COPIES)
    )
    Party.objects.bulk_create(
        copy_of(party, case_id=case.pk, name=f"第{case.pk}号建材有限公司") for case in copies
    )
    # What autovacuum does after a bulk load: rows inserted since the last vacuum wait in the
    # GIN pending list, which a search reads whole (the planner then prefers a scan).
    # Both need the indexes' owner: in the two-role run, the owner's function runs them.
    with as_owner() as owner:
        owner.execute("SELECT gin_clean_pending_list('case_number_trgm'::regclass)")
        owner.execute("SELECT gin_clean_pending_list('party_name_trgm'::regclass)")
        owner.execute("ANALYZE cases_case")
        owner.execute("ANALYZE cases_party")


def search_plans(client: Client, text: str) -> tuple[str, list[str]]:
    """The page's body and the plans of its queries that read the case or party table."""
    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(reverse("case-list"), {"scope": "agency", "q": text})
    assert response.status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if sql.lstrip().upper().startswith("SELECT") and any(t in sql for t in SCANNED):
                cursor.execute("EXPLAIN " + sql, params)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return response.content.decode(), plans


@pytest.mark.postgres_only
@pytest.mark.parametrize("text", ["栾统立〔2026〕", "某某矿业"])
def test_the_search_reads_the_trigram_indexes(world: World, text: str) -> None:
    wanted = open_case(world, parties=[company(name="某某矿业有限公司")])
    many_cases(world)
    client = Client()
    assert client.login(username="head", password=PASSWORD)
    body, plans = search_plans(client, text)
    assert wanted.case_number in body
    assert plans
    for plan in plans:
        for table in SCANNED:
            assert f"Seq Scan on {table}" not in plan, plan
    assert any("_trgm" in plan for plan in plans), plans
