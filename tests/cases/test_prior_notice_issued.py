"""A 事先告知书 is numbered when it is issued, then served; the party's receipt belongs to the
送达回证, not to the notice (#16 found on the way 5; 行政处罚法 第44条; 民诉法 第87条)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytest_django import Settings

from casetrail.cases.actions.documents import do_finalise_document
from casetrail.cases.documents import Document
from casetrail.policy.catalogue import builtin_catalogue
from tests.cases.test_decision import _case_in_review
from tests.investigation_world import travel_to
from tests.personas import World
from tests.procedure_world import create, serve


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


def test_the_notice_has_no_party_signature_block() -> None:
    assert builtin_catalogue()["prior_notice"].signers == ()


def test_the_notice_gets_its_number_unsigned_and_is_then_served(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, date(2026, 9, 28), 9)
    case = _case_in_review(world)
    notice = create(
        world,
        case,
        "prior_notice",
        {
            "party": case.parties.get().pk,
            "facts": "2025年年报虚报营业收入",
            "reasons": "违反《统计法》第七条",
            "legal_basis": "《统计法》第四十四条",
            "intended_penalty": "罚款20000元",
            "intended_fine": "20000",
            "statement_right": "可在收到本告知书之日起3个工作日内陈述、申辩",
            "recusal_right": True,
            "contact": "张伟 0379-66800000",
        },
    )
    do_finalise_document(acting_user=world.zhang.user, document=notice)
    notice = Document.objects.get(pk=notice.pk)
    assert notice.final.number == "栾统罚告字〔2026〕1号"
    assert not notice.signatures.exists()
    travel_to(monkeypatch, date(2026, 9, 30))
    serve(world, notice, date(2026, 9, 30))
    assert notice.services.get().served_on == date(2026, 9, 30)
