"""`casetrail verify`, part 3: signed checkpoints, their off-site copies and their timestamps.

A checkpoint binds a tree size to a root hash under the agency's signature. The database copy
can be rewritten by whoever controls the database; the off-site copy and the RFC 3161 token
cannot, which is what catches a history rewritten with every hash recomputed. Each signed head
is compared with the root recomputed from the leaves at its size; since every root comes from
the same leaf sequence, heads that all match are also consistent with each other (each earlier
tree is a prefix of each later one), so no separate consistency proof is needed.
Seed A art. 15; Seed B art. 30(4)(5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from casetrail.ledger.checkpoints import OFFSITE_NAME, AgencyLog
from casetrail.ledger.models import Checkpoint
from casetrail.ledger.note import Checkpoint as CheckpointBody
from casetrail.ledger.note import NoteError, Verifier, open_note, parse_checkpoint
from casetrail.ledger.timestamp_verify import (
    Expected,
    TokenVerifier,
    check_offsite_token,
    check_token,
)
from casetrail.ledger.verify_findings import (
    CHECKPOINT_MISMATCH,
    CHECKPOINT_MISSING,
    CHECKPOINT_ROW_MISMATCH,
    CHECKPOINT_SIGNATURE_INVALID,
    CHECKPOINT_TABLE,
    LOG_TRUNCATED,
    OFFSITE_MISMATCH,
    OFFSITE_MISSING,
    OFFSITE_SIGNATURE_INVALID,
    Finding,
    short,
)
from casetrail.ledger.verify_log import LogResult
from casetrail.ledger.verify_sources import Sources, agency_verifier

LOCAL_COPIES = Sources()


@dataclass(frozen=True)
class SignedHead:
    """A tree head as one copy states it; only a *valid* (signed, readable) one is trusted."""

    where: str
    checkpoint_id: int | None
    size: int
    root: bytes
    valid: bool


@dataclass
class Heads:
    """The signed heads of one agency: database rows and off-site copies."""

    database: list[SignedHead] = field(default_factory=list)
    offsite: list[SignedHead] = field(default_factory=list)
    rows_by_size: dict[int, int] = field(default_factory=dict)
    files: list[tuple[int, Path]] = field(default_factory=list)
    rows: int = 0

    def sizes(self) -> set[int]:
        return {head.size for head in (*self.database, *self.offsite)}


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _offsite_files(log: AgencyLog, sources: Sources) -> list[tuple[int, Path]]:
    folder = sources.offsite_folder(log)
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = OFFSITE_NAME.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _text_of(note: str) -> str:
    """The text a note signs (everything before its signature block), signed or not."""
    split = note.rfind("\n\n")
    return note[: split + 1] if split >= 0 else note


def _open(note: str, key: Verifier) -> tuple[str, str | None]:
    """The note's text, and why its signature does not verify (None if it does)."""
    try:
        text, _signers = open_note(note, [key])
    except NoteError as error:
        return _text_of(note), str(error)
    return text, None


def _body(text: str) -> CheckpointBody | None:
    try:
        return parse_checkpoint(text)
    except NoteError:
        return None


def load_heads(
    log: AgencyLog,
    findings: list[Finding],
    stamps: TokenVerifier,
    sources: Sources = LOCAL_COPIES,
) -> Heads:
    """Read and check the signature of every checkpoint of *log*, in the database and off-site.

    The key and the off-site notes are read from *sources* (the auditor's copies, if given).
    Their RFC 3161 tokens are checked (and counted) by *stamps* (`timestamp_verify.py`).
    """
    heads = Heads(files=_offsite_files(log, sources))
    rows = list(
        Checkpoint.objects.filter(agency_id=log.agency_id)
        .order_by("size", "id")
        .values_list(
            "id",
            "size",
            "root_hash",
            "note",
            "published_at",
            "timestamp_token",
            "timestamp_nonce",
            "timestamp_url",
        )
    )
    heads.rows = len(rows)
    if not rows and not heads.files:
        return heads
    key = agency_verifier(log, sources, findings)
    signed_at: dict[int, str] = {}
    expected: dict[int, tuple[Expected, bytes | None]] = {}
    for checkpoint_id, size, root_hex, note, published_at, token, nonce, tsa_url in rows:
        heads.rows_by_size.setdefault(size, checkpoint_id)
        signed_at.setdefault(size, _when(published_at))
        where = f"checkpoint #{checkpoint_id} (size {size}, signed at {_when(published_at)})"
        text, invalid = _open(note, key)
        if invalid is not None:
            findings.append(
                Finding(
                    CHECKPOINT_SIGNATURE_INVALID,
                    CHECKPOINT_TABLE,
                    checkpoint_id,
                    None,
                    f"{where}: its signature does not verify with the agency's key: {invalid}",
                )
            )
        body = _body(text)
        problems = _row_problems(body, log, size, root_hex)
        if problems:
            findings.append(
                Finding(
                    CHECKPOINT_ROW_MISMATCH,
                    CHECKPOINT_TABLE,
                    checkpoint_id,
                    None,
                    f"{where}: the row disagrees with its signed note ({problems})",
                )
            )
        stamp = Expected(note, nonce, published_at, tsa_url)
        expected.setdefault(size, (stamp, bytes(token) if token else None))
        check_token(log, stamps, (checkpoint_id, where), token, stamp, findings)
        if body is not None:
            heads.database.append(
                SignedHead(where, checkpoint_id, body.size, body.root_hash, invalid is None)
            )
    for size, path in heads.files:
        row_id = heads.rows_by_size.get(size)
        where = f"the off-site copy {path}"
        if row_id is not None:
            where += f" of checkpoint #{row_id} (signed at {signed_at[size]})"
        head = _offsite_head(log, key, (size, path, where), row_id, findings)
        check_offsite_token(
            log, stamps, (row_id, f"{where} (size {size})", path), expected.get(size), findings
        )
        if head is not None:
            heads.offsite.append(head)
    return heads


def _row_problems(body: CheckpointBody | None, log: AgencyLog, size: int, root_hex: str) -> str:
    if body is None:
        return "the note has no readable checkpoint body"
    problems = []
    if body.origin != log.origin:
        problems.append(f"origin {body.origin!r}, want {log.origin!r}")
    if body.size != size:
        problems.append(f"note size {body.size}, row size {size}")
    if body.root_hash.hex() != root_hex:
        problems.append(f"note root {short(body.root_hash)}, row root {short(root_hex)}")
    return "; ".join(problems)


def _offsite_head(
    log: AgencyLog,
    key: Verifier,
    copy: tuple[int, Path, str],
    checkpoint_id: int | None,
    findings: list[Finding],
) -> SignedHead | None:
    size, path, where = copy
    try:
        note = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        findings.append(
            Finding(
                OFFSITE_SIGNATURE_INVALID,
                CHECKPOINT_TABLE,
                checkpoint_id,
                None,
                f"{where}: cannot be read ({error})",
            )
        )
        return None
    text, invalid = _open(note, key)
    if invalid is not None:
        findings.append(
            Finding(
                OFFSITE_SIGNATURE_INVALID,
                CHECKPOINT_TABLE,
                checkpoint_id,
                None,
                f"{where} (size {size}): its signature does not verify with the agency's key: "
                f"{invalid}",
            )
        )
    body = _body(text)
    if body is None or body.origin != log.origin or body.size != size:
        said = "no readable checkpoint" if body is None else f"{body.origin} at size {body.size}"
        findings.append(
            Finding(
                OFFSITE_MISMATCH,
                CHECKPOINT_TABLE,
                checkpoint_id,
                None,
                f"{where}: its name says {log.origin} at size {size}, its note says {said}",
            )
        )
    if body is None:
        return None
    return SignedHead(where, checkpoint_id, body.size, body.root_hash, invalid is None)


def compare_heads(
    log: AgencyLog,
    heads: Heads,
    result: LogResult,
    findings: list[Finding],
    sources: Sources = LOCAL_COPIES,
) -> None:
    """Compare every validly signed head with the tree recomputed from the leaves."""
    _truncation(log, heads, result, findings)
    _history(heads.database, result, findings, CHECKPOINT_MISMATCH)
    _history(heads.offsite, result, findings, OFFSITE_MISMATCH)
    _pairing(log, heads, findings, sources)


def _truncation(log: AgencyLog, heads: Heads, result: LogResult, findings: list[Finding]) -> None:
    beyond = sorted(
        (h for h in (*heads.database, *heads.offsite) if h.valid and h.size > result.size),
        key=lambda h: (h.size, h.checkpoint_id is None),
    )
    if not beyond:
        return
    first, last = beyond[0], beyond[-1]
    more = f"; {len(beyond) - 1} more signed copies go up to size {last.size}" if beyond[1:] else ""
    findings.append(
        Finding(
            LOG_TRUNCATED,
            CHECKPOINT_TABLE,
            first.checkpoint_id,
            result.size,
            f"the log of {log.origin} has {result.size} leaves, but {first.where} covers "
            f"{first.size}: leaves {result.size}..{first.size - 1} were cut off{more}",
        )
    )


def _history(
    signed: Sequence[SignedHead],
    result: LogResult,
    findings: list[Finding],
    kind: str,
) -> None:
    """Report the first signed head the tree no longer matches, bounded by the last that does."""
    matched: list[SignedHead] = []
    mismatched: list[SignedHead] = []
    for head in sorted(signed, key=lambda h: h.size):
        root = result.roots.get(head.size)
        if not head.valid or head.size > result.computable or root is None:
            continue
        (matched if root == head.root else mismatched).append(head)
    if not mismatched:
        return
    first = mismatched[0]
    bound = max((h.size for h in matched if h.size < first.size), default=0)
    earlier = [h for h in matched if h.size == bound]
    since = (
        f"the last earlier checkpoint that still matches is size {bound} ({earlier[-1].where})"
        if earlier
        else "no earlier checkpoint still matches"
    )
    later = mismatched[1:]
    more = (
        f"; {len(later)} later signed copies no longer match either (sizes "
        f"{later[0].size}..{later[-1].size})"
        if later
        else ""
    )
    findings.append(
        Finding(
            kind,
            CHECKPOINT_TABLE,
            first.checkpoint_id,
            bound,
            f"history rewritten: the tree at size {first.size} no longer matches {first.where} "
            f"(signed root {short(first.root)}, recomputed {short(result.roots[first.size])}); "
            f"{since}, so the change lies in leaves {bound}..{first.size - 1}{more}",
        )
    )


def _pairing(log: AgencyLog, heads: Heads, findings: list[Finding], sources: Sources) -> None:
    """Each database checkpoint has its off-site copy, and each off-site copy its row.

    An auditor's copy (`--checkpoints`) was taken at some moment: checkpoints published after
    its newest note are not expected in it.
    """
    on_file = {size for size, _path in heads.files}
    expected_up_to = max(on_file, default=-1) if sources.checkpoints is not None else None
    for size, checkpoint_id in sorted(heads.rows_by_size.items()):
        path = sources.offsite_path(log, size)
        if expected_up_to is not None and size > expected_up_to:
            continue
        if path is not None and size not in on_file:
            findings.append(
                Finding(
                    OFFSITE_MISSING,
                    CHECKPOINT_TABLE,
                    checkpoint_id,
                    None,
                    f"checkpoint #{checkpoint_id} (size {size}) has no off-site copy at "
                    f"{path}: it was removed, or never written",
                )
            )
    for size, path in heads.files:
        if size not in heads.rows_by_size:
            findings.append(
                Finding(
                    CHECKPOINT_MISSING,
                    CHECKPOINT_TABLE,
                    None,
                    None,
                    f"the off-site copy {path} (size {size}) has no checkpoint row in the "
                    "database: the row was deleted",
                )
            )
