"""Publishing: a signed checkpoint per agency, copied off-site and timestamped.

The checkpoint is a C2SP tlog-checkpoint signed note (Ed25519). Its copy in the off-site folder
and its RFC 3161 timestamp are what a database administrator cannot rewrite: a history rewritten
in the database no longer matches them (`casetrail verify`).
"""

from __future__ import annotations

import hashlib
import logging
import os
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
from casetrail.ledger.integrate import DbHashStore, integrate_all
from casetrail.ledger.models import Checkpoint, LogHead
from casetrail.ledger.note import Checkpoint as CheckpointBody
from casetrail.ledger.note import (
    Signer,
    Verifier,
    format_checkpoint,
    load_or_create_signer,
    sign_note,
)
from casetrail.ledger.timestamp import TimestampError, new_nonce, request_timestamp

log = logging.getLogger(__name__)


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


def publish(agency: AgencyLog, *, force: bool = False) -> Checkpoint | None:
    """Integrate what is pending and publish a checkpoint if the tree grew (or *force*)."""
    integrate_all(agency.agency_id)
    size = LogHead.objects.get(agency_id=agency.agency_id).size
    latest = latest_checkpoint(agency.agency_id)
    if latest is not None and latest.size == size and not force:
        return None
    if latest is not None and latest.size == size:
        return latest
    root = tree_root(agency.agency_id, size)
    note = sign_note(format_checkpoint(CheckpointBody(agency.origin, size, root)), signer(agency))
    token, nonce = _timestamp(note)
    copy = _write_offsite(agency, size, note, token)
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
            offsite_copy=str(copy) if copy else "",
        )
        checkpoint.save()
    return checkpoint


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


def _write_offsite(agency: AgencyLog, size: int, note: str, token: bytes | None) -> Path | None:
    paths = offsite_paths(agency, size)
    if paths is None:
        return None
    note_path, token_path = paths
    note_path.parent.mkdir(parents=True, exist_ok=True)
    _write_once(note_path, note.encode("utf-8"))
    if token and not token_path.exists():
        _write_once(token_path, token)
    return note_path


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
