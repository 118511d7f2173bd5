"""`on_case_entry`: what follows an act on a case runs in the act's transaction, after its entry;
a read (a standalone entry) and an act on no case run nothing (issue 24: deadline rows)."""

from __future__ import annotations

import pytest
from django.db import transaction

from casetrail.cases.models import Case, Obligation
from casetrail.ledger import append
from casetrail.ledger.append import append_entry, append_standalone_entry, on_case_entry
from tests.personas import World, open_case


def test_listeners_run_after_an_act_on_a_case_only(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = open_case(world, start_type="emergency")
    seen: list[int] = []
    monkeypatch.setattr(append, "_case_listeners", [])
    on_case_entry(lambda case: seen.append(case.pk))
    on_case_entry(append._case_listeners[0])  # registering twice runs it once
    with transaction.atomic():
        append_entry(agency=world.lc, action="test.act", actor=None, case=case)
    assert seen == [case.pk]
    append_standalone_entry(agency=world.lc, action="case.view_protected", actor=None, case=case)
    with transaction.atomic():
        append_entry(agency=world.lc, action="test.act", actor=None)
    assert seen == [case.pk]


def test_the_cases_app_registers_the_deadline_refresh(world: World) -> None:
    """An entry on a case rewrites that case's rows: a deleted row comes back."""
    case = open_case(world, start_type="emergency")
    Obligation.objects.filter(case=case).delete()
    with transaction.atomic():
        append_entry(agency=world.lc, action="test.act", actor=None, case=case)
    assert Obligation.objects.filter(case=Case.objects.get(pk=case.pk)).count() == 1
