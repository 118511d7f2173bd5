"""Issued documents for the tests, made through the real actions."""

from __future__ import annotations

from casetrail.cases.documents import Document
from casetrail.cases.models import Case
from tests.personas import World
from tests.procedure_world import filed_case, inquiry_fields, issue


def issued_inquiry(world: World, **case_options: str) -> tuple[Case, Document]:
    """A filed case of 栾统 with a final inquiry transcript (interviewee signed on screen)."""
    case = filed_case(world, **case_options)
    document = issue(world, case, "inquiry_transcript", inquiry_fields(world))
    return case, document


def issued_inspection(world: World, case: Case) -> Document:
    """A final inspection record whose present person refused to sign."""
    party = case.parties.get()
    return issue(
        world,
        case,
        "inspection_record",
        {
            "started_at": inquiry_fields(world)["started_at"],
            "ended_at": inquiry_fields(world)["ended_at"],
            "place": party.address,
            "officers": [world.zhang.pk, world.li.pk],
            "recorder": world.li.pk,
            "present_person": "刘某",
            "party_notified": "present",
            "certificates_shown": True,
            "identity_acknowledged": True,
            "observations": "统计台账与报送数据不一致",
        },
        refuse="present_person",
    )
