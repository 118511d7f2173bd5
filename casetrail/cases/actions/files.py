"""Small files an act attaches (signature images, scanned receipts, screenshots): stored in the
blob store, hashed, and registered as a `Blob` row that the act's ledger entry records."""

from __future__ import annotations

import io

from django.db import IntegrityError, transaction

from casetrail import clock
from casetrail.evidence.errors import RefusedFile, StoreError
from casetrail.evidence.ingest import Ingested, ingest_stream
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import primary_store
from casetrail.procedure.errors import RuleViolation

PROOF_TYPES = frozenset({"image/png", "image/jpeg", "application/pdf"})
MAX_PROOF_BYTES = 20 * 1024 * 1024


def store_file(
    data: bytes, filename: str, *, field: str, label: str, rule: str, article: str
) -> tuple[Blob, bool]:
    """Store *data*; returns its Blob and whether the row is new. PNG, JPEG or PDF only."""
    if not data:
        raise RuleViolation(rule=rule, article=article, field=field, message=f"{label}：不能为空")
    try:
        ingested = ingest_stream(
            io.BytesIO(data), filename or "file", primary_store(), max_size=MAX_PROOF_BYTES
        )
    except RefusedFile as error:
        raise RuleViolation(
            rule=rule, article=article, field=field, message=f"{label}：{error}"
        ) from error
    if ingested.sniffed.media_type not in PROOF_TYPES:
        raise RuleViolation(
            rule=rule,
            article=article,
            field=field,
            message=f"{label}：应为 PNG、JPEG 图片或 PDF 扫描件",
        )
    return blob_for(ingested)


def blob_for(ingested: Ingested) -> tuple[Blob, bool]:
    """The `Blob` row of a stored file, created if new (a concurrent creator's row is reused);
    refuses content whose registered SM3 or size disagree (casetrail verify --files)."""
    digests = ingested.digests
    blob = Blob.objects.filter(sha256=digests.sha256).first()
    if blob is not None:
        if (blob.sm3, blob.size) != (digests.sm3, digests.size):
            raise StoreError(f"blob {digests.sha256}: stored with another SM3 or size")
        return blob, False
    try:
        with transaction.atomic():
            blob = Blob(
                sha256=digests.sha256,
                sm3=digests.sm3,
                size=digests.size,
                media_type=ingested.sniffed.media_type,
                stored_at=clock.now(),
            )
            blob.save()
            return blob, True
    except IntegrityError:
        return Blob.objects.get(sha256=digests.sha256), False
