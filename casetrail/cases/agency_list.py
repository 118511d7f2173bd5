"""The agencies in hierarchy order (each followed by those below it), for the agencies page and
`casetrail agencies list`: one query however many there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from casetrail.cases.models import Agency
from casetrail.ledger.canonical import Json


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    level: int  # 0 for an agency with no parent
    parent_code: str

    def as_json(self) -> dict[str, Json]:
        a = self.agency
        return {
            "code": a.code,
            "name": a.name,
            "short_name": a.short_name,
            "profile": a.profile_key,
            "parent": self.parent_code or None,
            "uscc": a.uscc,
            "address": a.address,
            "level": self.level,
            "created_at": a.created_at.isoformat(),
        }


def agency_rows() -> list[AgencyRow]:
    agencies = list(Agency.objects.defer("profile_source").order_by("name", "pk"))
    codes = {a.pk: a.code for a in agencies}
    children: dict[int | None, list[Agency]] = defaultdict(list)
    for agency in agencies:
        parent = agency.parent_id if agency.parent_id in codes else None
        children[parent].append(agency)
    rows: list[AgencyRow] = []

    def walk(parent: int | None, level: int) -> None:
        for agency in children[parent]:
            rows.append(AgencyRow(agency, level, codes.get(agency.parent_id or 0, "")))
            walk(agency.pk, level + 1)

    walk(None, 0)
    return rows
