"""Drafts are edited, final documents corrected (issue #16 item 11; Seed A art. 15; rule 12).

An edit saves the draft's next version as a new row that supersedes it: every saved version
stays in the file and the ledger, the case file lists only the newest, and nothing about an
edit reads as a correction.
"""

from __future__ import annotations

import pytest

from casetrail.cases.actions.documents import (
    do_create_document,
    do_edit_draft,
    do_finalise_document,
    do_sign_document,
)
from casetrail.cases.documents import Document
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from tests.personas import World
from tests.procedure_world import create, filed_case, inquiry_fields, issue, sign_all


def test_an_edit_is_a_new_ledgered_version_and_the_old_one_is_kept(world: World) -> None:
    case = filed_case(world)
    first = create(world, case, "inquiry_transcript", inquiry_fields(world))
    do_sign_document(acting_user=world.zhang.user, document=first, signer="officers")
    second = do_edit_draft(
        acting_user=world.zhang.user,
        document=first,
        fields=inquiry_fields(world, place="当事人办公室"),
    )
    assert second.supersedes == first
    assert Document.objects.get(pk=first.pk).fields["place"] == "栾川县统计局询问室"
    assert second.fields["place"] == "当事人办公室"
    assert not second.signatures.exists()  # signatures belong to the version they signed
    entry = LedgerEntry.objects.filter(case=case).order_by("id").last()
    assert entry is not None
    assert entry.action == "document.edit"
    assert f'"supersedes":{first.pk}' in entry.payload
    sign_all(world, second)
    do_finalise_document(acting_user=world.zhang.user, document=second)


def test_an_old_version_a_final_and_a_withdrawn_draft_are_not_edited(world: World) -> None:
    case = filed_case(world)
    first = create(world, case, "inquiry_transcript", inquiry_fields(world))
    do_edit_draft(acting_user=world.zhang.user, document=first, fields=inquiry_fields(world))
    with pytest.raises(RuleViolation) as old:
        do_edit_draft(acting_user=world.zhang.user, document=first, fields=inquiry_fields(world))
    assert "旧版本" in old.value.message
    final = issue(world, case, "inquiry_transcript", inquiry_fields(world))
    with pytest.raises(RuleViolation) as corrected:
        do_edit_draft(acting_user=world.zhang.user, document=final, fields=inquiry_fields(world))
    assert "已定稿" in corrected.value.message


def test_a_draft_is_not_corrected(world: World) -> None:
    """Only a final document is corrected: a correction of a draft is refused, naming edit."""
    case = filed_case(world)
    draft = create(world, case, "inquiry_transcript", inquiry_fields(world))
    with pytest.raises(RuleViolation) as refused:
        do_create_document(
            acting_user=world.zhang.user,
            case=case,
            kind="inquiry_transcript",
            fields=inquiry_fields(world),
            supersedes=draft,
        )
    assert (refused.value.rule, refused.value.field) == ("12", "supersedes")
    assert "编辑草稿" in refused.value.message
