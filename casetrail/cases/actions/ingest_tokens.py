"""Acts on the tokens of ingest stations (采集站): issuing one to a machine account, revoking it.

An ingest station is an `Officer` holding the ``ingest`` role in one agency; its token is shown
once and only its SHA-256 is kept. Who issued or revoked which station's token, and when, is
ledgered like any grant of power (Seed B art. 27).
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from casetrail import clock
from casetrail.cases.evidence_selectors import token_digest
from casetrail.cases.models import Agency, Officer, Role
from casetrail.cases.selectors import roles_of
from casetrail.evidence.models import IngestToken
from casetrail.ledger.append import append_entry
from casetrail.ledger.records import row_snapshot
from casetrail.procedure.citations import cite
from casetrail.procedure.errors import RuleViolation

TOKEN_PREFIX = "ctk_"


def _refused(agency: Agency, field: str, message: str) -> RuleViolation:
    """Who handles the AV records is named (兴隆台: art. 27): each agency's own articles."""
    article = cite(agency.profile, "R42")
    return RuleViolation(rule="ingest_token", article=article, field=field, message=message)


def do_issue_ingest_token(
    *, acting_user: User | None, agency: Agency, officer: Officer, label: str
) -> tuple[IngestToken, str]:
    """Issue a token to an ingest station's machine account; the token is returned only here."""
    label = label.strip()
    if not label:
        raise _refused(agency, "label", "标签：必须填写（如设备所在地点或编号）")
    if Role.INGEST not in roles_of(officer, agency):
        raise _refused(
            agency,
            "username",
            f"账号：{officer.name} 在{agency.name}没有“采集站”岗位，不能领取采集站令牌",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = IngestToken.objects.create(
            officer=officer,
            agency=agency,
            token_sha256=token_digest(token),
            label=label,
            created_at=clock.now(),
        )
        append_entry(
            agency=agency,
            action="ingest_token.issue",
            actor=acting_user,
            records=[row],
            facts={"token_id": row.pk, "label": label, "officer": officer.name},
        )
    return row, token


def do_revoke_ingest_token(*, acting_user: User | None, token: IngestToken) -> IngestToken:
    """Revoke a token at once; requests bearing it get 401 from then on."""
    with transaction.atomic():
        row = IngestToken.objects.select_for_update().get(pk=token.pk)
        if row.revoked_at is not None:
            when = timezone.localtime(row.revoked_at)
            raise _refused(
                row.agency, "token", f"令牌：{row.label} 已于 {when:%Y-%m-%d %H:%M} 撤销"
            )
        previous = row_snapshot(row)
        row.revoked_at = clock.now()
        row.save(update_fields=["revoked_at"])
        append_entry(
            agency=row.agency,
            action="ingest_token.revoke",
            actor=acting_user,
            records=[row],
            facts={"token_id": row.pk, "label": row.label},
            previous={"revoked_at": previous["revoked_at"]},
        )
    return row
