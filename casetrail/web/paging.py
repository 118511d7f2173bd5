"""Keyset pages of the case lists: 50 cases a page, newest first, by (opened_at, id).

No COUNT and no OFFSET: a page is "the 50 cases before (or after) this one", read on the
(agency, opened_at, id) and (opened_at, id) indexes however many cases there are. A cursor is
``<microseconds since the epoch>-<case id>`` of the last (or first) case of the page shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from django.db.models import Q, QuerySet

from casetrail.cases.models import Case

PAGE_SIZE: Final = 50
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR: Final = re.compile(r"^(-?\d{1,20})-(\d{1,20})$")


def cursor_of(case: Case) -> str:
    micros = (case.opened_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}-{case.pk}"


def parse_cursor(text: str) -> tuple[datetime, int] | None:
    """(opened_at, id) of a cursor; None for anything else (the first page is shown)."""
    match = CURSOR.match(text or "")
    if match is None:
        return None
    try:
        opened_at = EPOCH + timedelta(microseconds=int(match.group(1)))
    except OverflowError:
        return None
    return opened_at, int(match.group(2))


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    newer: str | None  # cursor of the page before (newer cases), None on the first page
    older: str | None  # cursor of the page after (older cases), None on the last page

    @property
    def paged(self) -> bool:
        return self.newer is not None or self.older is not None


def case_page(cases: QuerySet[Case], *, before: str = "", after: str = "") -> CasePage:
    """The page of *cases* (newest first) older than cursor *before*, or newer than *after*."""
    older_than, newer_than = parse_cursor(before), parse_cursor(after)
    if newer_than is not None:
        at, pk = newer_than
        newer_first = cases.filter(Q(opened_at__gt=at) | Q(opened_at=at, pk__gt=pk))
        rows = list(newer_first.order_by("opened_at", "pk")[: PAGE_SIZE + 1])
        more_newer = len(rows) > PAGE_SIZE
        page = rows[:PAGE_SIZE][::-1]
        return CasePage(
            page,
            newer=cursor_of(page[0]) if more_newer else None,
            older=cursor_of(page[-1]) if page else None,
        )
    if older_than is not None:
        at, pk = older_than
        cases = cases.filter(Q(opened_at__lt=at) | Q(opened_at=at, pk__lt=pk))
    rows = list(cases.order_by("-opened_at", "-pk")[: PAGE_SIZE + 1])
    page = rows[:PAGE_SIZE]
    return CasePage(
        page,
        newer=cursor_of(page[0]) if older_than is not None and page else None,
        older=cursor_of(page[-1]) if len(rows) > PAGE_SIZE else None,
    )
