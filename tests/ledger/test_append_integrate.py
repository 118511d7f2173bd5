"""The fast paths of the ledger write the same rows as the ORM, and the integrator returns.

On PostgreSQL `append_entry` writes the entry and its outbox row in one statement and the
integrator writes a batch with `unnest`; on SQLite both go through the ORM. Either way the rows
must be those that `verify` accepts. `integrate_all` must return under a steady stream of
writers instead of chasing them one entry at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, reset_queries, transaction
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries, Settings

from casetrail.ledger import integrate as integrate_module
from casetrail.ledger import proofs
from casetrail.ledger.append import append_entry, append_standalone_entry
from casetrail.ledger.checkpoints import AgencyLog, publish, tree_root
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.integrate import integrate_all, waiting_entry_ids
from casetrail.ledger.merkle import (
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from casetrail.ledger.models import (
    InsertOnlyError,
    LedgerEntry,
    LedgerLeaf,
    LogHead,
)
from tests.ledger.test_verify import run_verify
from tests.personas import World, build_world, open_case

COLUMNS = ("agency_id", "case_id", "action", "actor_id", "recorded_at", "payload", "leaf_hash")


@pytest.fixture(autouse=True)
def ledger_dirs(settings: Settings, tmp_path: Path) -> Path:
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    settings.CASETRAIL_OFFSITE_DIR = tmp_path / "offsite"
    settings.CASETRAIL_TSA_URL = ""
    return tmp_path


def log_of(world: World) -> AgencyLog:
    return AgencyLog(world.lc.pk, world.lc.code)


def append(world: World, n: int, **extra: Any) -> LedgerEntry:
    with transaction.atomic():
        return append_entry(agency=world.lc, action="test.act", actor=None, facts={"n": n}, **extra)


def check_log(agency_id: int) -> None:
    """Every entry placed once, at contiguous indexes, and the stored tree is the reference."""
    entries = LedgerEntry.objects.filter(agency_id=agency_id).count()
    leaves = list(
        LedgerLeaf.objects.filter(agency_id=agency_id)
        .order_by("index")
        .values_list("index", "entry__leaf_hash")
    )
    assert [index for index, _ in leaves] == list(range(entries))
    assert LogHead.objects.get(agency_id=agency_id).size == entries
    assert not LedgerEntry.objects.filter(agency_id=agency_id, leaf__isnull=True).exists()
    hashes = [bytes.fromhex(value) for _, value in leaves]
    assert tree_root(agency_id, entries) == root_from_leaf_hashes(hashes, ledger_hash())


def test_append_writes_the_rows_the_orm_writes(world: World) -> None:
    case = open_case(world)
    with transaction.atomic():
        entry = append_entry(
            agency=world.lc,
            action="case.view",
            actor=world.li.user,
            case=case,
            facts={"说明": "查看案卷"},
        )

    assert not entry._state.adding
    with pytest.raises(InsertOnlyError):
        entry.save()
    stored = LedgerEntry.objects.values(*COLUMNS).get(pk=entry.pk)
    assert stored == {column: getattr(entry, column) for column in COLUMNS}
    assert not LedgerLeaf.objects.filter(entry_id=entry.pk).exists()
    assert waiting_entry_ids(world.lc.pk, [entry.pk]) == {entry.pk}

    # The same values through the ORM give the same row.
    twin = LedgerEntry(**{column: getattr(entry, column) for column in COLUMNS})
    twin.save()
    assert LedgerEntry.objects.values(*COLUMNS).get(pk=twin.pk) == stored


def test_appended_and_integrated_entries_pass_verify(world: World) -> None:
    open_case(world)
    for n in range(7):
        append(world, n)
    assert publish(log_of(world)) is not None
    check_log(world.lc.pk)
    code, document = run_verify()
    assert code == 0, document["findings"]


def test_integrate_all_returns_under_a_steady_writer(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer commits an entry before every `integrate` call: `integrate_all` must stop
    after the first batch that was not full, not chase it."""
    real_integrate = integrate_module.integrate
    calls = 0

    def writer_then_integrate(agency_id: int, *, batch: int, wait: bool = True) -> int:
        nonlocal calls
        calls += 1
        if calls > 20:
            raise AssertionError("integrate_all keeps chasing the writer")
        append(world, calls)
        return real_integrate(agency_id, batch=batch, wait=wait)

    monkeypatch.setattr(integrate_module, "integrate", writer_then_integrate)
    placed = integrate_all(world.lc.pk)

    assert calls == 1
    assert placed == LedgerEntry.objects.filter(agency=world.lc).count()


def test_integrate_all_takes_every_batch_pending_when_called(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    integrate_all(world.lc.pk)
    monkeypatch.setattr(integrate_module, "BATCH", 3)
    for n in range(10):
        append(world, n)

    assert integrate_all(world.lc.pk) == 10
    check_log(world.lc.pk)
    assert integrate_all(world.lc.pk) == 0


def test_proofs_cost_two_queries_and_verify(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(12):
        append(world, n)
    checkpoint = publish(log_of(world))
    assert checkpoint is not None
    size = checkpoint.size

    with django_assert_num_queries(2):
        inclusion = proofs.inclusion(log_of(world), 5)
    verify_inclusion(
        bytes.fromhex(inclusion["leaf_hash"]),
        5,
        size,
        [bytes.fromhex(node) for node in inclusion["proof"]],
        bytes.fromhex(checkpoint.root_hash),
        ledger_hash(),
    )
    leaf = LedgerLeaf.objects.select_related("entry").get(agency=world.lc, index=5)
    assert inclusion["leaf_hash"] == leaf.entry.leaf_hash
    assert inclusion["checkpoint"] == checkpoint.note

    with django_assert_num_queries(2):
        consistency = proofs.consistency(log_of(world), 3, size)
    assert consistency["first_root"] == tree_root(world.lc.pk, 3).hex()
    assert consistency["second_root"] == checkpoint.root_hash
    verify_consistency(
        3,
        size,
        [bytes.fromhex(node) for node in consistency["proof"]],
        bytes.fromhex(consistency["first_root"]),
        bytes.fromhex(consistency["second_root"]),
        ledger_hash(),
    )


def test_proofs_refuse_what_does_not_exist(world: World) -> None:
    with pytest.raises(proofs.ProofRequestError, match="no checkpoint"):
        proofs.inclusion(log_of(world), 0)
    checkpoint = publish(log_of(world))
    assert checkpoint is not None
    with pytest.raises(proofs.ProofRequestError, match="not in the checkpoint"):
        proofs.inclusion(log_of(world), checkpoint.size)
    with pytest.raises(proofs.ProofRequestError, match="no checkpoint at size"):
        proofs.inclusion(log_of(world), 0, checkpoint.size + 1)
    assert proofs.inclusion(log_of(world), 0, checkpoint.size)["tree_size"] == checkpoint.size
    with pytest.raises(proofs.ProofRequestError, match="need 0 < m <= n"):
        proofs.consistency(log_of(world), 0, checkpoint.size)
    with pytest.raises(proofs.ProofRequestError, match="need 0 < m <= n"):
        proofs.consistency(log_of(world), 1, checkpoint.size + 1)


# --- entries that are the whole act (reads of protected material) ---------------------------


@pytest.mark.django_db(transaction=True)
def test_a_standalone_entry_commits_by_itself(settings: Settings) -> None:
    """Outside a transaction the entry is committed when the call returns (one autocommit
    statement on PostgreSQL), with the same columns `append_entry` writes, waiting to be placed."""
    settings.CASETRAIL_INTEGRATE_ON_COMMIT = False
    world = build_world()
    case = open_case(world)

    entry_id = append_standalone_entry(
        agency=world.lc,
        action="document.read_pdf",
        actor=world.li.user,
        case=case,
        facts={"confidentiality": "secret", "说明": "下载决定书"},
    )

    assert not transaction.get_connection().in_atomic_block
    entry = LedgerEntry.objects.get(pk=entry_id)
    assert (entry.agency_id, entry.case_id, entry.actor_id, entry.action) == (
        world.lc.pk,
        case.pk,
        world.li.user.pk,
        "document.read_pdf",
    )
    payload = json.loads(entry.payload)
    assert payload["facts"] == {"confidentiality": "secret", "说明": "下载决定书"}
    assert payload["records"] == []
    assert payload["previous"] is None
    assert entry.leaf_hash == leaf_hash(entry.payload.encode("utf-8"), ledger_hash()).hex()
    assert waiting_entry_ids(world.lc.pk, [entry_id]) == {entry_id}

    integrate_all(world.lc.pk)
    check_log(world.lc.pk)
    code, document = run_verify()
    assert code == 0, document["findings"]


@pytest.mark.django_db(transaction=True)
def test_a_standalone_entry_inside_an_act_rolls_back_with_it() -> None:
    world = build_world()
    before = LedgerEntry.objects.count()

    def failing_act() -> None:
        with transaction.atomic():
            append_standalone_entry(agency=world.lc, action="file.read", actor=None, facts={})
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError, match="the act failed"):
        failing_act()

    assert LedgerEntry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_failed_standalone_entry_raises_django_errors_and_writes_nothing() -> None:
    """Errors come back as Django's (the statement bypasses Django's cursor, not its error
    translation), and the connection is usable afterwards."""
    world = build_world()
    before = LedgerEntry.objects.count()
    ghost = User(pk=world.zhang.user.pk + 10_000, username="ghost")  # no such user

    with pytest.raises(IntegrityError):
        append_standalone_entry(agency=world.lc, action="file.read", actor=ghost, facts={})

    assert LedgerEntry.objects.count() == before
    assert append_standalone_entry(agency=world.lc, action="file.read", actor=None) > 0


@pytest.mark.django_db(transaction=True)
def test_appends_go_on_after_django_reconnects() -> None:
    """The append keeps a cursor of the connection between calls (PostgreSQL); when Django
    closes the connection and opens a new one, the next append writes through the new one."""
    world = build_world()
    connection = transaction.get_connection()
    first = append_standalone_entry(agency=world.lc, action="file.read", actor=None)

    connection.close()
    second = append_standalone_entry(agency=world.lc, action="file.read", actor=None)
    with transaction.atomic():
        third = append_entry(agency=world.lc, action="file.read", actor=None).pk

    assert list(
        LedgerEntry.objects.filter(pk__in=[first, second, third]).values_list("pk", flat=True)
    ) == sorted([first, second, third])


def ledger_inserts(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.startswith('INSERT INTO "ledger_ledgerentry"')]


@pytest.mark.django_db(transaction=True)
def test_whoever_watches_the_queries_sees_the_ledgers_insert(settings: Settings) -> None:
    """The fast path bypasses Django's cursor; where queries are watched (assertNumQueries,
    DEBUG's query log, an execute wrapper) the INSERT goes through it, on every backend."""
    settings.CASETRAIL_INTEGRATE_ON_COMMIT = False
    world = build_world()
    connection = transaction.get_connection()

    with CaptureQueriesContext(connection) as captured:
        append_standalone_entry(agency=world.lc, action="file.read", actor=None)
        with transaction.atomic():
            append_entry(agency=world.lc, action="test.act", actor=None)
    assert len(ledger_inserts([q["sql"] for q in captured.captured_queries])) == 2

    settings.DEBUG = True
    reset_queries()
    append_standalone_entry(agency=world.lc, action="file.read", actor=None)
    assert len(ledger_inserts([q["sql"] for q in connection.queries])) == 1
    settings.DEBUG = False

    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        append_standalone_entry(agency=world.lc, action="file.read", actor=None)
    assert len(ledger_inserts(seen)) == 1
