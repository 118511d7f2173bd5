"""`casetrail verify`: the auditor's proof that no record was forged, altered or destroyed.

Seed A art. 15 and Seed B art. 30(4)(5) forbid forging, altering, deleting or destroying an
enforcement record (不得伪造、删改、销毁行政执法记录); DESIGN invariant 3 makes the ledger commit to
everything so that this can be checked. `verify` recomputes, from the database and the off-site
folder only:

- every entry's leaf hash from its payload bytes, and its payload against its columns
  (`verify_entries.py`);
- every leaf position, stored subtree hash and tree head of every agency (`verify_log.py`,
  `verify_tree.py`);
- every row an entry committed to, against the digest it committed to (`verify_rows.py`);
- every checkpoint's signature, its off-site copy and its RFC 3161 token, and each signed head
  against the tree recomputed at its size (`verify_checkpoints.py`). All heads are recomputed
  from the same leaves, so heads that all match are consistent with each other too: no
  consistency proof between successive checkpoints is needed on top;
- with `--files`, every stored file, through the checks registered in `FILE_CHECKS`.

It reads one consistent snapshot (on PostgreSQL a REPEATABLE READ, READ ONLY transaction; on
SQLite one transaction, during which writers wait) and writes nothing. It streams rows as
tuples, one agency at a time (about 50 bytes of memory an entry), while a helper thread reads
the next rows ahead on the same connection.

Findings name *what* was changed: the table, the row id and the leaf index (`ledger_index`).
A finding about a leaf names the leaf row (`ledger_ledgerleaf` and its id; the detail names its
entry), about a stored hash its position (as the id in `ledger_ledgerhash`), about a domain row
that row and the leaf of the entry that committed to it. Kinds (stable; the JSON output carries
them):

entries
  ``entry_forged``            an entry whose tag is not HMAC(entry key, its leaf hash): the entry
                              or its hash written without the application's entry key
                              (`entry_tags.py`);
                              the integrator never places one. Checked only where the key file
                              is (`CASETRAIL_ENTRY_KEY_FILE`); without it the report's `notes`
                              say that tags were not checked
  ``entry_altered``           payload does not hash to its leaf_hash, or disagrees with the
                              entry's columns (agency, case, action, actor, at), or is malformed
  ``entry_deleted``           a leaf points at an entry that no longer exists
  ``entry_unintegrated``      an entry with no leaf below the log head's floor: the integrator
                              passed it, so its leaf was cut off
  ``entry_integrated_twice``  one entry at two leaves
rows
  ``row_altered``             a row no longer matches the digest its (first for insert-only, else
                              latest) ledger entry committed to; names that entry's leaf
  ``row_deleted``             a row an entry committed to is gone
  ``row_unledgered``          a row of a ``rows`` table (`ledgered_models`) that no entry
                              records: inserted behind the ledger's back
log structure
  ``log_head_missing``        an agency without its LogHead row
  ``agency_missing``          entries, leaves or stored hashes of an agency that does not exist
                              (the agency row deleted, or rows forged with an invented agency):
                              one finding per table and agency, naming its first row
  ``log_truncated``           a signed checkpoint covers more leaves than the log now has
  ``leaf_missing``            an index in 0..size-1 with no leaf
  ``leaf_extra``              a leaf outside 0..size-1, or a second leaf at one index
  ``leaf_mismatch``           the tree recorded another hash at this leaf than its entry's (the
                              leaf was re-pointed, or the entry rewritten with its hash), or the
                              leaf points at another agency's entry
  ``leaf_reordered``          the tree recorded at this leaf the entry now found at another one
  ``stored_hash_mismatch``    a stored subtree hash that its (matching) children do not produce
  ``stored_hash_missing``     a stored subtree hash that should exist and does not
  ``stored_hash_extra``       stored hashes beyond the tree's size
checkpoints
  ``checkpoint_signature_invalid``  a checkpoint row's note does not verify with the agency key
  ``checkpoint_row_mismatch``       a checkpoint row's size or root disagrees with its own note
  ``checkpoint_mismatch``           history rewritten: the tree at a checkpoint's size no longer
                                    gives the signed root (bounded by the last one that does)
  ``checkpoint_missing``            an off-site copy whose checkpoint row is gone
  ``offsite_signature_invalid``     an off-site copy that does not verify (or cannot be read)
  ``offsite_mismatch``              an off-site copy the tree no longer matches, or whose name
                                    and content disagree
  ``offsite_missing``               a checkpoint row whose off-site copy is gone (with an
                                    off-site folder configured)
  ``timestamp_invalid``             an RFC 3161 token (row or off-site copy) that is not a
                                    genuine stamp of its note: other data, another nonce, a
                                    genTime off the publication time, a signature or chain
                                    that fails against CASETRAIL_TSA_CERTS, a changed byte, or
                                    row and off-site copies that differ (`timestamp_verify.py`)
  ``public_key_replaced``           the local key file differs from the auditor's copy
                                    (`--keys`); table ``key_file``, id its path
coverage (`verify_coverage.py`)
  ``no_checkpoint``                 an agency with leaves but no surviving signed checkpoint
  ``unsigned_leaves``               leaves above the newest surviving signed size, the oldest
                                    older than CASETRAIL_CHECKPOINT_SECONDS plus
                                    CASETRAIL_UNSIGNED_GRACE_SECONDS
files
  whatever the checks registered in `FILE_CHECKS` report.

A rewritten history is reported once per copy (database, off-site): at the first checkpoint it
no longer matches, with the later ones counted in the detail; its `ledger_index` is the first
leaf that may have changed (the size of the last checkpoint that still matches), so the change
lies between it and that checkpoint's size. `log_truncated` names the first checkpoint beyond
the log, and as `ledger_index` the first leaf cut off. Checking signatures needs the agency's
key file (CASETRAIL_KEY_DIR, or the auditor's `--keys DIR`); without it verify cannot run
(exit 2). An auditor's own copies of the keys and of the off-site notes (`--keys`,
`--checkpoints`) take precedence over the local ones (`verify_sources.py`); the report says
which were trusted, and gives per agency the size of its log and the newest signed size.
Checking who signed a
timestamp token needs the TSA's trust anchors (CASETRAIL_TSA_CERTS); without them tokens are
only read, and counted as ``timestamps_unchained``, not as verified.

Entries waiting for the integrator (recorded, at no leaf yet, at or above the floor) are counted,
not reported: an act becomes provable once a published checkpoint covers it. Leaves no
checkpoint covers yet are reported only once older than the publishing interval plus the grace
period (`verify_coverage.py`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, models, transaction
from django.db.models import Count, Max, Min

from casetrail.ledger.checkpoints import AgencyLog
from casetrail.ledger.config import ledger_hash
from casetrail.ledger.coverage import Check, models_checked
from casetrail.ledger.entry_tags import EntryKeyError, entry_key_path, existing_entry_key
from casetrail.ledger.models import LedgerEntry, LedgerHash, LedgerLeaf, LogHead
from casetrail.ledger.subjects import agency_rows
from casetrail.ledger.timestamp_verify import token_verifier
from casetrail.ledger.verify_checkpoints import compare_heads, load_heads
from casetrail.ledger.verify_coverage import LogStatus, check_coverage
from casetrail.ledger.verify_entries import RecordRef
from casetrail.ledger.verify_findings import (
    AGENCY_MISSING,
    HEAD_TABLE,
    LOG_HEAD_MISSING,
    Finding,
    VerifyError,
)
from casetrail.ledger.verify_log import LogPass
from casetrail.ledger.verify_rows import check_referenced_rows, check_unledgered, decisive_refs
from casetrail.ledger.verify_sources import Sources

__all__ = [
    "FILE_CHECKS",
    "FileCheck",
    "FileScan",
    "Finding",
    "Report",
    "VerifyError",
    "ledgered_models",
    "verify",
]


def ledgered_models() -> list[type[models.Model]]:
    """Tables every row of which some ledger entry must record (else `row_unledgered`): the
    models whose coverage is ``rows`` (`ledger/coverage.py`), insert-only and mutable alike.

    Their ``members`` (a calendar year's days, a backup run's copies, a user's group links) are
    inside their digests; the ledger's own tables are checked structurally.
    """
    return models_checked(Check.ROWS)


@dataclass
class FileScan:
    """What a file check may return: its findings, and how many files it re-hashed."""

    findings: list[Finding]
    files_checked: int

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)


FileCheck = Callable[[], Iterable[Finding]]
FILE_CHECKS: list[FileCheck] = []
"""Checks run by `--files`; the file store appends its own (e.g. re-hashing every blob).

A check returns its findings; if it returns a `FileScan`, its `files_checked` is counted.
"""


@dataclass
class Report:
    """What verify found, and how much it checked; `pending` entries are no problem."""

    findings: list[Finding] = field(default_factory=list)
    entries_checked: int = 0
    leaves_checked: int = 0
    checkpoints_checked: int = 0
    offsite_checked: int = 0
    files_checked: int = 0
    pending: int = 0
    tags_checked: int = 0
    notes: list[str] = field(default_factory=list)
    """What this run could not check, said so that nobody reads it as proven."""
    logs: list[LogStatus] = field(default_factory=list)
    trusted: dict[str, str] = field(default_factory=lambda: Sources().trusted())
    timestamps_verified: int = 0
    timestamps_unchained: int = 0

    def ok(self) -> bool:
        return not self.findings

    def all_notes(self) -> list[str]:
        """What the checks could not prove, though nothing was found (not findings)."""
        if not self.timestamps_unchained:
            return list(self.notes)
        return [
            *self.notes,
            f"未配置 CASETRAIL_TSA_CERTS：{self.timestamps_unchained} 个 RFC 3161 时间戳令牌"
            "只核对了所盖摘要、随机数与时间，其签名与证书链未经核验 "
            "(no TSA trust anchors configured: these tokens were read, not verified)",
        ]

    def counts(self) -> dict[str, int]:
        return {
            "entries_checked": self.entries_checked,
            "leaves_checked": self.leaves_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "offsite_checked": self.offsite_checked,
            "files_checked": self.files_checked,
            "pending": self.pending,
            "tags_checked": self.tags_checked,
            "timestamps_verified": self.timestamps_verified,
            "timestamps_unchained": self.timestamps_unchained,
        }


def verify(
    *,
    agency_codes: Sequence[str] | None = None,
    files: bool = False,
    progress: Callable[[str], None] | None = None,
    sources: Sources | None = None,
) -> Report:
    """Verify the logs of the given agencies (codes or short names; default: all).

    *sources* names the auditor's own copies of the keys and checkpoints, if any. Raises
    VerifyError when it cannot run; tampering is reported, never raised.
    """
    say = progress or (lambda _line: None)
    try:
        with _snapshot(), _without_cycle_collection():
            return _verify(agency_codes, files, say, sources or Sources())
    except DatabaseError as error:
        raise VerifyError(f"数据库无法读取 (the database could not be read): {error}") from error


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction for the whole check; its own snapshot unless a caller's is open."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if connection.vendor == "postgresql":
            # Times are read as text (`verify_entries.py`); ISO is the format they are parsed in.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL DateStyle = 'ISO'")
        yield


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while streaming millions of rows.

    Each row is a fresh tuple that the collector would scan again and again although none
    forms a cycle; pausing it saves about a quarter of the time. Memory is still freed by
    reference counting, and the collector runs again as soon as verification ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _select(agency_codes: Sequence[str] | None) -> list[AgencyLog]:
    found = agency_rows()  # the domain's directory of agencies, read in this snapshot
    if agency_codes is None:
        return [AgencyLog(pk, code) for pk, code, _ in found]
    wanted = set(agency_codes)
    unknown = wanted - {code for _, code, _ in found} - {short for _, _, short in found}
    if unknown:
        raise VerifyError(f"agency: 没有代码或简称为 {', '.join(sorted(unknown))} 的执法机关")
    return [AgencyLog(pk, code) for pk, code, short in found if code in wanted or short in wanted]


def _verify(
    agency_codes: Sequence[str] | None, files: bool, say: Callable[[str], None], sources: Sources
) -> Report:
    logs = _select(agency_codes)
    ids = [log.agency_id for log in logs]
    report = Report(trusted=sources.trusted())
    h = ledger_hash()
    key = _entry_key(report)
    refs: list[RecordRef] = []
    heads = dict(LogHead.objects.filter(agency_id__in=ids).values_list("agency_id", "size"))
    stamps = token_verifier()
    for log in logs:
        say(f"{log.origin}: 核验账本 (verifying the log)")
        size = heads.get(log.agency_id)
        if size is None:
            size = _size_without_head(log, report.findings)
        signed = load_heads(log, report.findings, stamps, sources)
        result = LogPass(log.agency_id, size, signed.sizes(), h, report.findings, say, key=key).run(
            log.origin
        )
        refs.extend(result.refs)
        compare_heads(log, signed, result, report.findings, sources)
        report.logs.append(check_coverage(log, signed, result.size, report.findings))
        report.entries_checked += result.entries
        report.leaves_checked += result.leaves
        report.pending += result.pending
        report.tags_checked += result.tags_checked
        report.checkpoints_checked += signed.rows
        report.offsite_checked += len(signed.files)
    report.timestamps_verified = stamps.verified
    report.timestamps_unchained = stamps.unchained
    if agency_codes is None:
        _check_unknown_agencies(ids, report.findings)
    say("核验条目记录的数据行 (rows the entries committed to)")
    chosen = decisive_refs(refs)
    check_referenced_rows(chosen, report.findings)
    check_unledgered(
        ledgered_models(), chosen, ids if agency_codes is not None else None, report.findings
    )
    if files:
        _check_files(report, say)
    return report


def _entry_key(report: Report) -> bytes | None:
    """The application's entry key, if this machine holds it; else a note that tags go
    unchecked (an outside auditor's copy proves the rest, not that the app wrote each entry)."""
    try:
        key = existing_entry_key()
    except (OSError, EntryKeyError) as error:
        raise VerifyError(f"条目密钥无法读取 (the entry key could not be read): {error}") from error
    if key is None:
        report.notes.append(
            f"未找到条目密钥 {entry_key_path()}，未核验条目标签：无法证明每个条目由本系统写入 "
            "(no entry key: entry tags not checked, so entries written without the "
            "application's key are not detected; set CASETRAIL_ENTRY_KEY_FILE)"
        )
    return key


def _check_unknown_agencies(agency_ids: Sequence[int], findings: list[Finding]) -> None:
    """Ledger rows of no agency: the per-agency passes never see them.

    The ledger's agency references carry no database constraint (`ledger/models.py`), so a row
    with an invented agency can be inserted, and an agency row deleted, without dropping one.
    """
    for model in (LedgerEntry, LedgerLeaf, LedgerHash):
        rows = (
            model.objects.exclude(agency_id__in=agency_ids)
            .order_by("agency_id")
            .values_list("agency_id")
            .annotate(n=Count("id"), first=Min("id"), last=Max("id"))
        )
        for agency_id, n, first, last in rows:
            span = f"row {first}" if n == 1 else f"{n} rows, ids {first}..{last}"
            findings.append(
                Finding(
                    AGENCY_MISSING,
                    model._meta.db_table,
                    first,
                    None,
                    f"{span} of agency {agency_id}, which does not exist: the agency row was "
                    "deleted, or the rows were inserted behind the ledger's back",
                )
            )


def _size_without_head(log: AgencyLog, findings: list[Finding]) -> int:
    last = LedgerLeaf.objects.filter(agency_id=log.agency_id).order_by("-index").first()
    size = last.index + 1 if last is not None else 0
    findings.append(
        Finding(
            LOG_HEAD_MISSING,
            HEAD_TABLE,
            log.agency_id,
            None,
            f"{log.origin}: the log head row is missing; checking the {size} leaves found",
        )
    )
    return size


def _check_files(report: Report, say: Callable[[str], None]) -> None:
    say(f"核验存储的文件 (stored files): {len(FILE_CHECKS)} 项检查")
    for check in FILE_CHECKS:
        try:
            result = check()
            report.findings.extend(result)
        except OSError as error:
            detail = f"存储的文件无法读取 (the stored files could not be read): {error}"
            raise VerifyError(detail) from error
        if isinstance(result, FileScan):
            report.files_checked += result.files_checked
