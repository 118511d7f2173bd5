"""The one clock of the application; tests replace `now` to travel in time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone


def now() -> datetime:
    """The current moment, aware, in UTC (as `django.utils.timezone.now` with ``USE_TZ``,
    which this project always sets, without reading the setting on every call)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the display time zone (Asia/Shanghai), where deadlines are counted."""
    return timezone.localdate(now())


def localdate(moment: datetime) -> date:
    return timezone.localdate(moment)
