"""16 concurrent writers (half of them acts in a transaction, half standalone reads) and 2
concurrent integrators on one agency log: every act lands at one contiguous index, and the tree
equals a from-scratch recomputation."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connections, transaction
from pytest_django import Settings

from casetrail.ledger.append import append_entry, append_standalone_entry
from casetrail.ledger.checkpoints import tree_root
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.integrate import integrate, integrate_all, waiting_entry_ids
from casetrail.ledger.merkle import root_from_leaf_hashes
from casetrail.ledger.models import LedgerEntry, LedgerLeaf, LogHead
from tests.ledger.floor import floor_passed
from tests.personas import build_world

WRITERS = 16
HOLD_SECONDS = 10.0
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
    assert not LedgerEntry.objects.filter(agency=agency, leaf__isnull=True).exists()
    assert LogHead.objects.get(agency=agency).size == entries
    assert entries >= WRITERS * ACTS

    by_id = dict(LedgerEntry.objects.filter(agency=agency).values_list("pk", "leaf_hash"))
    ordered = [bytes.fromhex(by_id[entry]) for _, entry in leaves]
    assert tree_root(agency.pk, entries) == root_from_leaf_hashes(ordered, ledger_hash())


@pytest.mark.django_db(transaction=True)
def test_an_act_that_commits_late_is_placed_not_skipped() -> None:
    """An act's transaction writes its entry first and commits after later acts were placed
    (on PostgreSQL its transaction id is below theirs): the integrator must not move its floor
    past it, and places it once it commits. On SQLite writers take turns, so the late act
    waits for the lock instead, and is placed all the same."""
    world = build_world()
    agency = world.lc
    integrate_all(agency.pk)
    written, release = threading.Event(), threading.Event()
    late: list[int] = []
    late_txid: list[int] = []

    def slow_act() -> None:
        with transaction.atomic():
            entry = append_entry(agency=agency, action="test.slow", actor=None, facts={})
            late.append(entry.pk)
            if connections["default"].vendor == "postgresql":
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT txid FROM ledger_ledgerentry WHERE id = %s", [entry.pk])
                    row = cursor.fetchone()
                    assert row is not None
                    late_txid.append(int(row[0]))
            written.set()
            release.wait(timeout=30)

    def quick_acts() -> None:
        if connections["default"].vendor == "postgresql":
            assert written.wait(timeout=30)
        for n in range(3):
            append_standalone_entry(agency=agency, action="test.quick", actor=None, facts={"n": n})
        integrate_all(agency.pk)
        if connections["default"].vendor == "postgresql":
            # The slow act is still open: its entry is invisible, and the floor stays below it.
            [entry_id] = late
            assert not LedgerLeaf.objects.filter(entry_id=entry_id).exists()
            assert LogHead.objects.get(agency=agency).floor <= late_txid[0]
            assert LedgerLeaf.objects.filter(agency=agency, entry__action="test.quick").count() == 3
        release.set()

    assert run_threads([slow_act, quick_acts]) == []
    integrate_all(agency.pk)

    [entry_id] = late
    assert LedgerLeaf.objects.filter(entry_id=entry_id).exists()
    floor_passed(agency)  # and the floor passes it, once no older transaction runs
    entries = LedgerEntry.objects.filter(agency=agency).count()
    indexes = sorted(LedgerLeaf.objects.filter(agency=agency).values_list("index", flat=True))
    assert indexes == list(range(entries))
    assert not LedgerEntry.objects.filter(agency=agency, leaf__isnull=True).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_act_does_not_wait_for_another_integrator(settings: Settings) -> None:
    """While another integrator holds the log head, an act's after-commit integration returns
    at once and leaves its entry waiting; the next integration places it."""
    settings.CASETRAIL_INTEGRATE_ON_COMMIT = True
    world = build_world()
    agency = world.lc
    integrate_all(agency.pk)
    locked, release = threading.Event(), threading.Event()
    took: list[float] = []
    appended: list[int] = []

    def other_integrator() -> None:
        with transaction.atomic():
            LogHead.objects.select_for_update().get(agency=agency)
            locked.set()
            release.wait(timeout=HOLD_SECONDS)

    def act() -> None:
        assert locked.wait(timeout=30)
        began = time.monotonic()
        appended.append(
            append_standalone_entry(agency=agency, action="file.read", actor=None, facts={})
        )
        with transaction.atomic():
            appended.append(append_entry(agency=agency, action="test.act", actor=None).pk)
        took.append(time.monotonic() - began)
        release.set()

    assert run_threads([other_integrator, act]) == []

    [seconds] = took
    assert seconds < HOLD_SECONDS / 2  # waiting for the lock would have taken HOLD_SECONDS
    assert waiting_entry_ids(agency.pk, appended) == set(appended)
    assert integrate_all(agency.pk) == 2
    # Placed: each has its leaf. (Whether the floor has passed them depends on every other
    # transaction of the server, another test's included: see `waiting_entry_ids`.)
    assert not LedgerEntry.objects.filter(pk__in=appended, leaf__isnull=True).exists()
