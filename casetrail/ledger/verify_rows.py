"""`casetrail verify`, part 2: every row an entry committed to, and every row no entry did.

An entry's payload lists, for each row the act wrote or changed, the row's digest right after
the act (`records.row_digest`). An insert-only row (`RecordModel`) never changes, so its first
reference must still match it; a mutable row (an agency, an officer, a case) changes only
through ledgered acts, so its latest reference must match it. A row that no entry mentions was
written behind the ledger's back. Seed A art. 15; Seed B art. 30(4)(5).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from casetrail.ledger.models import LedgerEntry, RecordModel
from casetrail.ledger.records import row_digest
from casetrail.ledger.verify_entries import RecordRef
from casetrail.ledger.verify_findings import (
    ROW_ALTERED,
    ROW_DELETED,
    ROW_UNLEDGERED,
    Finding,
    short,
)

ROW_CHUNK = 1000

Key = tuple[str, int | str]


def _models_by_table() -> dict[str, type[models.Model]]:
    return {model._meta.db_table: model for model in apps.get_models()}


def decisive_refs(refs: Iterable[RecordRef]) -> dict[Key, RecordRef]:
    """The reference each row must match: the first for insert-only rows, else the latest."""
    by_table = _models_by_table()
    chosen: dict[Key, RecordRef] = {}
    for ref in refs:
        key = (ref.table, ref.id)
        current = chosen.get(key)
        if current is None:
            chosen[key] = ref
            continue
        model = by_table.get(ref.table)
        insert_only = model is not None and issubclass(model, RecordModel)
        earlier = ref.entry_id < current.entry_id
        if earlier == insert_only:
            chosen[key] = ref
    return chosen


def check_referenced_rows(chosen: dict[Key, RecordRef], findings: list[Finding]) -> int:
    """Re-digest every referenced row, table by table in batches; return how many were read."""
    by_table = _models_by_table()
    grouped: dict[str, list[RecordRef]] = defaultdict(list)
    for ref in chosen.values():
        grouped[ref.table].append(ref)
    checked = 0
    for table, refs in sorted(grouped.items()):
        model = by_table.get(table)
        for start in range(0, len(refs), ROW_CHUNK):
            batch = refs[start : start + ROW_CHUNK]
            rows = _fetch(model, [ref.id for ref in batch])
            checked += len(rows)
            for ref in batch:
                _compare(ref, rows.get(ref.id), model, findings)
    return checked


def _fetch(model: type[models.Model] | None, ids: list[int | str]) -> dict[object, models.Model]:
    """The rows of *model* with these ids, by id; an id its key cannot hold matches nothing."""
    if model is None:
        return {}
    valid = []
    for row_id in ids:
        try:
            valid.append(model._meta.pk.to_python(row_id))
        except ValidationError:
            continue
    return {row.pk: row for row in model._base_manager.filter(pk__in=valid)}


def _compare(
    ref: RecordRef,
    row: models.Model | None,
    model: type[models.Model] | None,
    findings: list[Finding],
) -> None:
    where = (
        f"entry {ref.entry_id} ({ref.action}, leaf {ref.ledger_index})"
        if ref.ledger_index is not None
        else f"entry {ref.entry_id} ({ref.action}, not yet in the tree)"
    )
    if row is None:
        gone = "no longer exists" if model is not None else "is in a table that no longer exists"
        findings.append(
            Finding(
                ROW_DELETED,
                ref.table,
                ref.id,
                ref.ledger_index,
                f"{ref.table} #{ref.id}, recorded by {where}, {gone}",
            )
        )
        return
    digest = row_digest(row)
    if digest == ref.sha256:
        return
    insert_only = issubclass(type(row), RecordModel)
    which = "as recorded by" if insert_only else "as last changed by"
    findings.append(
        Finding(
            ROW_ALTERED,
            ref.table,
            ref.id,
            ref.ledger_index,
            f"{ref.table} #{ref.id} was changed outside any act: it no longer matches the row "
            f"{which} {where} (recorded sha256 {short(ref.sha256)}, now {short(digest)})",
        )
    )


def agency_lookup(model: type[models.Model]) -> str | None:
    """How a row of *model* is tied to an agency, for `--agency`; None if it is not."""
    names = {f.name for f in model._meta.get_fields()}
    if model is LedgerEntry._meta.get_field("agency").related_model:
        return "pk"
    if "agency" in names:
        return "agency"
    if "case" in names:
        return "case__agency"
    return None


def check_unledgered(
    covered: Sequence[type[models.Model]],
    chosen: dict[Key, RecordRef],
    agency_ids: Sequence[int] | None,
    findings: list[Finding],
) -> None:
    """Every row of a covered table must be referenced by some entry.

    With `--agency`, tables not tied to an agency (officers) are left to a full verification.
    """
    referenced: dict[str, set[int | str]] = defaultdict(set)
    for table, row_id in chosen:
        referenced[table].add(row_id)
    for model in covered:
        rows = model._base_manager.all()
        if agency_ids is not None:
            lookup = agency_lookup(model)
            if lookup is None:
                continue
            rows = rows.filter(**{f"{lookup}__in": agency_ids})
        table = model._meta.db_table
        known = referenced[table]
        for pk in rows.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000):
            if pk not in known:
                findings.append(
                    Finding(
                        ROW_UNLEDGERED,
                        table,
                        pk,
                        None,
                        f"{table} #{pk} is in the database but no ledger entry records it: it "
                        "was inserted outside any act",
                    )
                )
