"""An agency's officers as the administrator's page and `casetrail officers list` show them:
each with their roles and the state of their certificate today (rule 3)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from casetrail.cases.models import Agency, Membership, Officer
from casetrail.cases.officer_checks import ROLE_LABELS
from casetrail.ledger.canonical import Json
from casetrail.procedure.rules.certificates import (
    STATE_LABELS,
    CertificateState,
    certificate_state,
)


@dataclass(frozen=True)
class OfficerRow:
    officer: Officer
    agency: Agency
    roles: tuple[str, ...]
    state: CertificateState

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def role_names(self) -> str:
        return "、".join(ROLE_LABELS.get(role, role) for role in self.roles)

    def as_json(self) -> dict[str, Json]:
        o = self.officer
        return {
            "agency": self.agency.code,
            "name": o.name,
            "username": o.user.username,
            "roles": [ROLE_LABELS.get(role, role) for role in self.roles],
            "certificate_number": o.certificate_number,
            "certificate_issuer": o.certificate_issuer,
            "certificate_valid_from": _day(o.certificate_valid_from),
            "certificate_valid_to": _day(o.certificate_valid_to),
            "certificate_state": self.state_label,
            "certificate_revoked_on": _day(o.certificate_revoked_on),
            "certificate_revocation_reason": o.certificate_revocation_reason,
            "legal_review_qualified": o.legal_review_qualified,
            "legal_review_certificate_number": o.legal_review_certificate_number,
            "active": o.deactivated_on is None,
            "deactivated_on": _day(o.deactivated_on),
        }


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def officer_rows(agencies: list[Agency], today: date) -> list[OfficerRow]:
    """Every officer holding a role in *agencies*, by agency then name, in two queries."""
    roles: dict[tuple[int, int], list[str]] = defaultdict(list)
    memberships = Membership.objects.filter(agency__in=agencies).order_by("pk")
    for agency_id, officer_id, role in memberships.values_list("agency_id", "officer_id", "role"):
        roles[(agency_id, officer_id)].append(role)
    officers = {
        o.pk: o
        for o in Officer.objects.filter(pk__in={key[1] for key in roles}).select_related("user")
    }
    by_id = {agency.pk: agency for agency in agencies}
    rows = [
        OfficerRow(
            officers[officer_id],
            by_id[agency_id],
            tuple(held),
            certificate_state(officers[officer_id].certificate, today),
        )
        for (agency_id, officer_id), held in roles.items()
    ]
    return sorted(
        rows, key=lambda r: (r.agency.pk, r.officer.deactivated_on is not None, r.officer.name)
    )


def expiring_soon(rows: list[OfficerRow]) -> list[OfficerRow]:
    """The warning list: certificates ending within `EXPIRY_WARNING_DAYS` (即将到期), expired
    or revoked, of officers still serving."""
    return [
        r
        for r in rows
        if r.officer.deactivated_on is None and r.state in ("expiring", "expired", "revoked")
    ]
