"""What `casetrail verify` reports: one `Finding` per problem, with a stable kind.

The kinds are documented in `casetrail/ledger/verify.py`; they are part of the JSON output that
auditors script against, so a kind is never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass

from casetrail.ledger.canonical import Json

ENTRY_ALTERED = "entry_altered"
ENTRY_DELETED = "entry_deleted"
ENTRY_UNINTEGRATED = "entry_unintegrated"
ENTRY_INTEGRATED_TWICE = "entry_integrated_twice"
ENTRY_FORGED = "entry_forged"
ROW_ALTERED = "row_altered"
ROW_DELETED = "row_deleted"
ROW_UNLEDGERED = "row_unledgered"
LOG_HEAD_MISSING = "log_head_missing"
AGENCY_MISSING = "agency_missing"
LOG_TRUNCATED = "log_truncated"
LEAF_MISSING = "leaf_missing"
LEAF_EXTRA = "leaf_extra"
LEAF_MISMATCH = "leaf_mismatch"
LEAF_REORDERED = "leaf_reordered"
STORED_HASH_MISMATCH = "stored_hash_mismatch"
STORED_HASH_MISSING = "stored_hash_missing"
STORED_HASH_EXTRA = "stored_hash_extra"
CHECKPOINT_SIGNATURE_INVALID = "checkpoint_signature_invalid"
CHECKPOINT_ROW_MISMATCH = "checkpoint_row_mismatch"
CHECKPOINT_MISMATCH = "checkpoint_mismatch"
CHECKPOINT_MISSING = "checkpoint_missing"
OFFSITE_SIGNATURE_INVALID = "offsite_signature_invalid"
OFFSITE_MISMATCH = "offsite_mismatch"
OFFSITE_MISSING = "offsite_missing"
TIMESTAMP_INVALID = "timestamp_invalid"
PUBLIC_KEY_REPLACED = "public_key_replaced"
UNSIGNED_LEAVES = "unsigned_leaves"
NO_CHECKPOINT = "no_checkpoint"

ENTRY_TABLE = "ledger_ledgerentry"
LEAF_TABLE = "ledger_ledgerleaf"
HASH_TABLE = "ledger_ledgerhash"
HEAD_TABLE = "ledger_loghead"
CHECKPOINT_TABLE = "ledger_checkpoint"


@dataclass(frozen=True)
class Finding:
    """One problem: what kind, which row (table and id), which leaf of the log, and why.

    `ledger_index` is the position in the agency's tree of the leaf concerned (for a row: of
    the entry that committed to it), or None where no leaf is concerned or known.
    """

    kind: str
    table: str
    id: int | str | None
    ledger_index: int | None
    detail: str

    def to_json(self) -> dict[str, Json]:
        return {
            "kind": self.kind,
            "table": self.table,
            "id": self.id,
            "ledger_index": self.ledger_index,
            "detail": self.detail,
        }


def short(value: bytes | str) -> str:
    """A hash as people compare it by eye: its first 16 hex digits."""
    text = value.hex() if isinstance(value, bytes) else value
    return f"{text[:16]}…"


class VerifyError(Exception):
    """`casetrail verify` could not run (exit 2): a key file is missing, the database is down."""
