"""What the hearing, statement, summary and correction walks (#16) found in the forms: the
hearing chair is offered among the officers who do not handle the case; a reference field
with one document that fits is filled with it, required or not; the notices that are served
(听证通知书, 责令改正通知书) are numbered when issued, their receipt on the 送达回证."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from casetrail.policy.catalogue import builtin_catalogue
from casetrail.web.forms_documents import CaseChoices, initial_for_new
from tests.cases.test_decision import _case_in_review
from tests.personas import PASSWORD, World
from tests.web.test_reference_pickers import options


@pytest.fixture(autouse=True)
def blob_store(settings: Settings, tmp_path: Path) -> None:
    settings.CASETRAIL_BLOB_STORE = str(tmp_path / "blobs")


@pytest.mark.parametrize("kind", ["hearing_notice", "hearing_transcript", "hearing_report"])
def test_the_hearing_chair_is_offered_among_officers_who_do_not_handle_the_case(
    world: World, kind: str
) -> None:
    """行政处罚法 第64条(四): the handlers 张伟 and 李娜 are not offered as chair."""
    case = _case_in_review(world)
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    body = client.get(reverse("document-create", args=[case.pk, kind])).content.decode()
    offered = {pk for pk, _ in options(body, "chair") if pk}
    handlers = {str(pk) for pk in case.handlers.values_list("officer_id", flat=True)}
    assert handlers == {str(world.zhang.pk), str(world.li.pk)}
    assert str(world.reviewer.pk) in offered
    assert not offered & handlers


def choices(documents: tuple[tuple[str, str, str], ...]) -> CaseChoices:
    return CaseChoices(officers=[], handler_ids=(), parties=[], recordings=[], documents=documents)


def test_an_optional_reference_with_one_document_that_fits_is_filled_with_it() -> None:
    """The decision of a heard case cites its 听证笔录; the 结案审批表 names the decision."""
    catalogue = builtin_catalogue()
    heard = choices((("7", "听证笔录（2026-12-24）", "hearing_transcript"),))
    assert initial_for_new(catalogue["decision"], heard)["hearing_transcript"] == "7"
    decided = choices((("9", "栾统罚决字〔2026〕1号 行政处罚决定书", "decision"),))
    assert initial_for_new(catalogue["closing_report"], decided)["decision"] == "9"


def test_an_optional_reference_with_none_or_two_that_fit_stays_blank() -> None:
    catalogue = builtin_catalogue()
    assert "hearing_transcript" not in initial_for_new(catalogue["decision"], choices(()))
    two = choices(
        (
            ("9", "栾统罚决字〔2026〕2号 行政处罚决定书", "decision"),
            ("8", "撤案审批表（2026-12-01）", "withdrawal_approval"),
        ),
    )
    assert "decision" not in initial_for_new(catalogue["closing_report"], two)


@pytest.mark.parametrize("kind", ["hearing_notice", "correction_order"])
def test_a_served_notice_has_no_party_signature_block(kind: str) -> None:
    """Numbered when issued, then served: the party signs the 送达回证 (民诉法 第87条)."""
    notice = builtin_catalogue()[kind]
    assert notice.numbered
    assert notice.signers == ()


def test_a_case_cites_its_own_agencys_regulation_not_anothers(world: World) -> None:
    """栾川's 陈述申辩笔录 cites 栾川县制度第八条 and the law, not 兴隆台区办法第十二条."""
    case = _case_in_review(world)
    client = Client()
    assert client.login(username="zhang", password=PASSWORD)
    url = reverse("document-create", args=[case.pk, "statement_transcript"])
    body = client.get(url).content.decode()
    assert "栾川县制度第八条" in body
    assert "兴隆台区办法" not in body
