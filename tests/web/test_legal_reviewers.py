"""法制审核人员 (#16 found on the way 2): officers carry 法律职业资格, recorded by an act; the
legal review form offers only the agency's qualified reviewers who do not handle the case; the
gate refuses anyone else; the agency page lists them; the demo has one per agency.

行政处罚法 第58条 第2款; REFERENCE.md rule 18.
"""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail import access
from casetrail.cases.actions.setup import do_grant_role, do_set_legal_review
from casetrail.cases.models import Officer, Role
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.rules import decision
from tests.cases.test_decision import _case_in_review
from tests.personas import PASSWORD, World, make_officer
from tests.procedure.decision_factory import OFFICERS, REVIEWER, ready_penalty_case
from tests.web.test_reference_pickers import options


def logged_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_qualification_is_an_act_in_the_agencys_log(world: World) -> None:
    officer = make_officer(world.lc, "lawyer", "钱律", ("reviewer",), cert="LC-020")
    assert officer.legal_review_qualified is False
    do_set_legal_review(acting_user=None, officer=officer, agency=world.lc, qualified=True)
    officer.refresh_from_db()
    assert officer.legal_review_qualified is True
    entry = LedgerEntry.objects.filter(action="officer.set_legal_review").latest("id")
    assert entry.agency_id == world.lc.pk
    payload = json.loads(entry.payload)
    assert payload["facts"] == {"officer": "钱律", "legal_review_qualified": True}
    assert "previous" in payload


def test_the_form_offers_only_qualified_reviewers_who_do_not_handle_the_case(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")
    unqualified = make_officer(world.lc, "plain", "孙审核", ("reviewer",), cert="LC-021")
    do_grant_role(acting_user=None, officer=world.zhang, agency=world.lc, role=Role.REVIEWER)
    do_set_legal_review(acting_user=None, officer=world.zhang, agency=world.lc, qualified=True)
    case = _case_in_review(world)
    assert list(access.legal_reviewers(case)) == [world.reviewer]
    body = logged_in("zhang").get(
        reverse("document-create", args=[case.pk, "legal_review_opinion"])
    )
    offered = [pk for pk, _ in options(body.content.decode(), "reviewer") if pk]
    assert offered == [str(world.reviewer.pk)]
    assert str(unqualified.pk) not in offered


def test_the_gate_refuses_a_reviewer_without_the_qualification() -> None:
    case = ready_penalty_case(legal_review_required=True)
    case.builder.add("legal_review_opinion", on=date(2026, 10, 9))
    facts = case.facts()
    assert decision.legal_review_gate(facts) is None
    unqualified = dataclasses.replace(OFFICERS[REVIEWER], legal_review_qualified=False)
    facts = dataclasses.replace(facts, officers={**facts.officers, REVIEWER: unqualified})
    problem = decision.legal_review_gate(facts)
    assert problem is not None
    assert (problem.rule, problem.field) == ("18", "reviewer")
    assert "法律职业资格" in problem.message


def test_the_agency_page_lists_its_legal_reviewers(world: World) -> None:
    make_officer(world.lc, "plain", "孙审核", ("reviewer",), cert="LC-021")
    body = logged_in("zhang").get(reverse("agency-detail", args=[world.lc.pk])).content.decode()
    section = body.split('data-testid="legal-reviewers"', 1)[1].split("</section>", 1)[0]
    assert "王审核" in section
    assert "孙审核" not in section


def test_the_demo_has_a_qualified_reviewer_in_each_agency(db: None, settings: Settings) -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    qualified = {
        (o.name, o.memberships.first().agency.short_name)  # type: ignore[union-attr]
        for o in Officer.objects.filter(legal_review_qualified=True)
    }
    assert qualified == {("王强", "栾统"), ("周敏", "兴统")}


def test_officers_committed_before_the_column_still_match(world: World) -> None:
    """The column was added after officers were ledgered: while it holds its default it is
    left out of the row's digest, so `casetrail verify` still matches older entries."""
    from casetrail.ledger.records import row_snapshot

    assert "legal_review_qualified" not in row_snapshot(world.zhang)
    world.reviewer.refresh_from_db()
    assert row_snapshot(world.reviewer)["legal_review_qualified"] is True


def test_the_command_records_and_withdraws_the_qualification(world: World) -> None:
    officer = make_officer(world.lc, "plain", "孙审核", ("reviewer",), cert="LC-021")
    out = io.StringIO()
    call_command("set_legal_review", "plain", agency="栾统", stdout=out)
    officer.refresh_from_db()
    assert officer.legal_review_qualified is True
    assert "已登记法律职业资格" in out.getvalue()
    call_command("set_legal_review", "plain", agency="栾统", revoke=True, stdout=out)
    officer.refresh_from_db()
    assert officer.legal_review_qualified is False
    with pytest.raises(CommandError, match="不是兴隆台区统计局的人员"):
        call_command("set_legal_review", "plain", agency="兴统", stdout=out)
