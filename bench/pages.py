"""Page benchmark (issue 24): server time and queries of the main pages as cases pile up.

Run ``.venv/bin/python bench/pages.py --quick`` (2,000 cases in 4 agencies) or without it
(1,000,000 cases in 120 agencies; hours on the project machine); ``--cases N`` and
``--agencies A`` override. See bench/README.md. The last line of standard output is one JSON
object with every figure.

What runs, on PostgreSQL (``--database`` or CASETRAIL_DATABASE_URL's server, in a database of
its own named ``casetrail_bench_pages``: dropped and recreated, dropped again at the end):

1. ``migrate``; the agencies and their people (two officers, a reviewer, a head, a supervisor
   each) through the real actions.
2. The **sample**: ``--sample`` cases (default 100) of the measured agency opened through
   ``do_open_case`` (handlers: its two officers), every other one's filing approved by the
   reviewer and the head through ``do_decide_filing``; ``verify`` of that agency must report
   nothing. The **baseline** is every page measured now, at the sample's size.
3. The **bulk**: the sample's rows (case, party, handler, approvals) copied by ``bulk_create``
   under new numbers, dates and agencies until there are N cases; each copied row is checked to
   have the same shape (the same columns filled) as the row it copies. Each copy also gets the
   ledger entries and deadline rows its acts would have written (``bulk_copies.py``); ``verify``
   of the second agency (copies only) must report nothing, and the deadline rows of 50 of its
   cases, recomputed from their rows, must be the rows written.
4. Each page, for the officer, the head and the supervisor of the measured agency: ``--requests``
   GETs through Django's test client (server time: the client call, in process), p50 and p95,
   and the queries of one request (an execute wrapper); then ``EXPLAIN`` of each query of
   each page, naming every sequential scan of the case or document tables.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bulk_copies import Templates, check_copies, copy_row, entries_of, obligations_of  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE = "casetrail_bench_pages"
FULL_CASES, QUICK_CASES = 1_000_000, 2_000
FULL_AGENCIES, QUICK_AGENCIES = 120, 4
BATCH = 5_000
PASSWORD = "bench-pages-2026"
SCANNED_TABLES = ("cases_case", "cases_document")
# The time a page may take in all before its requests stop (at least 3 are made).
PAGE_BUDGET_S = 8.0


def bench_url(server: str, name: str = DATABASE) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def recreate_database(url: str, *, create: bool) -> None:
    """Drop the bench database (forcibly: it is ours) and, if *create*, make it anew."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing database {name!r}: its name must contain 'bench'")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure_environment(url: str, data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "casetrail.settings"
    os.environ["CASETRAIL_DATABASE_URL"] = url
    os.environ.pop("CASETRAIL_MIGRATE_DATABASE_URL", None)
    os.environ["CASETRAIL_DATA_DIR"] = str(data_dir)
    os.environ["CASETRAIL_INTEGRATE_ON_COMMIT"] = "0"
    os.environ["CASETRAIL_DEBUG"] = "0"
    os.environ["CASETRAIL_TSA_URL"] = ""
    os.environ["CASETRAIL_OFFSITE_DIR"] = str(data_dir / "offsite")
    os.environ.pop("CASETRAIL_KEY_DIR", None)


# --- the world, through the actions ----------------------------------------------------------


def build_agencies(count: int) -> list[dict[str, Any]]:
    from casetrail.cases.actions.accounts import do_create_user
    from casetrail.cases.actions.setup import (
        do_create_agency,
        do_grant_role,
        do_register_officer,
    )

    today = datetime.now(UTC).date()
    people = ("officer", "officer2", "reviewer", "head", "supervisor")
    agencies = []
    for n in range(count):
        agency = do_create_agency(
            acting_user=None,
            name=f"基准测试第{n}统计局",
            short_name=f"基{n}",
            code=f"bench-{n}",
            profile_key="luanchuan-2020" if n % 2 == 0 else "xinglongtai-2019",
        )
        row: dict[str, Any] = {"agency": agency}
        for who in people:
            user = do_create_user(
                acting_user=None, username=f"{who}-{n}", name=f"{who}{n}", password=PASSWORD
            )
            officer = do_register_officer(
                acting_user=None,
                agency=agency,
                user=user,
                name=f"{who}{n}",
                certificate_number="" if who == "supervisor" else f"B{n}-{who}",
                certificate_valid_from=None if who == "supervisor" else today - timedelta(365),
                certificate_valid_to=None if who == "supervisor" else today + timedelta(365),
            )
            role = "officer" if who.startswith("officer") else who
            do_grant_role(acting_user=None, officer=officer, agency=agency, role=role)
            row[who] = officer
        agencies.append(row)
    return agencies


def build_sample(people: dict[str, Any], size: int) -> list[Any]:
    from casetrail.cases.actions.start import PartyInput, do_decide_filing, do_open_case

    cases = []
    for n in range(size):
        party = PartyInput(
            kind="organisation",
            name=f"样本{n}号矿业有限公司",
            uscc="91410324MA3K2L5P55",
            legal_representative="刘某",
            address="栾川县城关镇某路18号",
        )
        case = do_open_case(
            acting_user=people["officer"].user,
            agency=people["agency"],
            start_type="ex_officio",
            procedure="ordinary",
            cause="提供不真实统计资料",
            parties=[party],
            co_handlers=[people["officer2"]],
            opinion="建议立案。",
        )
        if n % 2 == 0:
            steps: tuple[tuple[Literal["reviewer", "approver"], str], ...] = (
                ("reviewer", "reviewer"),
                ("approver", "head"),
            )
            for step, who in steps:
                do_decide_filing(
                    acting_user=people[who].user,
                    case=case,
                    step=step,
                    decision="approve",
                    opinion="同意。",
                )
            case.refresh_from_db()
        cases.append(case)
    return cases


def verify_sample(code: str) -> int:
    from casetrail.cases.models import Agency
    from casetrail.ledger.integrate import integrate_all
    from casetrail.ledger.verify import verify

    for agency_id in Agency.objects.values_list("pk", flat=True):
        integrate_all(agency_id)
    report = verify(agency_codes=[code])
    if not report.ok() or report.findings:
        shown = "; ".join(str(f) for f in list(report.findings)[:5])
        raise RuntimeError(f"verify of the sample found {len(report.findings)}: {shown}")
    return report.entries_checked


# --- the bulk: copies of the sample's rows ----------------------------------------------------


def _shape(row: Any) -> frozenset[str]:
    """The columns a row fills (what a copy must fill alike)."""
    return frozenset(
        f.attname for f in row._meta.concrete_fields if getattr(row, f.attname) not in (None, "")
    )


def bulk_cases(
    sample: list[Any], agencies: list[dict[str, Any]], total: int, progress: Callable[[str], None]
) -> None:
    """Copies of the sample until *total* cases, spread over the agencies and three years."""
    from casetrail.cases.models import Approval, Case, CaseHandler, Party
    from casetrail.cases.obligations import Obligation
    from casetrail.ledger.models import LedgerEntry

    sources = Templates(sample, agencies[0])
    parties = {p.case_id: p for p in Party.objects.filter(case__in=sample)}
    handlers: dict[int, list[Any]] = {}
    for h in CaseHandler.objects.filter(case__in=sample).order_by("pk"):
        handlers.setdefault(h.case_id, []).append(h)
    approvals: dict[int, list[Any]] = {}
    for a in Approval.objects.filter(case__in=sample).order_by("pk"):
        approvals.setdefault(a.case_id, []).append(a)
    made = Case.objects.count()
    now = datetime.now(UTC)
    span = timedelta(days=3 * 365)
    seq = {a["agency"].pk: 1_000_000 for a in agencies}
    checked = False
    while made < total:
        batch = min(BATCH, total - made)
        cases, templates = [], []
        for n in range(batch):
            # Each agency in turn, each going through every sample case in turn.
            people = agencies[(made + n) % len(agencies)]
            template = sample[(made + n) // len(agencies) % len(sample)]
            agency = people["agency"]
            seq[agency.pk] += 1
            opened_at = now - span * ((made + n) * 7919 % total) / total - timedelta(hours=1)
            year = opened_at.year
            cases.append(
                copy_row(
                    template,
                    agency_id=agency.pk,
                    case_number=f"{agency.short_name}立〔{year}〕{seq[agency.pk]}号",
                    year=year,
                    seq=seq[agency.pk],
                    opened_by_id=people["officer"].pk,
                    opened_at=opened_at,
                    filed_at=(
                        opened_at + (template.filed_at - template.opened_at)
                        if template.filed_at
                        else None
                    ),
                )
            )
            templates.append((template, people))
        Case.objects.bulk_create(cases)
        rows: dict[Any, list[Any]] = {Party: [], CaseHandler: [], Approval: []}
        pairs: list[tuple[Any, Any]] = []
        copied: list[dict[tuple[str, int], Any]] = []  # per case: the copy of each sample row
        for case, (template, people) in zip(cases, templates, strict=True):
            copies: dict[tuple[str, int], Any] = {}
            copied.append(copies)
            party = copy_row(
                parties[template.pk],
                case_id=case.pk,
                name=f"第{case.pk}号矿业有限公司",
                recorded_at=case.opened_at,
            )
            rows[Party].append(party)
            pairs.append((party, parties[template.pk]))
            copies[("cases_party", parties[template.pk].pk)] = party
            officers = {
                handlers[template.pk][0].officer_id: people["officer"],
                handlers[template.pk][1].officer_id: people["officer2"],
            }
            for h in handlers[template.pk]:
                officer = officers[h.officer_id]
                copy = copy_row(
                    h,
                    case_id=case.pk,
                    officer_id=officer.pk,
                    officer_name=officer.name,
                    certificate_number=officer.certificate_number,
                    assigned_at=case.opened_at,
                )
                rows[CaseHandler].append(copy)
                pairs.append((copy, h))
                copies[("cases_casehandler", h.pk)] = copy
            signers = {"officer": people["officer"], "reviewer": people["reviewer"]}
            signers["head"] = people["head"]
            for a in approvals.get(template.pk, []):
                officer = signers[a.role]
                copy = copy_row(
                    a,
                    case_id=case.pk,
                    officer_id=officer.pk,
                    officer_name=officer.name,
                    acted_at=case.opened_at + (a.acted_at - template.opened_at),
                )
                rows[Approval].append(copy)
                pairs.append((copy, a))
                copies[("cases_approval", a.pk)] = copy
        for model, batch_rows in rows.items():
            model.objects.bulk_create(batch_rows)
        written: dict[Any, list[Any]] = {LedgerEntry: [], Obligation: []}
        for case, (template, people), copies in zip(cases, templates, copied, strict=True):
            written[LedgerEntry] += entries_of(sources, template, case, copies, people)
            signed = [row for row in copies.values() if isinstance(row, Approval)]
            party = copies[("cases_party", parties[template.pk].pk)]
            written[Obligation] += obligations_of(sources, template, case, party, signed)
        for model, batch_rows in written.items():
            model.objects.bulk_create(batch_rows)
        if not checked:
            for copy, original in pairs + list(zip(cases, [t for t, _ in templates], strict=True)):
                if _shape(copy) != _shape(original):
                    raise RuntimeError(f"{type(copy).__name__}: copy and original differ in shape")
            checked = True
        made += batch
        progress(f"  {made:,} cases")


# --- measuring --------------------------------------------------------------------------------


def page_urls(people: dict[str, Any], sample: list[Any]) -> dict[str, tuple[str, dict[str, str]]]:
    target = sample[len(sample) // 2]
    return {
        "home": ("/", {}),
        "home_agency": ("/", {"scope": "agency"}),
        "search_number": ("/", {"scope": "agency", "q": target.case_number}),
        "search_party": ("/", {"scope": "agency", "q": "样本1号"}),
        "approvals": ("/approvals/", {}),
        "deadlines": ("/deadlines/", {}),
        "case": (f"/cases/{target.pk}/", {}),
    }


def clients(people: dict[str, Any]) -> dict[str, Any]:
    from django.test import Client

    made = {}
    for role in ("officer", "head", "supervisor"):
        client = Client()
        client.force_login(people[role].user)
        made[role] = client
    return made


def measure(
    people: dict[str, Any], sample: list[Any], requests: int, explain: bool
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    from django.db import connection

    figures: dict[str, dict[str, Any]] = {}
    scans: list[str] = []
    for role, client in clients(people).items():
        for page, (url, params) in page_urls(people, sample).items():
            first = client.get(url, params)
            if first.status_code == 404 and page == "approvals":
                continue  # the inbox is for reviewers and heads
            if first.status_code != 200:
                raise RuntimeError(f"{page} for the {role}: HTTP {first.status_code}")
            captured: list[tuple[str, Any, float]] = []

            def record(
                execute: Any,
                sql: str,
                params: Any,
                many: bool,
                context: Any,
                log: list[tuple[str, Any, float]] = captured,
            ) -> Any:
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    log.append((sql, params, (time.perf_counter() - start) * 1000))

            # A wrapper, not CaptureQueriesContext: each request's start clears the query log.
            with connection.execute_wrapper(record):
                start = time.perf_counter()
                client.get(url, params)
                watched_ms = (time.perf_counter() - start) * 1000
            slowest = max(captured, key=lambda q: q[2], default=("", None, 0.0))
            again[f"{page}_{role}"] = functools.partial(client.get, url, params)
            times = []
            began = time.perf_counter()
            for _ in range(requests):
                start = time.perf_counter()
                client.get(url, params)
                times.append((time.perf_counter() - start) * 1000)
                if len(times) >= 3 and time.perf_counter() - began > PAGE_BUDGET_S:
                    break
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            figures[f"{page}_{role}"] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
                "queries": len(captured),
                "requests": len(times),
                "watched_ms": round(watched_ms, 1),
                "sql_ms": round(sum(q[2] for q in captured), 1),
                "slowest_query_ms": round(slowest[2], 1),
                "slowest_query": slowest[0][:300],
                "kb": round(len(first.content) / 1024, 1),
            }
            if explain:
                scans += seq_scans(f"{page}_{role}", [(q[0], q[1]) for q in captured])
    return figures, scans


# The request of each page_role of the last `measure`, to profile the slowest one again.
again: dict[str, Callable[[], Any]] = {}


def where_the_time_goes(figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The slowest page (by p95): its one watched request split into SQL (the execute
    wrapper's clock) and the rest, its slowest query, and a profile of one more request."""
    key = max(figures, key=lambda k: figures[k]["p95_ms"])
    page = figures[key]
    print(f"\nslowest page: {key}, p95 {page['p95_ms']} ms, p50 {page['p50_ms']} ms")
    print(
        f"  one request, its queries watched: {page['watched_ms']} ms, of which SQL"
        f" {page['sql_ms']} ms in {page['queries']} queries; slowest query"
        f" {page['slowest_query_ms']} ms: {page['slowest_query'][:200]}…"
    )
    profiler = cProfile.Profile()
    profiler.runcall(again[key])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print("  profile of one more request (cumulative):")
    print("\n".join("    " + line for line in out.getvalue().splitlines() if line.strip()))
    return {
        "slowest_page": key,
        "slowest_page_sql_ms": page["sql_ms"],
        "slowest_page_watched_ms": page["watched_ms"],
    }


def seq_scans(label: str, statements: list[tuple[str, Any]]) -> list[str]:
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        for statement, params in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + statement, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in SCANNED_TABLES:
                if f"Seq Scan on {table}" in plan:
                    found.append(f"{label}: Seq Scan on {table} in {statement[:160]}…")
    return found


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    began = time.perf_counter()
    print(f"{name} …", flush=True)
    yield
    print(f"{name}: {time.perf_counter() - began:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cases", type=int)
    parser.add_argument("--agencies", type=int)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database", help="a PostgreSQL URL of the server (its database is ours)")
    parser.add_argument(
        "--db-name", default=DATABASE, help="the bench's own database (dropped), with 'bench'"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database at the end (to EXPLAIN by hand)"
    )
    args = parser.parse_args()
    total = args.cases or (QUICK_CASES if args.quick else FULL_CASES)
    agency_count = args.agencies or (QUICK_AGENCIES if args.quick else FULL_AGENCIES)
    server = args.database or os.environ.get("CASETRAIL_DATABASE_URL") or DEFAULT_SERVER
    url = bench_url(server, args.db_name)
    load_start = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load_start:.2f}", flush=True)
    recreate_database(url, create=True)
    data_dir = Path(tempfile.mkdtemp(prefix="casetrail-bench-pages-"))
    configure_environment(url, data_dir)
    began = time.perf_counter()
    try:
        result = run(args, total, agency_count, load_start)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(url, create=False)
    result["wall_s"] = round(time.perf_counter() - began, 1)
    print(json.dumps(result, ensure_ascii=False))


def run(args: argparse.Namespace, total: int, agency_count: int, load: float) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings

    # The people's passwords are never checked (the clients log in by session), so hash them
    # as the tests do rather than spend seconds of key stretching on each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, as in the tests (no DEBUG)

    with phase("migrate"):
        call_command("migrate", verbosity=0)
    with phase(f"{agency_count} agencies and their people (actions)"):
        agencies = build_agencies(agency_count)
    people = agencies[0]
    with phase(f"sample: {args.sample} cases (actions)"):
        sample = build_sample(people, args.sample)
    with phase("verify the sample's agency"):
        entries = verify_sample(people["agency"].code)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with phase("baseline pages"):
        baseline, _ = measure(people, sample, args.requests, explain=False)
    with phase(f"bulk: {total:,} cases"):
        bulk_cases(sample, agencies, total, lambda line: print(line, flush=True))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    checked: dict[str, int] = {}
    if agency_count > 1:
        with phase("check the copies: verify an agency of copies, recompute deadline rows"):
            checked = check_copies(agencies[1]["agency"])
    with phase("pages"):
        figures, scans = measure(people, sample, args.requests, explain=True)
    print(f"\nload average (1 min) now: {os.getloadavg()[0]:.2f}")
    print(f"{'page_role':28} {'baseline p50/p95 ms (queries)':>32} {f'{total:,} cases':>32}")
    result: dict[str, Any] = {"cases": total, "agencies": agency_count, "sample": args.sample}
    for key, now in figures.items():
        base = baseline.get(key, {})
        print(
            f"{key:28} {base.get('p50_ms', 0):>10} / {base.get('p95_ms', 0):>8}"
            f" ({base.get('queries', 0):>4}) {now['p50_ms']:>12} / {now['p95_ms']:>8}"
            f" ({now['queries']:>4}) {now['kb']} KB"
        )
        result[f"{key}_p95_ms"] = now["p95_ms"]
        result[f"{key}_p50_ms"] = now["p50_ms"]
        result[f"{key}_queries"] = now["queries"]
        result[f"{key}_baseline_p95_ms"] = base.get("p95_ms")
        result[f"{key}_baseline_queries"] = base.get("queries")
    result.update(where_the_time_goes(figures))
    print("\nsequential scans of the case or document tables:")
    for line in scans or ["  none"]:
        print(" ", line)
    result["seq_scans"] = len(scans)
    result["sample_entries_verified"] = entries
    result.update(checked)
    result["load_avg_1m_start"] = round(load, 2)
    return result


if __name__ == "__main__":
    main()
