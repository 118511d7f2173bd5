"""Waiting for the integrator's floor, as the worker's next rounds would."""

from __future__ import annotations

import time

from casetrail.cases.models import Agency
from casetrail.ledger.integrate import integrate_all, waiting_entry_ids
from casetrail.ledger.models import LedgerEntry


def floor_passed(agency: Agency, timeout: float = 120.0) -> None:
    """Integrate until the agency's floor has passed all its entries, as it has in production
    once the acts are older than every running transaction. On PostgreSQL the floor moves to
    the snapshot's xmin, which any transaction of the server holds back, another test's (under
    xdist) included: wait for it, as the worker's next rounds would. Only for tests that commit
    (``transaction=True``): a test's own transaction would hold the floor back for good."""
    entry_ids = list(LedgerEntry.objects.filter(agency=agency).values_list("id", flat=True))
    deadline = time.monotonic() + timeout
    while waiting_entry_ids(agency.pk, entry_ids):
        assert time.monotonic() < deadline, f"the floor of {agency.code} did not pass its entries"
        time.sleep(0.05)
        integrate_all(agency.pk)
