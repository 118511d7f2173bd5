"""Named files in an off-site target: the signed checkpoints, beside the content-addressed blobs.

The blob protocol (`blobstore.BlobStore`) keys a file by its SHA-256, which suits evidence but
not checkpoints: an auditor looks a checkpoint up by agency and tree size. So checkpoints are
copied under readable names, in the layout of the off-site folder (`ledger/checkpoints.py`):

    checkpoints/<agency code>/checkpoint-<size, 12 digits>.txt   the signed note
    checkpoints/<agency code>/checkpoint-<size, 12 digits>.tsr   its RFC 3161 token, if any

inside the folder of a `LocalBlobStore` (beside its ``ab/`` shards, the only folders it lists as
blobs) or as keys of an `S3BlobStore`'s bucket (beside its ``sha256/`` prefix). Pointing
``CASETRAIL_OFFSITE_DIR`` at ``<folder>/checkpoints`` lets `casetrail verify` read such a copy
as it reads the off-site folder.

A name is written once: an existing file with other content is an error (one of the two copies
was changed), never overwritten. Every copy is read back from the target and hashed before it
counts (DESIGN invariant 6: backups are verified by hash).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

from botocore.exceptions import ClientError

from casetrail.evidence.blobstore import BlobStore
from casetrail.evidence.errors import StoreError
from casetrail.evidence.local_store import READ_ONLY, LocalBlobStore
from casetrail.evidence.s3_store import S3BlobStore

__all__ = ["CHECKPOINT_FOLDER", "checkpoint_key", "put_named", "read_named"]

CHECKPOINT_FOLDER = "checkpoints"
_AGENCY_CODE = re.compile(r"[A-Za-z0-9_-]+")
_SUFFIXES = frozenset({".txt", ".tsr"})


def checkpoint_key(agency_code: str, size: int, suffix: str) -> str:
    """``checkpoints/luanchuan-tjj/checkpoint-000000000042.txt`` (or ``.tsr``)."""
    if not _AGENCY_CODE.fullmatch(agency_code) or suffix not in _SUFFIXES or size < 0:
        raise ValueError(f"no checkpoint name for {agency_code!r}, {size}, {suffix!r}")
    return f"{CHECKPOINT_FOLDER}/{agency_code}/checkpoint-{size:012d}{suffix}"


def put_named(target: BlobStore, key: str, data: bytes) -> str:
    """Write ``data`` under ``key`` once, read it back, and return the SHA-256 it hashes to.

    ``StoreError`` if the target already holds other content under ``key``, or if what it holds
    afterwards does not hash to ``data``'s SHA-256.
    """
    expected = hashlib.sha256(data).hexdigest()
    if isinstance(target, LocalBlobStore):
        _put_local(target, key, data)
    elif isinstance(target, S3BlobStore):
        _put_s3(target, key, data, expected)
    else:
        raise StoreError(f"{target.name}: this kind of store cannot hold named files")
    held = read_named(target, key)
    if held is None:
        raise StoreError(f"{target.name}: {key} was written but cannot be read back")
    actual = hashlib.sha256(held).hexdigest()
    if actual != expected:
        raise StoreError(
            f"{target.name}: {key} holds other content (SHA-256 {actual}, expected {expected}); "
            "one of the two copies was changed, nothing overwritten"
        )
    return actual


def read_named(target: BlobStore, key: str) -> bytes | None:
    """The content under ``key``, or None if there is none."""
    if isinstance(target, LocalBlobStore):
        try:
            return _local_path(target, key).read_bytes()
        except FileNotFoundError:
            return None
    if isinstance(target, S3BlobStore):
        try:
            response = target.client.get_object(Bucket=target.bucket, Key=key)
        except ClientError as error:
            if _code(error) in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return response["Body"].read()
    raise StoreError(f"{target.name}: this kind of store cannot hold named files")


def _local_path(target: LocalBlobStore, key: str) -> Path:
    parts = key.split("/")
    if not parts or parts[0] != CHECKPOINT_FOLDER or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a name for the {CHECKPOINT_FOLDER} folder: {key!r}")
    return target.root.joinpath(*parts)


def _put_local(target: LocalBlobStore, key: str, data: bytes) -> None:
    """Complete file in ``.tmp``, fsynced, then linked in: the name never shows half a file."""
    final = _local_path(target, key)
    if final.exists():
        return  # compared by the read-back in put_named
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.tmp_dir, prefix="named-")
    staged = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink:
            sink.write(data)
            sink.flush()
            os.fsync(sink.fileno())
        os.chmod(staged, READ_ONLY)
        with contextlib.suppress(FileExistsError):  # written meanwhile: compared by the read-back
            os.link(staged, final)
        directory = os.open(final.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        staged.unlink(missing_ok=True)


def _put_s3(target: S3BlobStore, key: str, data: bytes, sha256: str) -> None:
    """A conditional PutObject the server checks against our SHA-256 (never overwrites)."""
    checksum = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
    try:
        target.client.put_object(
            Bucket=target.bucket,
            Key=key,
            Body=data,
            ContentLength=len(data),
            ChecksumSHA256=checksum,
            IfNoneMatch="*",
        )
    except ClientError as error:
        if _code(error) != "PreconditionFailed":  # present already: compared by the read-back
            raise StoreError(f"{target.name}: storing {key} failed: {error}") from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
