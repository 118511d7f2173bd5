"""Resumable uploads (tus 1.0) without HTTP: create, append, complete, terminate, expire.

An upload is a row (``Upload``) and a partial file. The row's offset is the truth: bytes in the
file past it are an interrupted write, cut off by the next append. While a PATCH without a
checksum streams in, the flusher syncs the partial file every ``FLUSH_EVERY`` bytes and writes
the offset that is then on disk to a durable-offset file next to it; after a crash (the row still
has the offset from before the PATCH) the next HEAD or PATCH moves the row's offset up to it, so
the client re-sends only what was not synced. A PATCH with a checksum keeps nothing unverified.

The partial file lives in the local blob store's ``tmp_dir``, so that on completion the store
links it instead of copying it (one write of the bytes, ever). One append at a time: each holds
an exclusive ``flock`` on the partial file, and a second one is told the upload is busy.

On completion the file is checked (name, type, DA/T 70 allow-list) and stored; a refused file
leaves nothing behind: the partial file is removed and the row keeps only the reason.
DESIGN invariant 6: the offset reaches the length only once the file is stored and checked.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from casetrail import clock
from casetrail.digits import NotAWholeNumber, whole_number
from casetrail.evidence.errors import RefusedFile, TooLarge
from casetrail.evidence.flusher import Flusher
from casetrail.evidence.hashing import Digests, StreamingHasher
from casetrail.evidence.ingest import Ingested, ingest_file
from casetrail.evidence.local_store import LocalBlobStore
from casetrail.evidence.models import Upload
from casetrail.evidence.sniff import HEAD_SIZE, check_filename, classify
from casetrail.evidence.storage import primary_store, uploads_dir

__all__ = [
    "CHECKSUM_ALGORITHMS",
    "BeyondLength",
    "Checksum",
    "ChecksumMismatch",
    "OffsetConflict",
    "UploadBusy",
    "UploadGone",
    "UploadIncomplete",
    "UploadMissing",
    "UploadProblem",
    "append",
    "create_upload",
    "current",
    "durable_path",
    "expire_abandoned",
    "owned_upload",
    "partial_path",
    "ready_upload",
    "refusal",
    "require_open",
    "terminate",
]

READ_SIZE = 1024 * 1024
FLUSH_EVERY = 64 * 1024 * 1024
_DURABLE_WIDTH = 20
# tus requires sha1; sha256 is what we ask clients to use.
CHECKSUM_ALGORITHMS = ("sha1", "sha256")


class UploadProblem(Exception):
    """A request the upload cannot take; the message is Chinese and says why."""


class UploadMissing(UploadProblem):
    """No such upload for this user (never say whether it exists for someone else)."""


class UploadGone(UploadProblem):
    """Expired, terminated or refused: the client must start again."""


class OffsetConflict(UploadProblem):
    """The client's offset is not the upload's offset."""


class UploadBusy(UploadProblem):
    """Another request is writing to this upload."""


class BeyondLength(UploadProblem):
    """The bytes would pass the length declared at creation."""


class UploadIncomplete(UploadProblem):
    """Not all bytes have arrived yet."""


class ChecksumMismatch(UploadProblem):
    """The bytes of one append do not match the checksum the client sent; they were discarded."""


@dataclass(frozen=True)
class Checksum:
    """A client's checksum of one append (tus checksum extension)."""

    algorithm: str
    digest: bytes


class Readable(Protocol):
    """A request body: ``HttpRequest.read`` (never ``request.body``, which loads it all)."""

    def read(self, size: int | None = ..., /) -> bytes: ...


def partial_path(upload: Upload) -> Path:
    """Next to the blobs for a local store (linked on completion), else the uploads folder."""
    store = primary_store()
    folder = store.tmp_dir if isinstance(store, LocalBlobStore) else uploads_dir()
    return folder / f"tus-{upload.pk}.part"


def durable_path(upload: Upload) -> Path:
    """The durable-offset file: the offset up to which the partial file was synced."""
    return partial_path(upload).with_suffix(".durable")


def refusal(upload: Upload) -> str:
    """Why the file was refused at completion, or "" if it was not."""
    return str(upload.metadata.get("refused", ""))


def _expiry(now: datetime) -> datetime:
    return now + timedelta(hours=settings.CASETRAIL_UPLOAD_EXPIRY_HOURS)


class ForCase(Protocol):
    """The case an upload is for: the store needs only its id (the domain's case row)."""

    pk: Any


def create_upload(
    *, user: User, case: ForCase | None, filename: str, length: int, metadata: dict[str, str]
) -> Upload:
    """A new, empty upload; raises ``RefusedFile`` (``TooLarge``) before anything is written."""
    check_filename(filename)
    if length <= 0:
        raise RefusedFile("文件", "文件为空（0 字节），未保存")
    if length > settings.CASETRAIL_MAX_UPLOAD_BYTES:
        raise TooLarge(settings.CASETRAIL_MAX_UPLOAD_BYTES)
    now = clock.now()
    with transaction.atomic():  # no row without its (empty) partial file
        upload = Upload.objects.create(
            created_by=user,
            case_id=case.pk if case is not None else None,
            filename=filename,
            length=length,
            metadata=metadata,
            created_at=now,
            expires_at=_expiry(now),
        )
        path = partial_path(upload)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _record_durable(durable_path(upload), 0)
        _fsync_dir(path.parent)
    return upload


def owned_upload(upload_id: UUID | str, user: User) -> Upload:
    """The upload if ``user`` created it; ``UploadMissing`` otherwise."""
    upload = Upload.objects.filter(pk=upload_id, created_by=user).first()
    if upload is None:
        raise UploadMissing("上传不存在")
    return upload


def ready_upload(upload_id: UUID | str, user: User, case: ForCase) -> Upload:
    """A complete, stored upload of ``user`` for ``case``: what a recording is registered from."""
    upload = owned_upload(upload_id, user)
    if upload.case_id != case.pk:
        raise UploadMissing("上传不存在")
    require_open(upload)
    if upload.completed_at is None:
        raise UploadIncomplete("文件尚未上传完成，请等待进度达到 100 %")
    return upload


def require_open(upload: Upload, now: datetime | None = None) -> None:
    """``UploadGone`` if the upload was refused or has expired."""
    now = now or clock.now()
    if reason := refusal(upload):
        raise UploadGone(f"文件已被拒收：{reason}")
    if upload.expires_at <= now:
        raise UploadGone("上传已过期，请重新上传")


def append(
    upload: Upload, *, offset: int, body: Readable, size: int, checksum: Checksum | None
) -> Upload:
    """Write ``size`` bytes read from ``body`` at ``offset``; complete the upload if it is full.

    Keeps what arrived if the client goes away mid-way (tus: store as much as possible), unless
    a checksum was sent, which can then not be verified. Raises ``RefusedFile`` on completion if
    the file is refused (it is then gone, and the upload is marked refused).
    """
    require_open(upload, clock.now())
    if offset != upload.offset:
        raise OffsetConflict(f"偏移量不符：服务器为 {upload.offset}，请求为 {offset}")
    if offset + size > upload.length:
        raise BeyondLength(f"超出声明的文件长度 {upload.length} 字节")
    if upload.completed_at is not None:
        return upload
    path = partial_path(upload)
    with _locked(path) as partial:
        upload.refresh_from_db()  # another request may have written while we waited
        _recover(upload, partial)
        require_open(upload, clock.now())
        if offset != upload.offset:
            raise OffsetConflict(f"偏移量不符：服务器为 {upload.offset}，请求为 {offset}")
        if upload.completed_at is not None:
            return upload
        whole = offset == 0 and size == upload.length
        durable = None if checksum else durable_path(upload)
        digests, received = _receive(
            partial, offset, body, size, checksum, whole=whole, durable=durable
        )
        return _advance(upload, path, offset + received, digests)


def current(upload: Upload) -> Upload:
    """The upload with its offset brought up to the durable-offset file after a crash; as it
    is while another request writes to it (that request will advance the offset)."""
    try:
        with _locked(partial_path(upload)) as partial:
            upload.refresh_from_db()
            _recover(upload, partial)
    except (UploadBusy, UploadGone):
        pass
    return upload


def _recover(upload: Upload, partial: BinaryIO) -> None:
    """Under the lock: a crashed PATCH left synced bytes past the row's offset; keep them.
    The last byte is always left to a PATCH, which completes (checks and stores) the file."""
    if upload.completed_at is not None or refusal(upload):
        return
    synced = min(_read_durable(durable_path(upload)), os.fstat(partial.fileno()).st_size)
    kept = min(synced, upload.length - 1)
    if kept > upload.offset:
        upload.offset = kept
        upload.save(update_fields=["offset"])


def _record_durable(path: Path, offset: int) -> None:
    """Overwrite the durable-offset file in place (one small write) and sync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.pwrite(fd, f"{offset:0{_DURABLE_WIDTH}d}\n".encode("ascii"), 0)
        os.fdatasync(fd)
    finally:
        os.close(fd)


def _read_durable(path: Path) -> int:
    try:
        text = path.read_bytes()[:_DURABLE_WIDTH]
    except FileNotFoundError:
        return 0
    try:
        return whole_number(text, "durable offset", max_digits=_DURABLE_WIDTH)
    except NotAWholeNumber:  # torn or foreign: trust only the row
        return 0


def _receive(
    partial: BinaryIO,
    offset: int,
    body: Readable,
    size: int,
    checksum: Checksum | None,
    *,
    whole: bool,
    durable: Path | None,
) -> tuple[Digests | None, int]:
    """Append the body and fsync; (the digests if it was the whole file, bytes kept).

    Hashing while receiving saves re-reading a whole file on completion: the usual browser
    upload is a single PATCH from offset 0 to the end.
    """
    partial.truncate(offset)
    partial.seek(offset)
    verify = hashlib.new(checksum.algorithm) if checksum else None
    hasher = StreamingHasher() if whole else None
    try:
        sinks = [sink.update for sink in (verify, hasher) if sink is not None]
        on_durable = None
        if durable is not None:
            on_durable = functools.partial(_synced, durable, offset)
        received = _copy(body, partial, size, sinks, on_durable)
        os.fsync(partial.fileno())
        if checksum and verify and (received != size or verify.digest() != checksum.digest):
            partial.truncate(offset)
            os.fsync(partial.fileno())
            if received != size:  # cut short: nothing to verify against, nothing kept
                return None, 0
            raise ChecksumMismatch(f"校验和不符（{checksum.algorithm}）：本段数据已丢弃，请重传")
        digests = hasher.finish() if hasher and received == size else None
        return digests, received
    finally:
        if hasher is not None:
            hasher.close()


def _synced(durable: Path, offset: int, covered: int) -> None:
    _record_durable(durable, offset + covered)


def _copy(
    body: Readable,
    sink: BinaryIO,
    size: int,
    sinks: Sequence[Callable[[bytes], object]],
    on_durable: Callable[[int], object] | None,
) -> int:
    received = 0
    flusher = Flusher(sink.fileno(), FLUSH_EVERY, on_durable)
    try:
        while received < size:
            try:
                data = body.read(min(READ_SIZE, size - received))
            except OSError:  # the client went away: keep what arrived
                break
            if not data:
                break
            view = memoryview(data)
            while view:
                view = view[sink.write(view) or 0 :]
            for update in sinks:
                update(data)
            received += len(data)
            flusher.wrote(len(data))
    finally:
        flusher.join()
    return received


def _advance(upload: Upload, path: Path, offset: int, digests: Digests | None) -> Upload:
    now = clock.now()
    if offset < upload.length:
        upload.offset, upload.expires_at = offset, _expiry(now)
        upload.save(update_fields=["offset", "expires_at"])
        return upload
    try:
        ingested = _store(path, upload.filename, digests)
    except RefusedFile as refused:
        path.unlink(missing_ok=True)
        durable_path(upload).unlink(missing_ok=True)
        upload.metadata = {**upload.metadata, "refused": refused.reason}
        upload.save(update_fields=["metadata"])
        raise
    path.unlink(missing_ok=True)
    durable_path(upload).unlink(missing_ok=True)
    upload.offset, upload.expires_at, upload.completed_at = offset, _expiry(now), now
    upload.blob_sha256 = ingested.digests.sha256
    upload.blob_sm3 = ingested.digests.sm3
    upload.media_type = ingested.sniffed.media_type
    upload.metadata = {**upload.metadata, "kind": ingested.sniffed.kind}
    upload.save()
    return upload


def _store(path: Path, filename: str, digests: Digests | None) -> Ingested:
    """``ingest_file``, reusing the digests taken while the bytes arrived when there are some."""
    store = primary_store()
    max_size = settings.CASETRAIL_MAX_UPLOAD_BYTES
    if digests is None:
        return ingest_file(path, filename, store, max_size=max_size)
    check_filename(filename)
    with path.open("rb") as source:
        sniffed = classify(source.read(HEAD_SIZE), filename)
    if isinstance(store, LocalBlobStore):
        # The digests are of the very bytes _receive wrote and fsynced, under the lock: the
        # store need not read the file again (see LocalBlobStore.put_file).
        created = store.put_file(path, digests, hashed_while_writing=True)
    else:
        created = store.put_file(path, digests)
    return Ingested(digests=digests, sniffed=sniffed, filename=filename, created=created)


def terminate(upload: Upload) -> None:
    """Remove the upload and its partial file (tus termination). The stored blob, if any,
    stays: content-addressed, it may be another record's."""
    path = partial_path(upload)
    with contextlib.suppress(UploadGone), _locked(path):
        path.unlink()
    durable_path(upload).unlink(missing_ok=True)
    upload.delete()


def expire_abandoned(now: datetime | None = None) -> int:
    """Remove every upload past its expiry (row and partial file); returns how many."""
    removed = 0
    for upload in Upload.objects.filter(expires_at__lte=now or clock.now()):
        with contextlib.suppress(UploadBusy):
            terminate(upload)
            removed += 1
    return removed


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[BinaryIO]:
    try:
        handle = path.open("r+b", buffering=0)
    except FileNotFoundError:
        raise UploadGone("上传的临时文件已不存在，请重新上传") from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadBusy("另一个请求正在写入此上传，请稍后重试") from None
        yield handle


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
