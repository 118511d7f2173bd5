"""How a database row is committed to in the ledger: a canonical snapshot and its SHA-256.

The snapshot holds every concrete column except those the table's coverage leaves out (a
user's `last_login`), and, for each of its member relations (`ledger/coverage.py`), the
related rows: the ids of a many-to-many relation, the digests of the rows that point here. A
relation without rows is left out, so a row that has none digests as it did before its table
had members (a backup run recorded before evidence/0003, whose copies have no run).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import models
from django.db.models import ForeignObjectRel

from casetrail.ledger.canonical import Json, canonical_json
from casetrail.ledger.coverage import added_later_columns, member_relations, uncommitted_columns


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


def _holds_default(value: object) -> bool:
    """A column added later still holds what every row had before it existed (False, empty
    text or no date), so it is left out and an older entry's digest still matches."""
    return value is False or value is None or value == ""


def row_snapshot(instance: models.Model) -> dict[str, Json]:
    """Every committed column of *instance*, by column name, as canonical JSON values, and
    its members by relation name."""
    left_out = uncommitted_columns(type(instance))
    later = added_later_columns(type(instance))
    snapshot: dict[str, Json] = {
        (field.column or field.attname): _value(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.name not in left_out
        and not (field.name in later and _holds_default(getattr(instance, field.attname)))
    }
    for relation in member_relations(type(instance)):
        members = _members(instance, relation)
        if members:  # none: the row as committed before its table had members
            snapshot[relation] = members
    return snapshot


def _members(instance: models.Model, relation: str) -> list[Json]:
    field = instance._meta.get_field(relation)
    accessor = field.get_accessor_name() if isinstance(field, ForeignObjectRel) else relation
    manager = getattr(instance, accessor or relation)
    found: list[Json] = []
    if field.many_to_many:
        found.extend(sorted(manager.values_list("pk", flat=True)))
    else:
        found.extend(sorted(row_digest(row) for row in manager.all()))
    return found


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
