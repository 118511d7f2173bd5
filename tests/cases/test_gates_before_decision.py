"""审查要求 (重大、情节复杂、须法制审核) are set before the decision they govern: once a case is
decided the act is refused on the stage, and the case page no longer offers the form
(行政处罚法 第57条 第2款、第58条; rules 18–19)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail.cases.actions.review import do_set_case_gates
from casetrail.procedure.errors import RuleViolation
from tests.cases.test_procedure_end_to_end import Clock, decide
from tests.personas import PASSWORD, World
from tests.procedure_world import filed_case


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def case_page(case_id: int) -> str:
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    return client.get(reverse("case-detail", args=[case_id])).content.decode()


def test_the_gates_are_set_while_investigating(world: World) -> None:
    case = filed_case(world)
    assert 'data-testid="gates-form"' in case_page(case.pk)
    flagged = do_set_case_gates(
        acting_user=world.zhang.user,
        case=case,
        major=True,
        complex_case=False,
        legal_review_required=False,
        reason="罚款数额较大",
    )
    assert flagged.major
    assert flagged.legal_review_required


def test_a_decided_case_refuses_new_gates_and_hides_the_form(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _ = decide(world, Clock(monkeypatch))
    assert case.stage == "decided"
    assert 'data-testid="gates-form"' not in case_page(case.pk)
    with pytest.raises(RuleViolation) as refused:
        do_set_case_gates(
            acting_user=world.zhang.user,
            case=case,
            major=True,
            complex_case=False,
            legal_review_required=False,
            reason="事后补标",
        )
    assert refused.value.field == "stage"
    assert "送达执行" in refused.value.message
