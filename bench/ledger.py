"""Ledger benchmarks on PostgreSQL: appends, integration, full verify and proof latency.

Run ``.venv/bin/python bench/ledger.py`` (full: 1,000,000 entries) or ``--quick`` (under a
minute). Each figure is measured beside its baseline in the same run; see bench/README.md. The
last line of standard output is one JSON object with every figure.

The script drops and recreates the database named by CASETRAIL_BENCH_DATABASE_URL (its name
must contain "bench"), and drops it again at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.context import SpawnContext, SpawnProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from queue import Empty
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from casetrail.cases.models import Agency
    from casetrail.ledger.checkpoints import AgencyLog
    from casetrail.ledger.models import LedgerEntry

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casetrail_bench"
AGENCY_CODE = "bench"
ACTION = "bench.act"
BULK_BATCH = 10_000
PROOF_CALLS = 1000
PROOF_WARMUP = 50
SETUP_TIMEOUT = 180.0

# ~300 bytes of UTF-8 each: what an officer writes in a record's summary.
SUMMARIES = (
    "经查，当事人某某餐饮管理有限公司于二〇二四年三月十二日在其经营场所内销售超过保质期的食品，"
    "违反了《中华人民共和国食品安全法》第三十四条第十项的规定，执法人员当场制作现场检查笔录。",
    "执法人员二人出示执法证件，表明身份，告知当事人依法享有陈述、申辩的权利，当事人表示无异议，"
    "并在现场笔录上签名确认，现场拍摄照片六张，涉案物品已依法先行登记保存，期限七日。",
    "本机关于二〇二四年四月二日向当事人送达《行政处罚告知书》，当事人在法定期限内未提出陈述申辩，"
    "也未要求举行听证，经集体讨论决定，依法作出罚款人民币五千元、没收违法所得的行政处罚决定。",
    "当事人已于二〇二四年五月八日通过银行缴纳罚款，缴款凭证复印件附卷，本案执行完毕，"
    "承办人员提出结案意见，经法制审核机构审核、本机关负责人批准，依法予以结案并归档保存。",
)
# How a writer commits each entry, and the raw baseline committed the same way.
MODES = {
    "standalone": "standalone appends (one statement each)",
    "act": "appends in an act's transaction (BEGIN, entry, COMMIT)",
}
RAW_BASELINES = {
    "standalone": "autocommit raw INSERT",
    "act": "raw INSERT in a transaction",
    "act_atomic": "raw INSERT in Django's atomic block",
}
GENERATED_ACTIONS = ("case.open", "record.scene", "notice.serve", "decision.issue", "case.close")


def _db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin_url(url: str) -> str:
    """The same server, connected to the maintenance database ``postgres``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def recreate_database(url: str, *, create: bool) -> None:
    """Drop the bench database (forcibly: it is ours) and, if *create*, make it anew."""
    name = _db_name(url)
    with psycopg.connect(_admin_url(url), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure_environment(url: str, data_dir: Path) -> None:
    """Settings for this process and the processes it spawns; before `django.setup()`."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "casetrail.settings"
    os.environ["CASETRAIL_DATABASE_URL"] = url
    os.environ["CASETRAIL_DATA_DIR"] = str(data_dir)
    os.environ["CASETRAIL_INTEGRATE_ON_COMMIT"] = "0"
    os.environ["CASETRAIL_DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ["CASETRAIL_LEDGER_HASH"] = "sha256"  # the baselines hash with SHA-256
    os.environ["CASETRAIL_TSA_URL"] = ""  # no network: checkpoints go untimestamped
    os.environ["CASETRAIL_OFFSITE_DIR"] = str(data_dir / "offsite")
    os.environ.pop("CASETRAIL_KEY_DIR", None)


def django_setup() -> None:
    import django

    django.setup()


def facts(writer: int, seq: int) -> dict[str, Any]:
    return {"summary": SUMMARIES[seq % len(SUMMARIES)], "writer": writer, "seq": seq}


def sample_payload() -> str:
    """Canonical JSON of an entry as `append_entry` writes it: the raw baseline's row."""
    from casetrail import clock
    from casetrail.ledger.append import PAYLOAD_VERSION
    from casetrail.ledger.canonical import Json, canonical_json

    payload: Json = {
        "v": PAYLOAD_VERSION,
        "agency": 1,
        "action": ACTION,
        "actor": None,
        "at": clock.now().isoformat(),
        "case": None,
        "case_number": None,
        "facts": facts(0, 0),
        "records": [],
        "previous": None,
    }
    return canonical_json(payload).decode("utf-8")


# --- worker processes (spawned: each sets Django up itself) ---------------------------------


def append_worker(
    worker: int, mode: str, seconds: float, ready: Queue[Any], start: Event, results: Queue[Any]
) -> None:
    """One writer appending entries for *seconds*, each committed on its own.

    *mode* ``standalone``: `append_standalone_entry`, as a read of protected material is
    recorded (one autocommit statement on PostgreSQL). *mode* ``act``: ``with
    transaction.atomic(): append_entry(...)``, an act's transaction holding only its entry
    (BEGIN, the statement, COMMIT).
    """
    django_setup()
    from django.db import connection, transaction

    from casetrail.cases.models import Agency
    from casetrail.ledger.append import append_entry, append_standalone_entry

    agency = Agency.objects.get(code=AGENCY_CODE)
    ready.put(worker)
    start.wait()
    count = 0
    begin = time.perf_counter()
    deadline = begin + seconds
    if mode == "standalone":
        while time.perf_counter() < deadline:
            append_standalone_entry(
                agency=agency, action=ACTION, actor=None, facts=facts(worker, count)
            )
            count += 1
    else:
        while time.perf_counter() < deadline:
            with transaction.atomic():
                append_entry(agency=agency, action=ACTION, actor=None, facts=facts(worker, count))
            count += 1
    elapsed = time.perf_counter() - begin
    connection.close()
    results.put(("append", count, elapsed))


def raw_worker(
    worker: int,
    mode: str,
    seconds: float,
    url: str,
    payload: str,
    ready: Queue[Any],
    start: Event,
    results: Queue[Any],
) -> None:
    """The baseline writer: INSERTs of the same bytes, straight through psycopg.

    *mode* ``standalone``: autocommit, one statement per INSERT. *mode* ``act``: each INSERT in
    its own transaction (BEGIN, the INSERT, COMMIT), as an act's transaction is. *mode*
    ``act_atomic`` (for information): each INSERT in ``transaction.atomic()`` on Django's own
    connection, through its psycopg cursor, so Django's transaction machinery is common to
    this baseline and the act, and the ratio is what the ledger adds to an act.

    It runs in the same kind of process as the appending writer, Django set up and all, so the
    ratio compares the statements and not the size of the processes: eight processes of
    ~90 MiB each on two cores lose more time to cache misses than eight bare psycopg
    processes do (bench/README.md, "Where the time goes").
    """
    django_setup()
    if mode == "act_atomic":
        raw_in_atomic(worker, seconds, payload, ready, start, results)
        return
    with psycopg.connect(url, autocommit=mode == "standalone") as conn:
        ready.put(worker)
        start.wait()
        count = 0
        begin = time.perf_counter()
        deadline = begin + seconds
        while time.perf_counter() < deadline:
            conn.execute("INSERT INTO bench_raw (payload) VALUES (%s)", (payload,))
            if mode == "act":
                conn.commit()
            count += 1
        elapsed = time.perf_counter() - begin
    results.put(("raw", count, elapsed))


def raw_in_atomic(
    worker: int, seconds: float, payload: str, ready: Queue[Any], start: Event, results: Queue[Any]
) -> None:
    from django.db import connection, transaction

    connection.ensure_connection()
    cursor = connection.connection.cursor()
    ready.put(worker)
    start.wait()
    count = 0
    begin = time.perf_counter()
    deadline = begin + seconds
    while time.perf_counter() < deadline:
        with transaction.atomic():
            cursor.execute("INSERT INTO bench_raw (payload) VALUES (%s)", (payload,))
        count += 1
    elapsed = time.perf_counter() - begin
    connection.close()
    results.put(("raw", count, elapsed))


def integrator_worker(
    agency_id: int,
    interval: float,
    ready: Queue[Any],
    start: Event,
    stop: Event,
    results: Queue[Any],
) -> None:
    """What `casetrail worker` does, with a short pause: integrate the log while it grows."""
    django_setup()
    from django.db import connection

    from casetrail.ledger.integrate import integrate_all

    connection.ensure_connection()
    ready.put(-1)
    start.wait()
    placed = 0
    busy = 0.0
    begin = time.perf_counter()
    cpu = time.process_time()
    while not stop.is_set():
        started = time.perf_counter()
        placed += integrate_all(agency_id)
        busy += time.perf_counter() - started
        stop.wait(interval)
    elapsed = time.perf_counter() - begin
    cpu = time.process_time() - cpu
    connection.close()
    results.put(("integrate", placed, busy, elapsed, cpu))


# --- appends ---------------------------------------------------------------------------------


@dataclass
class Cost:
    """What a run cost per operation: WAL the server wrote, CPU the whole machine spent."""

    wal_bytes: float
    cpu_us: float | None  # None where /proc/stat cannot be read


def _machine_cpu_s() -> float | None:
    """CPU seconds all cores have spent (user, nice, system, irq, softirq) since boot."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


class CostMeter:
    """WAL bytes and machine CPU between `start` and `stop`, per operation.

    Rates swing between rounds with when the disk flushes; the work each operation costs the
    machine (writers, server backends and the integrator together) varies far less, so it is
    the figure to compare two versions of the code by. The bench owns the machine while it runs.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.lsn = ""
        self.cpu: float | None = None

    def _lsn(self) -> str:
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        return str(row[0]) if row else "0/0"

    def start(self) -> None:
        self.lsn = self._lsn()
        self.cpu = _machine_cpu_s()

    def stop(self, operations: int) -> Cost:
        cpu = _machine_cpu_s()
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", (self.lsn,)
            ).fetchone()
        wal = float(row[0]) if row else 0.0
        ops = max(operations, 1)
        spent = None if cpu is None or self.cpu is None else (cpu - self.cpu) * 1e6 / ops
        return Cost(wal_bytes=wal / ops, cpu_us=spent)


@dataclass
class AppendRun:
    writers: int
    appends_per_s: float
    raw_per_s: float
    cost: Cost
    raw_cost: Cost
    integrated_per_s: float
    integrator_busy: float
    integrator_cpu: float
    backlog_at_stop: int
    backlog_left: int
    drain_s: float
    raw_atomic_per_s: float = 0.0  # mode act: the raw INSERT in Django's atomic block

    @property
    def ratio(self) -> float:
        return self.appends_per_s / self.raw_per_s if self.raw_per_s else 0.0


def _get(queue: Queue[Any], processes: list[SpawnProcess], timeout: float) -> Any:
    """The next message, failing fast if a process died instead of sending it."""
    deadline = time.perf_counter() + timeout
    while True:
        try:
            return queue.get(timeout=0.5)
        except Empty:
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"{dead[0].name} died (exit code {dead[0].exitcode})") from None
            if time.perf_counter() > deadline:
                raise


def _wait_ready(ready: Queue[Any], processes: list[SpawnProcess]) -> None:
    for _ in processes:
        _get(ready, processes, SETUP_TIMEOUT)


def _collect(
    results: Queue[Any], processes: list[SpawnProcess], timeout: float
) -> list[tuple[Any, ...]]:
    return [tuple(_get(results, processes, timeout)) for _ in processes]


def _join(processes: list[SpawnProcess]) -> None:
    for process in processes:
        process.join(timeout=60)
        if process.exitcode != 0:
            raise RuntimeError(f"{process.name} ended with exit code {process.exitcode}")


def _rate(rows: list[tuple[Any, ...]]) -> float:
    """Operations per second of writers that ran side by side: total over the longest run."""
    return sum(int(row[1]) for row in rows) / max(float(row[2]) for row in rows)


def run_raw(
    ctx: SpawnContext, mode: str, writers: int, seconds: float, url: str, payload: str
) -> tuple[float, Cost]:
    ready: Queue[Any] = ctx.Queue()
    results: Queue[Any] = ctx.Queue()
    start = ctx.Event()
    processes = [
        ctx.Process(
            target=raw_worker,
            args=(w, mode, seconds, url, payload, ready, start, results),
            name=f"raw-{w}",
        )
        for w in range(writers)
    ]
    for process in processes:
        process.start()
    _wait_ready(ready, processes)
    meter = CostMeter(url)
    meter.start()
    start.set()
    rows = _collect(results, processes, seconds + 120)
    _join(processes)
    return _rate(rows), meter.stop(sum(int(row[1]) for row in rows))


def unplaced(agency_id: int) -> QuerySet[LedgerEntry]:
    """The agency's entries that no leaf holds yet: the integrator's backlog."""
    from casetrail.ledger.models import LedgerEntry

    return LedgerEntry.objects.filter(agency_id=agency_id, leaf__isnull=True)


def run_appends(
    ctx: SpawnContext,
    mode: str,
    agency_id: int,
    writers: int,
    seconds: float,
    interval: float,
    url: str,
) -> AppendRun:
    ready: Queue[Any] = ctx.Queue()
    results: Queue[Any] = ctx.Queue()
    integrated: Queue[Any] = ctx.Queue()
    start = ctx.Event()
    stop = ctx.Event()
    processes = [
        ctx.Process(
            target=append_worker,
            args=(w, mode, seconds, ready, start, results),
            name=f"writer-{w}",
        )
        for w in range(writers)
    ]
    integrator = ctx.Process(
        target=integrator_worker,
        args=(agency_id, interval, ready, start, stop, integrated),
        name="integrator",
    )
    for process in [*processes, integrator]:
        process.start()
    _wait_ready(ready, [*processes, integrator])
    meter = CostMeter(url)
    meter.start()
    start.set()
    rows = _collect(results, processes, seconds + 120)
    _join(processes)
    # The integrator ran alongside all along: its work so far is in the cost of the appends.
    cost = meter.stop(sum(int(row[1]) for row in rows))
    # The writers have stopped: how far behind is the integrator, and how long to catch up?
    stopped = time.perf_counter()
    backlog = unplaced(agency_id).count()
    while unplaced(agency_id).exists():
        if time.perf_counter() - stopped > 120:
            break
        time.sleep(0.01)
    drain = time.perf_counter() - stopped
    stop.set()
    (_, placed, busy, elapsed, cpu) = _collect(integrated, [integrator], 120)[0]
    _join([integrator])
    left = unplaced(agency_id).count()
    return AppendRun(
        writers=writers,
        appends_per_s=_rate(rows),
        raw_per_s=0.0,
        cost=cost,
        raw_cost=Cost(0.0, None),
        integrated_per_s=int(placed) / float(busy) if busy else 0.0,
        integrator_busy=float(busy) / float(elapsed),
        integrator_cpu=float(cpu) / float(elapsed),
        backlog_at_stop=backlog,
        backlog_left=left,
        drain_s=drain,
    )


def median_round(rounds: list[AppendRun]) -> AppendRun:
    """The round with the median ratio (the lower middle one of an even number).

    Each round runs the raw INSERT and then the appends, back to back, so a round's ratio
    compares the two under the same machine conditions; the machine's speed drifts between
    rounds far more than within one (bench/README.md).
    """
    ordered = sorted(rounds, key=lambda r: r.ratio)
    return ordered[(len(ordered) - 1) // 2]


def total_cost(rounds: list[AppendRun]) -> tuple[Cost, Cost]:
    """The mean cost per operation over all rounds, of the appends and of the raw INSERTs."""

    def mean(costs: list[Cost]) -> Cost:
        cpu = [c.cpu_us for c in costs]
        return Cost(
            wal_bytes=statistics.fmean(c.wal_bytes for c in costs),
            cpu_us=None if None in cpu else statistics.fmean(c for c in cpu if c is not None),
        )

    return mean([r.cost for r in rounds]), mean([r.raw_cost for r in rounds])


def describe_cost(cost: Cost, raw: Cost) -> str:
    text = f"per operation: WAL {cost.wal_bytes:,.0f} B vs raw {raw.wal_bytes:,.0f} B"
    if cost.cpu_us is not None and raw.cpu_us is not None:
        text += (
            f"; machine CPU {cost.cpu_us:,.0f} µs vs raw {raw.cpu_us:,.0f} µs "
            f"(raw/append {raw.cpu_us / cost.cpu_us:.2f})"
        )
    return text + " (writers, server and integrator together)"


def cost_figures(prefix: str, writers: int, cost: Cost, raw: Cost) -> dict[str, float]:
    figures = {
        f"{prefix}wal_bytes_per_op_{writers}": round(cost.wal_bytes, 1),
        f"{prefix}raw_wal_bytes_per_op_{writers}": round(raw.wal_bytes, 1),
    }
    if cost.cpu_us is not None and raw.cpu_us is not None:
        figures[f"{prefix}cpu_us_per_op_{writers}"] = round(cost.cpu_us, 1)
        figures[f"{prefix}raw_cpu_us_per_op_{writers}"] = round(raw.cpu_us, 1)
        figures[f"{prefix}cpu_ratio_{writers}"] = round(raw.cpu_us / cost.cpu_us, 3)
    return figures


def check_log(agency_id: int) -> int:
    """Integrate what is left and check leaves == entries with indexes 0..n-1; returns n."""
    from django.db.models import Count, Max, Min

    from casetrail.ledger.integrate import integrate_all
    from casetrail.ledger.models import LedgerEntry, LedgerLeaf, LogHead

    integrate_all(agency_id)
    entries = LedgerEntry.objects.filter(agency_id=agency_id).count()
    leaves = LedgerLeaf.objects.filter(agency_id=agency_id).aggregate(
        n=Count("id"), lo=Min("index"), hi=Max("index")
    )
    head = LogHead.objects.get(agency_id=agency_id).size
    pending = unplaced(agency_id).count()
    # The unique (agency, index) constraint plus count, min and max make the indexes contiguous.
    problems = []
    if pending:
        problems.append(f"{pending} entries still pending")
    if leaves["n"] != entries or head != entries:
        problems.append(f"{entries} entries, {leaves['n']} leaves, log head {head}")
    if entries and (leaves["lo"] != 0 or leaves["hi"] != entries - 1):
        problems.append(f"leaf indexes run {leaves['lo']}..{leaves['hi']}, not 0..{entries - 1}")
    if problems:
        raise RuntimeError("ledger check failed: " + "; ".join(problems))
    return entries


# --- bulk data, verify, proofs ---------------------------------------------------------------


@contextmanager
def asynchronous_commit() -> Iterator[None]:
    """Data generation only: commits do not wait for the WAL flush. Never for measured writes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO on")


def generate_entries(agency_id: int, first_seq: int, count: int) -> None:
    """*count* realistic entries, byte for byte as `append_entry` writes them, in bulk."""
    from django.db import transaction

    from casetrail import clock
    from casetrail.ledger.append import PAYLOAD_VERSION
    from casetrail.ledger.canonical import canonical_json
    from casetrail.ledger.config import ledger_hash
    from casetrail.ledger.entry_tags import entry_key, entry_tag
    from casetrail.ledger.merkle import leaf_hash
    from casetrail.ledger.models import LedgerEntry

    h = ledger_hash()
    key = entry_key()
    base = clock.now()
    with asynchronous_commit():
        end = first_seq + count
        for first in range(first_seq, end, BULK_BATCH):
            entries = []
            for seq in range(first, min(end, first + BULK_BATCH)):
                recorded_at = base + timedelta(milliseconds=seq)
                action = GENERATED_ACTIONS[seq % len(GENERATED_ACTIONS)]
                data = canonical_json(
                    {
                        "v": PAYLOAD_VERSION,
                        "agency": agency_id,
                        "action": action,
                        "actor": None,
                        "at": recorded_at.isoformat(),
                        "case": None,
                        "case_number": None,
                        "facts": facts(-1, seq),
                        "records": [],
                        "previous": None,
                    }
                )
                leaf = leaf_hash(data, h)
                entries.append(
                    LedgerEntry(
                        agency_id=agency_id,
                        action=action,
                        recorded_at=recorded_at,
                        payload=data.decode("utf-8"),
                        leaf_hash=leaf.hex(),
                        tag=entry_tag(leaf, key, h),
                    )
                )
            with transaction.atomic():
                LedgerEntry.objects.bulk_create(entries, batch_size=BULK_BATCH)


def generate_worker(agency_id: int, first_seq: int, count: int) -> None:
    django_setup()
    from django.db import connection

    generate_entries(agency_id, first_seq, count)
    connection.close()


def generate_in_parallel(ctx: SpawnContext, agency_id: int, count: int) -> None:
    """Python builds rows while PostgreSQL stores the other process's batch: one per core."""
    parts = max(1, min(os.cpu_count() or 1, 4, count // BULK_BATCH))
    share = -(-count // parts)
    processes = [
        ctx.Process(
            target=generate_worker,
            args=(agency_id, part * share, min(share, count - part * share)),
            name=f"generate-{part}",
        )
        for part in range(parts)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [p.name for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"data generation failed in {', '.join(failed)}")


def baseline_read_and_hash(agency_id: int) -> tuple[int, float]:
    """Read the same ledger rows and hash their bytes in a bare loop; (rows, seconds)."""
    from casetrail.ledger.models import LedgerEntry

    sha256 = hashlib.sha256
    rows = mismatched = 0
    begin = time.perf_counter()
    for _pk, payload, stored in (
        LedgerEntry.objects.filter(agency_id=agency_id)
        .values_list("id", "payload", "leaf_hash")
        .iterator(chunk_size=10_000)
    ):
        rows += 1
        if sha256(b"\x00" + payload.encode("utf-8")).hexdigest() != stored:
            mismatched += 1
    elapsed = time.perf_counter() - begin
    if mismatched:
        raise RuntimeError(f"baseline: {mismatched} leaf hashes do not match their payloads")
    return rows, elapsed


def latencies_ms(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds of *calls* warm calls."""
    for _ in range(PROOF_WARMUP):
        call()
    samples = []
    for _ in range(calls):
        begin = time.perf_counter()
        call()
        samples.append((time.perf_counter() - begin) * 1000)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[94]


def proof_latencies(log: AgencyLog, size: int, calls: int) -> dict[str, float]:
    from casetrail.ledger import proofs

    rng = random.Random(20240601)

    def one_inclusion() -> object:
        return proofs.inclusion(log, rng.randrange(size))

    def one_consistency() -> object:
        m, n = sorted((rng.randint(1, size), rng.randint(1, size)))
        return proofs.consistency(log, m, n)

    inclusion_p50, inclusion_p95 = latencies_ms(one_inclusion, calls)
    consistency_p50, consistency_p95 = latencies_ms(one_consistency, calls)
    return {
        "inclusion_p50_ms": inclusion_p50,
        "inclusion_p95_ms": inclusion_p95,
        "consistency_p50_ms": consistency_p50,
        "consistency_p95_ms": consistency_p95,
    }


# --- the run ---------------------------------------------------------------------------------


def say(line: str) -> None:
    print(line, flush=True)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child, in MiB (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def create_agency() -> Agency:
    from casetrail.cases.actions.setup import do_create_agency

    return do_create_agency(
        acting_user=None,
        name="基准测试行政执法局",
        short_name="基准",
        code=AGENCY_CODE,
        profile_key="luanchuan-2020",
    )


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from casetrail.ledger.checkpoints import AgencyLog, publish
    from casetrail.ledger.integrate import integrate_all
    from casetrail.ledger.models import LedgerEntry
    from casetrail.ledger.verify import verify

    figures: dict[str, Any] = {"bench": "ledger", "quick": args.quick}
    load = figures["load_avg_1m_start"] = round(os.getloadavg()[0], 2)
    if load > 0.5:
        say(f"warning: load average {load:.1f} before the run: other work shares the machine")
    call_command("migrate", verbosity=0, interactive=False)
    agency = create_agency()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (id bigserial PRIMARY KEY, payload text NOT NULL)")
        cursor.execute("SHOW server_version")
        (server_version,) = cursor.fetchone() or ("?",)
    integrate_all(agency.pk)
    payload = sample_payload()
    say(
        f"PostgreSQL {server_version}, database {_db_name(url)}; "
        f"entry payload {len(payload.encode())} bytes"
    )

    ctx = multiprocessing.get_context("spawn")
    seconds = args.append_seconds
    raw_autocommit: dict[int, float] = {}
    for mode in MODES:
        for writers in (1, 8):
            rounds: list[AppendRun] = []
            for _ in range(args.rounds):
                raw, raw_cost = run_raw(ctx, mode, writers, seconds, url, payload)
                appended = run_appends(
                    ctx, mode, agency.pk, writers, seconds, args.integrate_interval, url
                )
                appended.raw_per_s = raw
                appended.raw_cost = raw_cost
                if mode == "act":
                    appended.raw_atomic_per_s, _ = run_raw(
                        ctx, "act_atomic", writers, seconds, url, payload
                    )
                check_log(agency.pk)
                rounds.append(appended)
            run = median_round(rounds)
            ok = run.appends_per_s >= 1000 and run.ratio >= 0.5
            spread = ""
            if len(rounds) > 1:
                spread = (
                    f" (median of {len(rounds)} rounds: "
                    + ", ".join(f"{r.ratio:.2f}" for r in rounds)
                    + ")"
                )
            say(
                f"{MODES[mode]}, {writers} writer(s), {seconds:g} s: "
                f"{run.appends_per_s:,.0f}/s vs {RAW_BASELINES[mode]} {run.raw_per_s:,.0f}/s "
                f"= {run.ratio:.2f}x{spread} [target >= 1,000/s and >= 0.5x: {verdict(ok)}]"
            )
            prefix = f"{mode}_"
            if mode == "standalone":
                raw_autocommit[writers] = run.raw_per_s
            else:
                strict = run.appends_per_s / raw_autocommit[writers]
                say(
                    f"  against autocommit raw INSERT ({raw_autocommit[writers]:,.0f}/s): "
                    f"{strict:.2f}x"
                )
                figures[f"act_ratio_autocommit_{writers}"] = round(strict, 3)
                in_atomic = run.appends_per_s / run.raw_atomic_per_s
                say(
                    f"  against {RAW_BASELINES['act_atomic']} ({run.raw_atomic_per_s:,.0f}/s): "
                    f"{in_atomic:.2f}x, what the ledger adds to an act's transaction"
                )
                figures[f"act_raw_atomic_per_s_{writers}"] = round(run.raw_atomic_per_s, 1)
                figures[f"act_ratio_atomic_{writers}"] = round(in_atomic, 3)
            say(
                f"  integrator alongside (every {args.integrate_interval:g} s): "
                f"{run.integrated_per_s:,.0f} leaves/s while busy, "
                f"busy {run.integrator_busy:.0%} of the time, "
                f"{run.integrator_cpu:.0%} of a core; "
                f"backlog {max(r.backlog_at_stop for r in rounds)} when the writers stopped, "
                f"{max(r.backlog_left for r in rounds)} left after "
                f"{max(r.drain_s for r in rounds):.2f} s; "
                "log checked: leaves == entries, indexes 0..n-1"
            )
            cost, raw_cost = total_cost(rounds)
            say("  " + describe_cost(cost, raw_cost))
            figures.update(cost_figures(prefix, writers, cost, raw_cost))
            figures[f"{prefix}appends_per_s_{writers}"] = round(run.appends_per_s, 1)
            figures[f"{prefix}raw_insert_per_s_{writers}"] = round(run.raw_per_s, 1)
            figures[f"{prefix}ratio_{writers}"] = round(run.ratio, 3)
            figures[f"{prefix}ratio_rounds_{writers}"] = [round(r.ratio, 3) for r in rounds]
            figures[f"{prefix}integrator_leaves_per_s_{writers}"] = round(run.integrated_per_s, 1)
            figures[f"{prefix}integrator_cpu_{writers}"] = round(run.integrator_cpu, 2)
            figures[f"{prefix}backlog_at_stop_{writers}"] = max(r.backlog_at_stop for r in rounds)
            figures[f"{prefix}backlog_after_drain_{writers}"] = max(r.backlog_left for r in rounds)

    existing = LedgerEntry.objects.filter(agency_id=agency.pk).count()
    missing = max(0, args.entries - existing)
    begin = time.perf_counter()
    generate_in_parallel(ctx, agency.pk, missing)
    generated_s = time.perf_counter() - begin
    say(f"generated {missing:,} entries in {generated_s:.1f} s ({existing:,} were appended)")

    begin = time.perf_counter()
    placed = integrate_all(agency.pk)
    integrate_s = time.perf_counter() - begin
    size = check_log(agency.pk)
    integrate_per_s = placed / integrate_s if placed and integrate_s else None
    if integrate_per_s is None:
        say("integrate_all: nothing waiting (the appends covered the log size)")
    else:
        say(f"integrate_all: {placed:,} leaves in {integrate_s:.1f} s = {integrate_per_s:,.0f}/s")
    log = AgencyLog(agency_id=agency.pk, code=AGENCY_CODE)
    checkpoint = publish(log)
    if checkpoint is None or checkpoint.size != size:
        raise RuntimeError(f"no checkpoint published at size {size}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    # The baseline runs before and after verify (warm caches either way); the faster one counts.
    baseline_rows, first = baseline_read_and_hash(agency.pk)
    begin = time.perf_counter()
    report = verify(agency_codes=[AGENCY_CODE])
    verify_s = time.perf_counter() - begin
    _, second = baseline_read_and_hash(agency.pk)
    baseline_s = min(first, second)
    if not report.ok() or report.findings:
        shown = "; ".join(str(finding) for finding in list(report.findings)[:5])
        raise RuntimeError(f"verify found {len(report.findings)} problem(s): {shown}")
    if report.entries_checked < size or baseline_rows != size:
        raise RuntimeError(
            f"verify checked {report.entries_checked}, baseline read {baseline_rows} of {size}"
        )
    verify_per_s = report.entries_checked / verify_s
    baseline_per_s = baseline_rows / baseline_s
    verify_ratio = verify_per_s / baseline_per_s
    ok = verify_per_s >= 100_000 and verify_ratio >= 0.5
    say(
        f"verify of {report.entries_checked:,} entries: {verify_s:.1f} s = {verify_per_s:,.0f}/s "
        f"vs read+hash baseline {baseline_per_s:,.0f}/s = {verify_ratio:.2f}x, no findings "
        f"[target >= 100,000/s and >= 0.5x: {verdict(ok)}]"
    )

    proof_figures = proof_latencies(log, size, args.proof_calls)
    ok = max(proof_figures["inclusion_p50_ms"], proof_figures["consistency_p50_ms"]) <= 2.0
    say(
        f"proofs at {size:,} leaves, {args.proof_calls} warm calls each: "
        f"inclusion p50 {proof_figures['inclusion_p50_ms']:.2f} ms "
        f"(p95 {proof_figures['inclusion_p95_ms']:.2f}), "
        f"consistency p50 {proof_figures['consistency_p50_ms']:.2f} ms "
        f"(p95 {proof_figures['consistency_p95_ms']:.2f}) [target p50 <= 2 ms: {verdict(ok)}]"
    )

    figures.update(
        integrate_per_s=None if integrate_per_s is None else round(integrate_per_s, 1),
        verify_entries_per_s=round(verify_per_s, 1),
        verify_baseline_per_s=round(baseline_per_s, 1),
        verify_ratio=round(verify_ratio, 3),
        verify_s=round(verify_s, 2),
        entries=size,
        generate_s=round(generated_s, 1),
        append_seconds=seconds,
        rounds=args.rounds,
        **{key: round(value, 3) for key, value in proof_figures.items()},
    )
    return figures


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="50,000 entries, 2 s of appends")
    parser.add_argument("--entries", type=int, help="log size for verify and proofs (1,000,000)")
    parser.add_argument("--append-seconds", type=float, help="length of each append run (6)")
    parser.add_argument(
        "--rounds", type=int, help="rounds of raw INSERT then appends per figure (3; quick: 1)"
    )
    parser.add_argument(
        "--integrate-interval",
        type=float,
        default=0.2,
        help="pause of the integrator between rounds while the writers run (0.2 s)",
    )
    parser.add_argument("--proof-calls", type=int, default=PROOF_CALLS, help="calls per proof")
    args = parser.parse_args(argv)
    if args.entries is None:
        args.entries = 50_000 if args.quick else 1_000_000
    if args.append_seconds is None:
        args.append_seconds = 2.0 if args.quick else 6.0
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3
    if args.entries < 2 or args.append_seconds <= 0 or args.proof_calls < 1 or args.rounds < 1:
        parser.error(
            "--entries must be at least 2, --append-seconds, --proof-calls and --rounds positive"
        )
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    url = os.environ.get("CASETRAIL_BENCH_DATABASE_URL", DEFAULT_URL)
    if "bench" not in _db_name(url):
        raise SystemExit(
            f"refusing to drop {_db_name(url)!r}: the bench database's name has to contain 'bench'"
        )
    started = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="casetrail-bench-"))
    recreate_database(url, create=True)
    try:
        configure_environment(url, data_dir)
        django_setup()
        figures = run(args, url)
    finally:
        from django.db import connections

        if "django.apps" in sys.modules:
            connections.close_all()
        recreate_database(url, create=False)
        shutil.rmtree(data_dir, ignore_errors=True)
    own, children = peak_rss_mb()
    figures["peak_rss_mb"] = round(own, 1)
    figures["peak_rss_child_mb"] = round(children, 1)
    figures["runtime_s"] = round(time.perf_counter() - started, 1)
    say(
        f"peak RSS {own:.0f} MiB (largest child {children:.0f} MiB); "
        f"run took {figures['runtime_s']:.0f} s"
    )
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
