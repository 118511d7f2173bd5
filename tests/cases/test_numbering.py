"""Case numbers are gapless and unique per agency and year, even under concurrent openings."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from casetrail import clock
from casetrail.cases.models import Case
from casetrail.ledger.integrate import integrate_all
from casetrail.ledger.models import LedgerEntry, LedgerLeaf
from tests.personas import build_world, open_case

WRITERS = 8
PER_WRITER = 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_get_gapless_unique_numbers() -> None:
    """GIVEN 8 threads, each with its own database connection, opening cases at once
    THEN the numbers are exactly 1..24, the ledger indexes are contiguous, nothing failed."""
    world = build_world()
    barrier = threading.Barrier(WRITERS)
    errors: list[Exception] = []

    def writer() -> None:
        try:
            barrier.wait()
            for _ in range(PER_WRITER):
                open_case(world)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = sorted(Case.objects.filter(agency=world.lc).values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * PER_WRITER + 1))
    year = clock.today().year
    numbers = set(Case.objects.values_list("case_number", flat=True))
    assert numbers == {f"栾统立〔{year}〕{n}号" for n in seqs}
    integrate_all(world.lc.pk)
    indexes = list(
        LedgerLeaf.objects.filter(agency=world.lc).order_by("index").values_list("index", flat=True)
    )
    assert indexes == list(range(LedgerEntry.objects.filter(agency=world.lc).count()))
