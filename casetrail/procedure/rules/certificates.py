"""The state of an enforcement certificate (执法证) on a day: the one place that decides it.

REFERENCE.md rule 3 (统计执法证): an expired or revoked certificate blocks assignment, and rule
1: each officer of an act holds a certificate valid on its day. Revocation counts from its
date on, so acts done before it keep their officers. Pure: the caller gives the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

# How long before its end a certificate is listed as 即将到期. Profiles hold no such number
# (issue 17 asks for it to be configurable; until a profile key exists it is this constant).
EXPIRY_WARNING_DAYS: Final = 30

CertificateState = Literal["none", "not_yet_valid", "valid", "expiring", "expired", "revoked"]
STATE_LABELS: Final[dict[str, str]] = {
    "none": "无证件",
    "not_yet_valid": "尚未生效",
    "valid": "有效",
    "expiring": "即将到期",
    "expired": "已过期",
    "revoked": "已吊销",
}


@dataclass(frozen=True)
class Certificate:
    number: str
    valid_from: date | None
    valid_to: date | None
    revoked_on: date | None = None


def certificate_state(
    certificate: Certificate, today: date, *, warning_days: int = EXPIRY_WARNING_DAYS
) -> CertificateState:
    """What the certificate is on *today*; 即将到期 within *warning_days* of its last day."""
    if not certificate.number or certificate.valid_from is None:
        return "none"
    if certificate.revoked_on is not None and certificate.revoked_on <= today:
        return "revoked"
    if today < certificate.valid_from:
        return "not_yet_valid"
    if certificate.valid_to is not None and today > certificate.valid_to:
        return "expired"
    if certificate.valid_to is not None and certificate.valid_to - today <= timedelta(
        days=warning_days
    ):
        return "expiring"
    return "valid"


def certificate_valid_on(certificate: Certificate, day: date) -> bool:
    """Whether an officer may act under the certificate on *day* (rules 1 and 3)."""
    return certificate_state(certificate, day) in ("valid", "expiring")
