"""`casetrail verify`: whose copy of the public keys and of the signed checkpoints it trusts.

By default verify reads the keys from CASETRAIL_KEY_DIR and the off-site notes from
CASETRAIL_OFFSITE_DIR ("local"). Whoever controls the server can replace both, e.g. put a key of
their own in `<code>.pub` and re-sign the database's checkpoints with it: verify would then
find the database consistent and blame the genuine off-site copies. An auditor who keeps their
own copy of the public keys (`--keys DIR`) and of the off-site notes (`--checkpoints DIR`) is
not misled: those copies take precedence, and a local key that differs from the auditor's is
itself a finding (`public_key_replaced`). The report says which copies were trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casetrail.ledger.checkpoints import AgencyLog, verifier
from casetrail.ledger.config import key_path, offsite_dir, public_key_path
from casetrail.ledger.note import NoteError, Verifier
from casetrail.ledger.verify_findings import PUBLIC_KEY_REPLACED, Finding, VerifyError

AUDITOR = "auditor"
LOCAL = "local"
KEY_TABLE = "key_file"
"""The `table` of a finding about a key file (`id` is its path): keys live in files, not rows."""


@dataclass(frozen=True)
class Sources:
    """The auditor's own folders, where given; None means the local (configured) copy."""

    keys: Path | None = None
    checkpoints: Path | None = None

    def trusted(self) -> dict[str, str]:
        return {
            "keys": AUDITOR if self.keys is not None else LOCAL,
            "checkpoints": AUDITOR if self.checkpoints is not None else LOCAL,
        }

    def offsite_folder(self, log: AgencyLog) -> Path | None:
        """Where the off-site notes of *log* are read from (`<folder>/<code>/checkpoint-*.txt`)."""
        folder = self.checkpoints if self.checkpoints is not None else offsite_dir()
        return folder / log.code if folder is not None else None

    def offsite_path(self, log: AgencyLog, size: int) -> Path | None:
        folder = self.offsite_folder(log)
        return folder / f"checkpoint-{size:012d}.txt" if folder is not None else None


def agency_verifier(log: AgencyLog, sources: Sources, findings: list[Finding]) -> Verifier:
    """The agency's public key from the trusted copy; a missing key means verify cannot run."""
    if sources.keys is None:
        return _local_verifier(log)
    path = sources.keys / f"{log.code}.pub"
    try:
        key = Verifier.from_key_string(path.read_text(encoding="ascii").strip())
    except (OSError, UnicodeDecodeError, NoteError) as error:
        raise VerifyError(
            f"{log.origin}: 审计方公钥文件 {path} 无法读取 (the auditor's copy of the key: {error})"
        ) from error
    _compare_local_key(log, key, findings)
    return key


def _local_verifier(log: AgencyLog) -> Verifier:
    path = key_path(log.code)
    if not path.is_file() and not public_key_path(log.code).is_file():
        raise VerifyError(
            f"{log.origin}: 公钥文件 {public_key_path(log.code)} 与签名密钥文件 {path} 均不存在 "
            "(the agency's key is missing; its checkpoints cannot be checked — set "
            "CASETRAIL_KEY_DIR to a folder holding <code>.pub, or give --keys DIR)"
        )
    try:
        return verifier(log)
    except (NoteError, OSError) as error:
        raise VerifyError(f"{log.origin}: 签名密钥无法读取 ({error})") from error


def _compare_local_key(log: AgencyLog, trusted: Verifier, findings: list[Finding]) -> None:
    """A local key file that is not the auditor's key was replaced (or never was the agency's)."""
    public = public_key_path(log.code)
    private = key_path(log.code)
    if not public.is_file() and not private.is_file():
        return
    where = public if public.is_file() else private
    try:
        local = verifier(log).key_string()
    except (NoteError, OSError, UnicodeDecodeError) as error:
        local = f"unreadable ({error})"
    if local == trusted.key_string():
        return
    findings.append(
        Finding(
            PUBLIC_KEY_REPLACED,
            KEY_TABLE,
            str(where),
            None,
            f"{log.origin}: the local key file {where} is not the key in the auditor's copy "
            f"({trusted.key_string()}): it was replaced, so whatever it signs (the database's "
            "checkpoints) proves nothing",
        )
    )
