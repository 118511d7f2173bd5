"""The blob stores this deployment uses, from settings (CASETRAIL_BLOB_STORE, …_REPLICA_STORE)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

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
