"""Entry tags: each ledger entry is bound to a key that only the application process holds.

An entry's `tag` is HMAC(key, leaf hash), with the ledger's hash (HMAC-SHA-256, or HMAC-SM3
where the ledger hashes with SM3). The leaf hash covers the whole payload, so the tag vouches
for the act as written. The key lives in a file (`CASETRAIL_ENTRY_KEY_FILE`, by default
`entry-tag.key` in the key folder beside the signing keys), never in the database: someone who
can write the tables but not read that file cannot make a valid tag, so the integrator refuses
to place an entry written behind the application's back, and `casetrail verify` names it
(`entry_forged`). See docs/ledger.md, "Threat model".
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hmac
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from casetrail.ledger.merkle import HashFn, sha256, sm3

KEY_SIZE = 32
KEY_FILE_NAME = "entry-tag.key"

_DIGESTS: dict[HashFn, str] = {sha256: "sha256", sm3: "sm3"}


class EntryKeyError(Exception):
    """The entry key file exists but cannot be used (wrong mode, not a regular file, damaged)."""


def entry_key_path() -> Path:
    """`CASETRAIL_ENTRY_KEY_FILE`, or `entry-tag.key` in `CASETRAIL_KEY_DIR`."""
    configured = settings.CASETRAIL_ENTRY_KEY_FILE
    if configured:
        return Path(configured)
    return Path(settings.CASETRAIL_KEY_DIR) / KEY_FILE_NAME


@functools.cache
def entry_key() -> bytes:
    """The application's entry key, created on first use (mode 0600, folder 0700).

    Read once per process (every append needs it) and again when a test changes the settings.
    """
    path = entry_key_path()
    if not path.exists() and not path.is_symlink():
        _create_key(path)
    return _read_key(path)


def existing_entry_key() -> bytes | None:
    """The entry key if its file exists (the application's host), else None (an auditor's copy
    of the database without the key). Never creates one: that is the application's act."""
    path = entry_key_path()
    if not path.exists() and not path.is_symlink():
        return None
    return _read_key(path)


@receiver(setting_changed)
def _forget_key(*, setting: str, **kwargs: Any) -> None:
    if setting in {"CASETRAIL_ENTRY_KEY_FILE", "CASETRAIL_KEY_DIR"}:
        entry_key.cache_clear()


def digest_name(h: HashFn) -> str:
    """The hashlib name of the ledger hash *h*, for HMAC."""
    return _DIGESTS[h]


def entry_tag(leaf_hash: bytes, key: bytes, h: HashFn) -> str:
    """The tag of an entry whose leaf hash is *leaf_hash*: HMAC(key, leaf hash), in hex."""
    return hmac.digest(key, leaf_hash, _DIGESTS[h]).hex()


def tag_is_valid(tag: str, leaf_hash: bytes, key: bytes, h: HashFn) -> bool:
    """Whether *tag* (as stored: any text) is the tag of *leaf_hash*."""
    expected = entry_tag(leaf_hash, key, h).encode("ascii")
    return hmac.compare_digest(tag.encode("utf-8", "surrogatepass"), expected)


def _create_key(path: Path) -> None:
    # The signing keys' way (`note.load_or_create_signer`): a private temporary file linked
    # into place, so no reader sees half a key and two processes never make two keys.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write((secrets.token_bytes(KEY_SIZE).hex() + "\n").encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink()


def _read_key(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            detail = f"条目密钥文件 {path} 是符号链接 (entry key file is a symlink)"
            raise EntryKeyError(detail) from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise EntryKeyError(f"条目密钥文件 {path} 不是普通文件 (not a regular file)")
        if info.st_mode & 0o077:
            raise EntryKeyError(
                f"条目密钥文件 {path} 的权限是 {stat.S_IMODE(info.st_mode):04o}，"
                "组和其他用户不得访问 (want 0600)"
            )
        text = handle.read().decode("ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_SIZE:
        raise EntryKeyError(
            f"条目密钥文件 {path} 应为 {KEY_SIZE} 字节的十六进制 (want {KEY_SIZE} bytes in hex)"
        )
    return key
