"""The one clock of the application; tests replace `now` to travel in time."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    """Today's date in the display time zone (Asia/Shanghai), where deadlines are counted."""
    return timezone.localdate(now())


def localdate(moment: datetime) -> date:
    return timezone.localdate(moment)
