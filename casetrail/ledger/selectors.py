"""Reads of the ledger that need the agency table (the pure parts live beside)."""

from __future__ import annotations

from casetrail.cases.models import Agency
from casetrail.ledger.checkpoints import AgencyLog


def agency_log(agency: Agency) -> AgencyLog:
    return AgencyLog(agency_id=agency.pk, code=agency.code)


def agency_logs() -> list[AgencyLog]:
    return [
        AgencyLog(pk, code) for pk, code in Agency.objects.order_by("pk").values_list("pk", "code")
    ]


def find_agency_log(code_or_short_name: str) -> AgencyLog | None:
    agency = (
        Agency.objects.filter(code=code_or_short_name).first()
        or Agency.objects.filter(short_name=code_or_short_name).first()
    )
    return agency_log(agency) if agency else None
