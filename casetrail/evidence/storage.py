"""The blob stores this deployment uses, from settings (CASETRAIL_BLOB_STORE, …_REPLICA_STORE)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

from casetrail.evidence.blobstore import BlobStore, store_from_url
from casetrail.evidence.ranges import Unsatisfiable, requested_range

STREAM_CHUNK = 256 * 1024


@cache
def _store(url: str, data_dir: str) -> BlobStore:
    return store_from_url(url, data_dir=Path(data_dir))


def primary_store() -> BlobStore:
    """Where evidence files are kept (default: the folder `blobs` in the data folder)."""
    return _store(settings.CASETRAIL_BLOB_STORE, str(settings.DATA_DIR))


def replica_store() -> BlobStore | None:
    """The off-site copy target, or None when none is configured (flagged on the pages)."""
    url = settings.CASETRAIL_REPLICA_STORE
    return _store(url, str(settings.DATA_DIR)) if url else None


def uploads_dir() -> Path:
    """Where partial resumable uploads are kept until complete."""
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_file_response(sha256: str, media_type: str) -> FileResponse:
    """A stored file as a response; its ETag is its SHA-256 (content-addressed), which is also
    what a ledgered read of it records (`casetrail.web.reads`)."""
    response = FileResponse(primary_store().open(sha256), content_type=media_type)
    response["ETag"] = f'"{sha256}"'
    return response


def _stream(handle: BinaryIO, length: int) -> Iterator[bytes]:
    """*length* bytes of *handle* in chunks; the file is closed when the answer ends or the
    client goes away (Django closes the iterator)."""
    try:
        while length > 0 and (chunk := handle.read(min(STREAM_CHUNK, length))):
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def ranged_file_response(
    request: HttpRequest, sha256: str, media_type: str, size: int
) -> HttpResponse | StreamingHttpResponse:
    """A stored file with HTTP range requests (RFC 9110 §14), so a browser's <video> starts at
    once and seeks anywhere in a 2 GB file: 206 with the bytes asked for, streamed from the blob
    store (only that part is fetched); 200 with the whole file when no single range is asked
    (or `If-Range` names another version); 416 for a malformed or impossible range."""
    etag = f'"{sha256}"'
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != etag:
        header = None
    try:
        wanted = requested_range(header, size)
    except Unsatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    if wanted is None:
        response = StreamingHttpResponse(
            _stream(primary_store().open(sha256), size), content_type=media_type
        )
        response["Content-Length"] = str(size)
    else:
        handle = primary_store().open_range(sha256, wanted.first, wanted.last)
        response = StreamingHttpResponse(
            _stream(handle, wanted.length), status=206, content_type=media_type
        )
        response["Content-Length"] = str(wanted.length)
        response["Content-Range"] = wanted.content_range(size)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    return response
