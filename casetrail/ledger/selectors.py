"""Reads of the ledger that list agencies, through the domain's directory (`subjects.py`)."""

from __future__ import annotations

from casetrail.ledger.checkpoints import AgencyLog
from casetrail.ledger.subjects import CodedLogOwner, agency_rows


def agency_log(agency: CodedLogOwner) -> AgencyLog:
    return AgencyLog(agency_id=agency.pk, code=agency.code)


def agency_logs() -> list[AgencyLog]:
    return [AgencyLog(row.pk, row.code) for row in agency_rows()]


def find_agency_log(code_or_short_name: str) -> AgencyLog | None:
    """The log of the agency with this code, else of the first with this short name."""
    rows = agency_rows()
    found = next((row for row in rows if row.code == code_or_short_name), None) or next(
        (row for row in rows if row.short_name == code_or_short_name), None
    )
    return AgencyLog(found.pk, found.code) if found else None
