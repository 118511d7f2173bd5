"""Documents: created against their schema, signed or refused, finalised, then immutable.

Seed A art. 9; Seed B art. 5–7; 行政处罚法 第42条、第55条; REFERENCE.md rules 1, 2, 5, 8, 9, 12.
"""

from __future__ import annotations

import pytest

from casetrail.cases.actions.documents import (
    do_create_document,
    do_finalise_document,
    do_record_refusal,
    do_sign_document,
)
from casetrail.cases.documents import Document, DocumentFinal
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from tests.personas import World, open_case
from tests.procedure_world import create, filed_case, inquiry_fields, issue, sign_all


def test_an_inquiry_with_two_officers_is_signed_and_finalised(world: World) -> None:
    case = filed_case(world)
    before = LedgerEntry.objects.filter(case=case).count()
    document = issue(world, case, "inquiry_transcript", inquiry_fields(world))
    assert hasattr(document, "final")
    # create + 2 officers + recorder + interviewee + finalise
    assert LedgerEntry.objects.filter(case=case).count() == before + 6
    assert document.final.content_sha256


def test_finalising_without_the_persons_signature_is_refused(world: World) -> None:
    """GIVEN an inquiry signed by the officers only WHEN finalised THEN rule 9 refuses it."""
    case = filed_case(world)
    document = create(world, case, "inquiry_transcript", inquiry_fields(world))
    for officer in (world.zhang, world.li):
        do_sign_document(acting_user=officer.user, document=document, signer="officers")
    do_sign_document(acting_user=world.li.user, document=document, signer="recorder")
    with pytest.raises(RuleViolation) as refused:
        do_finalise_document(acting_user=world.zhang.user, document=document)
    assert refused.value.rule == "9"
    assert "被询问人" in refused.value.message
    assert not DocumentFinal.objects.exists()


def test_a_witnessed_refusal_stands_for_the_signature(world: World) -> None:
    case = filed_case(world)
    document = issue(world, case, "inquiry_transcript", inquiry_fields(world), refuse="interviewee")
    assert document.refusals.get().witness_officer == world.li


def test_a_refusal_needs_a_witness(world: World) -> None:
    """Rule 8: reason, time, and a witness or a second officer."""
    case = filed_case(world)
    document = create(world, case, "inquiry_transcript", inquiry_fields(world))
    from casetrail import clock

    with pytest.raises(RuleViolation) as refused:
        do_record_refusal(
            acting_user=world.zhang.user,
            document=document,
            signer="interviewee",
            person_name="刘某",
            reason="拒签",
            refused_at=clock.now(),
        )
    assert (refused.value.rule, refused.value.field) == ("8", "witness_name")


def test_one_officer_is_not_enough(world: World) -> None:
    """Rule 1: 行政处罚法 第42条."""
    case = filed_case(world)
    with pytest.raises(RuleViolation) as refused:
        create(world, case, "inquiry_transcript", inquiry_fields(world, officers=[world.zhang.pk]))
    assert (refused.value.rule, refused.value.field) == ("1", "officers")
    assert not Document.objects.exists()


def test_an_expired_certificate_is_refused(world: World) -> None:
    """Rule 3: the certificate must be valid on the day of the act."""
    case = filed_case(world)
    with pytest.raises(RuleViolation) as refused:
        create(
            world,
            case,
            "inquiry_transcript",
            inquiry_fields(world, officers=[world.zhang.pk, world.expired.pk]),
        )
    assert refused.value.rule == "3"
    assert "过期证" in refused.value.message


def test_no_investigation_before_filing(world: World) -> None:
    """Rule 5: 行政处罚法 第54条."""
    case = open_case(world)
    with pytest.raises(RuleViolation) as refused:
        create(world, case, "inquiry_transcript", inquiry_fields(world))
    assert refused.value.rule == "5"


def test_certificates_not_shown_block_finalising(world: World) -> None:
    """Rule 2: 行政处罚法 第55条."""
    case = filed_case(world)
    document = create(
        world, case, "inquiry_transcript", inquiry_fields(world, certificates_shown=False)
    )
    sign_all(world, document)
    with pytest.raises(RuleViolation) as refused:
        do_finalise_document(acting_user=world.zhang.user, document=document)
    assert (refused.value.rule, refused.value.field) == ("2", "certificates_shown")


def test_a_missing_required_field_names_the_field(world: World) -> None:
    case = filed_case(world)
    with pytest.raises(RuleViolation) as refused:
        create(world, case, "inquiry_transcript", inquiry_fields(world, place=""))
    assert refused.value.field == "place"
    assert "询问地点" in refused.value.message


def test_a_final_document_cannot_be_signed_again(world: World) -> None:
    case = filed_case(world)
    document = issue(world, case, "inquiry_transcript", inquiry_fields(world))
    with pytest.raises(RuleViolation) as refused:
        do_sign_document(acting_user=world.zhang.user, document=document, signer="officers")
    assert refused.value.rule == "12"


def test_a_correction_supersedes_the_original(world: World) -> None:
    case = filed_case(world)
    original = issue(world, case, "inquiry_transcript", inquiry_fields(world))
    correction = do_create_document(
        acting_user=world.zhang.user,
        case=case,
        kind="inquiry_transcript",
        fields=inquiry_fields(world, place="当事人办公室"),
        supersedes=original,
    )
    assert correction.supersedes == original
    assert original.fields["place"] == "栾川县统计局询问室"


def test_seizure_is_off_for_statistics_agencies(world: World) -> None:
    """Rule 15: 行政强制法 第22条."""
    case = filed_case(world)
    with pytest.raises(RuleViolation) as refused:
        create(world, case, "seizure_decision", {})
    assert refused.value.rule == "15"


def test_a_withdrawn_draft_stays_in_the_file_and_no_longer_counts(world: World) -> None:
    """A draft made by mistake is withdrawn with a reason (Seed A 第15条: nothing deleted)."""
    from casetrail.cases.actions.documents import do_withdraw_document
    from casetrail.cases.facts import case_facts

    case = filed_case(world)
    draft = create(world, case, "inquiry_transcript", inquiry_fields(world))
    do_withdraw_document(acting_user=world.zhang.user, document=draft, reason="被询问人填写错误")
    assert Document.objects.filter(pk=draft.pk).exists()
    assert case_facts(case).current("inquiry_transcript") == []
    with pytest.raises(RuleViolation) as refused:
        do_finalise_document(acting_user=world.zhang.user, document=draft)
    assert refused.value.rule == "12"


def test_a_final_document_is_not_withdrawn(world: World) -> None:
    from casetrail.cases.actions.documents import do_withdraw_document

    case = filed_case(world)
    document = issue(world, case, "inquiry_transcript", inquiry_fields(world))
    with pytest.raises(RuleViolation) as refused:
        do_withdraw_document(acting_user=world.zhang.user, document=document, reason="误")
    assert "已定稿" in refused.value.message


def test_who_may_write_is_decided_by_access_for_actions_too(world: World) -> None:
    """A reviewer writes the legal review, not the handlers' transcripts (casetrail.access);
    an officer of another agency writes nothing."""
    case = filed_case(world)
    for outsider in (world.reviewer, world.colleague):
        with pytest.raises(RuleViolation) as refused:
            create(world, case, "inquiry_transcript", inquiry_fields(world), by=outsider)
        assert refused.value.field == "user"
    assert not Document.objects.exists()
