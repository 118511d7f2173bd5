"""16 concurrent writers (half of them acts in a transaction, half standalone reads) and 2
concurrent integrators on one agency log: every act lands at one contiguous index, and the tree
equals a from-scratch recomputation."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections, transaction

from casetrail.ledger.append import append_entry, append_standalone_entry
from casetrail.ledger.checkpoints import tree_root
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.integrate import integrate, integrate_all
from casetrail.ledger.merkle import root_from_leaf_hashes
from casetrail.ledger.models import LedgerEntry, LedgerLeaf, LogHead, PendingEntry
from tests.personas import build_world

WRITERS = 16
ACTS = 15


def run_threads(targets: list[Callable[[], None]]) -> list[Exception]:
    errors: list[Exception] = []
    barrier = threading.Barrier(len(targets))

    def wrapped(target: Callable[[], None]) -> None:
        try:
            barrier.wait()
            target()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrapped, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_integrators_build_one_contiguous_tree() -> None:
    world = build_world()
    agency = world.lc
    done = threading.Event()

    def writer() -> None:
        for act in range(ACTS):
            with transaction.atomic():
                append_entry(agency=agency, action="test.act", actor=None, facts={"n": act})

    def reader() -> None:
        """Reads are acts of one entry, each committed by itself (autocommit on PostgreSQL)."""
        for act in range(ACTS):
            append_standalone_entry(agency=agency, action="file.read", actor=None, facts={"n": act})

    def integrator() -> None:
        while not done.is_set():
            integrate(agency.pk, batch=7)

    writers = [writer, reader] * (WRITERS // 2)

    def all_writers() -> None:
        assert run_threads(writers) == []
        done.set()

    errors = run_threads([all_writers, integrator, integrator])
    assert errors == []
    integrate_all(agency.pk)

    entries = LedgerEntry.objects.filter(agency=agency).count()
    leaves = list(
        LedgerLeaf.objects.filter(agency=agency).order_by("index").values_list("index", "entry_id")
    )
    assert [index for index, _ in leaves] == list(range(entries))
    assert len({entry for _, entry in leaves}) == entries
    assert not PendingEntry.objects.filter(agency=agency).exists()
    assert LogHead.objects.get(agency=agency).size == entries
    assert entries >= WRITERS * ACTS

    by_id = dict(LedgerEntry.objects.filter(agency=agency).values_list("pk", "leaf_hash"))
    ordered = [bytes.fromhex(by_id[entry]) for _, entry in leaves]
    assert tree_root(agency.pk, entries) == root_from_leaf_hashes(ordered, ledger_hash())
