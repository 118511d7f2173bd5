"""Whom the ledger keeps logs for, as far as it needs to know: it imports no agency or case.

An act is appended to its agency's log (`LogOwner`: its id), and may be about a case
(`CaseSubject`: its id and number, which the entry's payload carries). Which agencies exist
is the domain's to say: its app registers a directory when ready (`register_agencies`), and
the ledger's reads (`selectors.py`, `verify.py`) list the agencies through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, Protocol


class LogOwner(Protocol):
    """The agency whose log an entry joins (the domain's agency row)."""

    pk: Any


class CodedLogOwner(LogOwner, Protocol):
    """An agency with its code, which names its log (the checkpoints' origin)."""

    code: str


class CaseSubject(Protocol):
    """The case an entry is about (the domain's case row)."""

    pk: Any
    case_number: str


class AgencyRow(NamedTuple):
    """One agency as the ledger lists it: id, code (its log's origin) and short name."""

    pk: int
    code: str
    short_name: str


AgencyDirectory = Callable[[], Iterable[tuple[int, str, str]]]
_directories: list[AgencyDirectory] = []


def register_agencies(directory: AgencyDirectory) -> None:
    """Make *directory* the list of agencies (id, code, short name); the domain app calls this
    once when ready."""
    _directories[:] = [directory]


def agency_rows() -> list[AgencyRow]:
    """Every agency, by id."""
    if not _directories:
        raise LookupError("no agency directory registered with the ledger (register_agencies)")
    return sorted(AgencyRow(*row) for row in _directories[0]())
