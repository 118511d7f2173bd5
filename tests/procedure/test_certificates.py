"""The state of a certificate on a day (rule 3), as a pure function."""

from __future__ import annotations

from datetime import date

import pytest

from casetrail.procedure.rules.certificates import (
    Certificate,
    certificate_state,
    certificate_valid_on,
)

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("certificate", "state"),
    [
        (Certificate("", None, None), "none"),
        (Certificate("豫1", date(2027, 1, 1), date(2029, 1, 1)), "not_yet_valid"),
        (Certificate("豫1", date(2025, 1, 1), date(2029, 1, 1)), "valid"),
        (Certificate("豫1", date(2025, 1, 1), date(2027, 1, 5)), "expiring"),
        (Certificate("豫1", date(2025, 1, 1), date(2027, 1, 6)), "valid"),
        (Certificate("豫1", date(2025, 1, 1), date(2026, 12, 5)), "expired"),
        (Certificate("豫1", date(2025, 1, 1), date(2029, 1, 1), date(2026, 12, 6)), "revoked"),
        (Certificate("豫1", date(2025, 1, 1), date(2029, 1, 1), date(2026, 12, 7)), "valid"),
    ],
)
def test_state_on_a_day(certificate: Certificate, state: str) -> None:
    assert certificate_state(certificate, TODAY) == state


def test_acts_before_a_revocation_keep_their_certificate() -> None:
    revoked = Certificate("豫1", date(2025, 1, 1), date(2029, 1, 1), date(2026, 12, 1))
    assert certificate_valid_on(revoked, date(2026, 11, 30))
    assert not certificate_valid_on(revoked, date(2026, 12, 1))
