"""Publishing: a signed checkpoint per agency, copied off-site and timestamped.

The checkpoint is a C2SP tlog-checkpoint signed note (Ed25519). Its copy in the off-site folder
and its RFC 3161 timestamp are what a database administrator cannot rewrite: a history rewritten
in the database no longer matches them (`casetrail verify`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import signal
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from casetrail import clock
from casetrail.ledger import tree
from casetrail.ledger.config import (
    key_path,
    ledger_hash,
    log_origin,
    offsite_dir,
    public_key_path,
)
from casetrail.ledger.integrate import DbHashStore, forged_leaf_entries, integrate_all
from casetrail.ledger.models import Checkpoint, LogHead
from casetrail.ledger.note import Checkpoint as CheckpointBody
from casetrail.ledger.note import (
    NoteError,
    Signer,
    Verifier,
    format_checkpoint,
    load_or_create_signer,
    open_note,
    parse_checkpoint,
    sign_note,
)
from casetrail.ledger.timestamp import TimestampError, new_nonce, request_timestamp

log = logging.getLogger(__name__)

OFFSITE_NAME = re.compile(r"checkpoint-([0-9]{12})\.txt")
"""An off-site note's file name: the tree size it signs, zero-padded to 12 digits."""


@dataclass(frozen=True)
class AgencyLog:
    """What identifies one agency's log: its database id and its code."""

    agency_id: int
    code: str

    @property
    def origin(self) -> str:
        return log_origin(self.code)


def signer(agency: AgencyLog) -> Signer:
    """The agency's signing key, created on first use in the key folder (mode 0600).

    Its public key is exported beside it as `<code>.pub`, so an auditor can verify with a key
    folder that holds only public keys.
    """
    path = key_path(agency.code)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = load_or_create_signer(path, agency.origin)
    public = public_key_path(agency.code)
    if not public.exists():
        _write_once(public, (key.verifier().key_string() + "\n").encode("ascii"))
    return key


def verifier(agency: AgencyLog) -> Verifier:
    """The agency's public key: the exported `.pub` if present, else from the signing key."""
    public = public_key_path(agency.code)
    if public.is_file():
        return Verifier.from_key_string(public.read_text(encoding="ascii").strip())
    return signer(agency).verifier()


def latest_checkpoint(agency_id: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(agency_id=agency_id).order_by("-size").first()


def tree_root(agency_id: int, size: int) -> bytes:
    return tree.tree_hash(size, DbHashStore(agency_id), ledger_hash())


PUBLISH_STEPS = ("signed", "timestamped", "inserted", "note_copied", "token_copied")
"""The steps of a publication, in order; each is durable before the next one starts."""


def publish(agency: AgencyLog, *, force: bool = False) -> Checkpoint | None:
    """Integrate what is pending and publish a checkpoint if the tree grew (or *force*).

    Nothing is signed over a leaf whose entry's tag the entry key did not make (a leaf written
    past the integrator): that is logged as an error, and None returned.
    Crash-atomic: sign, timestamp, insert the row (committed), then copy the note off-site and
    then its token. A crash before the insert leaves nothing behind (the next round publishes
    again); a crash after it leaves a row whose copy the next round completes
    (`complete_publication`). An off-site copy therefore never exists without its row —
    provided the caller holds no transaction open around this call, as the worker does not.
    """
    integrate_all(agency.agency_id)
    size = LogHead.objects.get(agency_id=agency.agency_id).size
    latest = latest_checkpoint(agency.agency_id)
    if latest is not None and latest.size == size and not force:
        return None
    if latest is not None and latest.size == size:
        return latest
    forged = forged_leaf_entries(agency.agency_id, latest.size if latest else 0, size)
    if forged:  # leaves written past the integrator: sign nothing over them
        log.error(
            "%s: no checkpoint: entries %s are at leaves of the tree but their tags are not the "
            "entry key's (placed without the application); run casetrail verify",
            agency.origin,
            forged[:10],
        )
        return None
    root = tree_root(agency.agency_id, size)
    note = sign_note(format_checkpoint(CheckpointBody(agency.origin, size, root)), signer(agency))
    _crash_point("signed")
    token, nonce = _timestamp(note)
    _crash_point("timestamped")
    paths = offsite_paths(agency, size)
    with transaction.atomic():
        checkpoint = Checkpoint(
            agency_id=agency.agency_id,
            size=size,
            root_hash=root.hex(),
            note=note,
            published_at=clock.now(),
            timestamp_token=token,
            timestamp_nonce=nonce if token else None,
            timestamp_url=settings.CASETRAIL_TSA_URL if token else "",
            offsite_copy=str(paths[0]) if paths else "",
        )
        checkpoint.save()
    _crash_point("inserted")
    _copy_offsite(agency, checkpoint)
    return checkpoint


def complete_publication(agency: AgencyLog) -> Checkpoint | None:
    """Copy off-site what a crashed publication left only in the database; return that row.

    Only the newest checkpoint is completed, and only if no newer off-site copy exists: a crash
    can interrupt only the publication in progress, while an older copy that is missing was
    removed, which `casetrail verify` must go on reporting (`offsite_missing`). It is copied
    only if its note verifies with the agency's key and states the row's size, so a row forged
    in the database is never published off-site.
    """
    folder = offsite_dir()
    newest = latest_checkpoint(agency.agency_id)
    if folder is None or newest is None:
        return None
    if max(_offsite_sizes(folder / agency.code), default=-1) > newest.size:
        return None
    paths = offsite_paths(agency, newest.size)
    assert paths is not None
    note_path, token_path = paths
    if note_path.exists() and (not newest.timestamp_token or token_path.exists()):
        return None
    try:
        text, _signers = open_note(newest.note, [verifier(agency)])
        signed_size = parse_checkpoint(text).size
    except NoteError:
        log.warning("%s: %s does not verify; not copied off-site", agency.origin, newest)
        return None
    if signed_size != newest.size:
        log.warning("%s: %s signs size %s; not copied", agency.origin, newest, signed_size)
        return None
    return newest if _copy_offsite(agency, newest) else None


def _offsite_sizes(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    matches = (OFFSITE_NAME.fullmatch(path.name) for path in folder.iterdir())
    return [int(match.group(1)) for match in matches if match]


def _copy_offsite(agency: AgencyLog, checkpoint: Checkpoint) -> bool:
    """Copy the note, then its token; False (and a warning) if the folder cannot be written."""
    paths = offsite_paths(agency, checkpoint.size)
    if paths is None:
        return False
    note_path, token_path = paths
    try:
        note_path.parent.mkdir(parents=True, exist_ok=True)
        _write_once(note_path, checkpoint.note.encode("utf-8"))
        _crash_point("note_copied")
        if checkpoint.timestamp_token:
            _write_once(token_path, bytes(checkpoint.timestamp_token))
        _crash_point("token_copied")
    except OSError:
        log.warning(
            "%s: off-site copy of %s failed; the worker retries",
            agency.origin,
            checkpoint,
            exc_info=True,
        )
        return False
    return True


def _crash_point(step: str) -> None:
    """Die here, as `kill -9` would, when a test asks for it (CASETRAIL_TEST_CRASH_AT=<step>).

    Read from the environment at each step and only here; unset in production, where it does
    nothing. The crash tests run the worker in a subprocess with it set.
    """
    if os.environ.get("CASETRAIL_TEST_CRASH_AT") == step:
        os.kill(os.getpid(), signal.SIGKILL)


def note_digest(note: str) -> bytes:
    """What the timestamp authority signs: the SHA-256 of the whole signed note."""
    return hashlib.sha256(note.encode("utf-8")).digest()


def _timestamp(note: str) -> tuple[bytes | None, int]:
    """The TSA's token for *note* (None if none is configured or it failed) and its nonce."""
    url = settings.CASETRAIL_TSA_URL
    nonce = new_nonce()
    if not url:
        return None, nonce
    try:
        return request_timestamp(url, note_digest(note), nonce=nonce), nonce
    except (TimestampError, OSError):
        log.warning(
            "timestamp authority %s failed; checkpoint published without", url, exc_info=True
        )
        return None, nonce


def offsite_paths(agency: AgencyLog, size: int) -> tuple[Path, Path] | None:
    folder = offsite_dir()
    if folder is None:
        return None
    base = folder / agency.code / f"checkpoint-{size:012d}"
    return base.with_suffix(".txt"), base.with_suffix(".tsr")


def _write_once(path: Path, data: bytes) -> None:
    """Write *path* completely (temp file, fsync, rename); an existing copy is never replaced."""
    if path.exists():
        if path.read_bytes() != data:
            raise FileExistsError(f"{path} exists with different content; refusing to overwrite")
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
