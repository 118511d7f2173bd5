"""`casetrail verify`, part 1: every ledger entry, recomputed from its payload bytes.

Entries are streamed as plain tuples in id order (no model instances), their leaf hashes are
recomputed in a tight loop and kept, 32 bytes each, for the tree pass (`verify_log.py`), and
their payloads are checked against their columns. Seed A art. 15; Seed B art. 30(4)(5):
不得伪造、删改、销毁行政执法记录.

Two shortcuts keep this near the speed of merely reading and hashing the rows:

- `recorded_at` is read as text and parsed with `datetime.fromisoformat` (the driver's own
  conversion costs more than the hashing);
- a payload that records no rows and whose leading fields are, byte for byte, what
  `append_entry` writes for the entry's columns is not parsed: its agency, action, actor, time
  and case are read where canonical JSON puts them. Any other payload is parsed in full. The
  shortcut reads a payload as its canonical form; the payload itself is proven by its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from typing import Any, Protocol, TypeVar

from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from casetrail.ledger.append import PAYLOAD_VERSION
from casetrail.ledger.canonical import Json
from casetrail.ledger.entry_tags import digest_name
from casetrail.ledger.merkle import LEAF_PREFIX, HashFn, sha256, sm3
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify_findings import short

STREAM_CHUNK = 10_000
PROGRESS_EVERY = 100_000
HASH_SIZE = 32

ENTRY_FIELDS = (
    "id",
    "case_id",
    "action",
    "actor_id",
    "recorded_at_text",
    "payload",
    "leaf_hash",
    "tag",
)
NO_RECORDS_TAIL = f',"records":[],"v":{PAYLOAD_VERSION}}}'
NULL_CASE = '","case":null,"case_number":'

Say = Callable[[str], None]
Row = TypeVar("Row")


def entry_rows(entries: QuerySet[LedgerEntry]) -> Iterator[tuple[Any, ...]]:
    """Stream *entries* as `ENTRY_FIELDS` tuples, in id order."""
    return (
        entries.annotate(recorded_at_text=Cast("recorded_at", TextField()))
        .order_by("id")
        .values_list(*ENTRY_FIELDS)
        .iterator(chunk_size=STREAM_CHUNK)
    )


def read_ahead(
    rows: Iterator[Row], chunk: int = STREAM_CHUNK, *, threaded: bool | None = None
) -> Generator[Row, None, None]:
    """Yield *rows* while a helper thread already fetches the next chunks.

    The database server then reads and sends rows while this thread hashes the previous ones,
    instead of each waiting for the other; on two cores that halves the time of the entry pass.
    The helper shares this thread's connection (and so its transaction and snapshot) only to
    fetch from the cursor opened here; the driver serialises the two threads' use of it.
    SQLite has no server working meanwhile, so there (unless *threaded*) rows are passed on.
    """
    if not (connection.vendor == "postgresql" if threaded is None else threaded):
        yield from rows
        return
    first = list(islice(rows, chunk))
    if len(first) < chunk:
        yield from first
        return
    blocks: queue.Queue[list[Row] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(item: list[Row] | BaseException | None) -> None:
        while not stop.is_set():
            try:
                blocks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def fetch() -> None:
        try:
            while not stop.is_set() and (block := list(islice(rows, chunk))):
                hand_over(block)
            hand_over(None)
        except BaseException as error:  # handed to the reading thread, which raises it
            hand_over(error)

    connection.inc_thread_sharing()
    helper = threading.Thread(target=fetch, name="casetrail-verify-read-ahead", daemon=True)
    helper.start()
    try:
        yield from first
        while (block := blocks.get()) is not None:
            if isinstance(block, BaseException):
                raise block
            yield from block
    finally:
        stop.set()
        helper.join()
        connection.dec_thread_sharing()


@dataclass(frozen=True)
class RecordRef:
    """What one entry says about one row: the digest the row had right after the act."""

    table: str
    id: int | str
    sha256: str
    entry_id: int
    action: str
    ledger_index: int | None


def same_time(at: str, at_text: str) -> bool:
    """Whether the payload's time (`isoformat` in UTC) is the column's, as the database wrote it.

    PostgreSQL writes `2026-01-02 03:04:05.123456+00`, SQLite `2026-01-02 03:04:05.123456`
    (UTC); other spellings of the same moment are compared as datetimes.
    """
    offset = ":00" if at_text[-3:-2] == "+" else "+00:00"
    return at == f"{at_text[:10]}T{at_text[11:]}{offset}" or moment(at) == moment(at_text)


def moment(text: Json) -> datetime | None:
    """A time as the payload or the database writes it; naive means UTC (SQLite's storage)."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class Digest(Protocol):
    def digest(self) -> bytes: ...


Hasher = Callable[[bytes], Digest]


@dataclass(frozen=True)
class _Digested:
    value: bytes

    def digest(self) -> bytes:
        return self.value


def hasher(h: HashFn) -> Hasher:
    """The hashlib constructor behind *h*: the hot loops call it without a Python frame."""
    known: dict[HashFn, Hasher] = {sha256: hashlib.sha256, sm3: partial(hashlib.new, "sm3")}
    return known.get(h) or (lambda data: _Digested(h(data)))


class EntryChecker:
    """Checks one agency's entries one at a time; collects their problems and row references.

    With the entry *key* it checks each entry's tag against its leaf hash, and collects the
    entries whose tag is wrong (`forged`); without it (an auditor who does not hold the
    application's key) tags are not checked. A tag that matches a leaf hash its payload also
    matches binds the payload.
    """

    def __init__(self, h: HashFn, agency_id: int, key: bytes | None = None) -> None:
        self.h = h
        self.new = hasher(h)
        self.agency_id = agency_id
        self.key = key
        self._digest = digest_name(h)
        self.forged: list[int] = []
        self.tags_checked = 0
        self.problems: list[tuple[int, str]] = []
        self.altered_hashes: dict[int, bytes] = {}
        self.refs: list[RecordRef] = []
        self._heads: dict[str, tuple[str, str]] = {}
        self._null_at = f'null,"agency":{agency_id},"at":"'
        self._close_at = f'"}},"agency":{agency_id},"at":"'

    def check(self, row: Sequence[Any]) -> bytes:
        """Check one `ENTRY_FIELDS` row; return its recomputed leaf hash."""
        entry_id, case_id, action, actor_id, at_text, payload, stored, tag = row
        computed = self.new(LEAF_PREFIX + payload.encode("utf-8")).digest()
        leaf = computed
        if computed.hex() != stored:
            self._hash_differs(entry_id, computed, stored)
            leaf = self.altered_hashes[entry_id]
        if self.key is not None:
            # Against the stored leaf hash, as the integrator checks it: a payload edited
            # under it is `entry_altered`; a hash (or entry) written without the key, forged.
            self.tags_checked += 1
            if leaf and hmac.digest(self.key, leaf, self._digest).hex() != tag:
                self.forged.append(entry_id)
        if not (
            payload.endswith(NO_RECORDS_TAIL)
            and self._canonical_agrees(payload, case_id, action, actor_id, at_text)
        ):
            self._parse(row)
        return computed

    def _hash_differs(self, entry_id: int, computed: bytes, stored: str) -> None:
        self.altered_hashes[entry_id] = bytes.fromhex(stored) if _is_hex(stored) else b""
        self.problems.append(
            (
                entry_id,
                f"its payload hashes to {short(computed)}, not to its leaf_hash "
                f"{short(stored)}: the payload (or the hash) was edited after the act",
            )
        )

    def _canonical_agrees(
        self, payload: str, case_id: int | None, action: str, actor_id: int | None, at_text: str
    ) -> bool:
        """The shortcut, for a payload recording no rows: it starts as its columns say it must."""
        heads = self._heads.get(action)
        if heads is None:
            quoted = json.dumps(action, ensure_ascii=False)
            head = f'{{"action":{quoted},"actor":'
            heads = self._heads[action] = (head, head + self._null_at)
        head, null_head = heads
        if actor_id is None:
            at = len(null_head)
            if not payload.startswith(null_head):
                return False
        else:
            if not payload.startswith(head + '{"name":"'):
                return False
            user = payload.find('","user_id":', len(head))
            if not payload.startswith(f'","user_id":{actor_id},"username":"', user):
                return False
            close = payload.find(self._close_at, user)
            if close < 0:
                return False
            at = close + len(self._close_at)
        end = payload.find('"', at)
        after = NULL_CASE if case_id is None else f'","case":{case_id},"case_number":'
        return payload.startswith(after, end) and same_time(payload[at:end], at_text)

    def _parse(self, row: Sequence[Any]) -> None:
        entry_id, case_id, action, actor_id, at_text, payload, _stored, _tag = row
        try:
            document = json.loads(payload)
        except ValueError:
            self.problems.append((entry_id, "its payload is not JSON"))
            return
        if not isinstance(document, dict):
            self.problems.append((entry_id, "its payload is not a JSON object"))
            return
        actor = document.get("actor")
        user = actor.get("user_id") if isinstance(actor, dict) else actor
        said = (document.get("agency"), document.get("case"), document.get("action"), user)
        at = document.get("at")
        if said != (self.agency_id, case_id, action, actor_id) or moment(at) != moment(at_text):
            columns = (self.agency_id, case_id, action, actor_id, at_text)
            self.problems.append((entry_id, _disagreement(columns, (*said, at))))
        records = document.get("records")
        if records:
            self._collect(records, entry_id, action)

    def _collect(self, records: Json, entry_id: int, action: str) -> None:
        if not isinstance(records, list):
            self.problems.append((entry_id, "its payload's records are not a list"))
            return
        for position, ref in enumerate(records):
            table = ref.get("table") if isinstance(ref, dict) else None
            row_id = ref.get("id") if isinstance(ref, dict) else None
            digest = ref.get("sha256") if isinstance(ref, dict) else None
            if not (
                isinstance(table, str) and isinstance(row_id, int | str) and isinstance(digest, str)
            ):
                self.problems.append((entry_id, f"records[{position}] of its payload is malformed"))
                continue
            self.refs.append(RecordRef(table, row_id, digest, entry_id, action, None))


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _disagreement(columns: tuple[Any, ...], said: tuple[Json, ...]) -> str:
    names = ("agency", "case", "action", "actor")
    differ = [
        f"{name}: payload {theirs!r}, column {ours!r}"
        for name, ours, theirs in zip(names, columns[:4], said[:4], strict=True)
        if ours != theirs
    ]
    if moment(said[4]) != moment(columns[4]):
        differ.append(f"at: payload {said[4]!r}, column recorded_at {columns[4]!r}")
    return "its payload disagrees with its columns (" + "; ".join(differ) + ")"


class EntryIndex:
    """One agency's entries in id order: their recomputed leaf hashes and where they sit.

    About 49 bytes an entry, so a log of a million entries costs some 49 MB.
    """

    def __init__(self) -> None:
        self.ids = array("q")
        self.hashes = bytearray()
        self.used = bytearray()
        self.index_of = array("q")
        self._next = 0

    def __len__(self) -> int:
        return len(self.ids)

    def fill(self, rows: Iterator[tuple[Any, ...]], checker: EntryChecker, say: Say) -> None:
        """Check and index every row (in id order); then make room for the leaf pass."""
        append, extend, check = self.ids.append, self.hashes.extend, checker.check
        with closing(read_ahead(rows)) as ahead:
            while block := list(islice(ahead, STREAM_CHUNK)):
                for row in block:
                    append(row[0])
                    extend(check(row))
                if len(self.ids) % PROGRESS_EVERY < len(block):
                    say(f"{len(self.ids)} 条目已重算 (entries rehashed)")
        self.used = bytearray(len(self.ids))
        self.index_of = array("q", [-1]) * len(self.ids)

    def slot(self, entry_id: int) -> int | None:
        """Where *entry_id* is; leaves mostly come in entry order, so guess the next one first."""
        guess = self._next
        ids = self.ids
        if not (guess < len(ids) and ids[guess] == entry_id):
            guess = bisect_left(ids, entry_id)
            if guess == len(ids) or ids[guess] != entry_id:
                return None
        self._next = guess + 1
        return guess

    def leaf_hash(self, slot: int) -> bytes:
        return bytes(self.hashes[slot * HASH_SIZE : (slot + 1) * HASH_SIZE])

    def place_run(self, slot: int, entry_ids: array[int], index: int) -> list[bytes] | None:
        """Place leaves index.. holding the entries from *slot* on, in order, all at once.

        Returns their leaf hashes, or None (placing nothing) if the leaves are not such a run.
        """
        end = slot + len(entry_ids)
        if self.ids[slot:end] != entry_ids or self.used.find(1, slot, end) >= 0:
            return None
        self.used[slot:end] = b"\x01" * len(entry_ids)
        self.index_of[slot:end] = array("q", range(index, index + len(entry_ids)))
        self._next = end
        block = bytes(self.hashes[slot * HASH_SIZE : end * HASH_SIZE])
        return [block[i : i + HASH_SIZE] for i in range(0, len(block), HASH_SIZE)]

    def place(self, slot: int, index: int) -> bool:
        """Record that leaf *index* holds this entry; False if another leaf already did."""
        first = self.used[slot] == 0
        self.used[slot] = 1
        if first:
            self.index_of[slot] = index
        return first

    def ledger_index(self, entry_id: int) -> int | None:
        slot = self.slot(entry_id)
        if slot is None or self.index_of[slot] < 0:
            return None
        return self.index_of[slot]

    def unplaced(self) -> Iterator[int]:
        """Ids of the entries no leaf holds."""
        position = self.used.find(0)
        while position >= 0:
            yield self.ids[position]
            position = self.used.find(0, position + 1)
