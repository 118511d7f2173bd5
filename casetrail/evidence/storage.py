"""The blob stores this deployment uses, from settings (CASETRAIL_BLOB_STORE, …_REPLICA_STORE)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import FileResponse

from casetrail.evidence.blobstore import BlobStore, store_from_url


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
