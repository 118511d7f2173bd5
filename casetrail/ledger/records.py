"""How a database row is committed to in the ledger: a canonical snapshot and its SHA-256."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import models

from casetrail.ledger.canonical import Json, canonical_json


def _value(value: object) -> Json:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot commit a {type(value).__name__} to the ledger")


def row_snapshot(instance: models.Model) -> dict[str, Json]:
    """Every concrete column of *instance*, by column name, as canonical JSON values."""
    return {
        (field.column or field.attname): _value(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
    }


def row_digest(instance: models.Model) -> str:
    document: Json = {"table": instance._meta.db_table, "row": row_snapshot(instance)}
    return hashlib.sha256(canonical_json(document)).hexdigest()


def record_ref(instance: models.Model) -> dict[str, Json]:
    """What a ledger entry says about a row it touches: table, id and content hash."""
    return {
        "table": instance._meta.db_table,
        "id": _value(instance.pk),
        "sha256": row_digest(instance),
    }
