"""A sliding-window limit per client address for the public pages (/v/), in the database.

Each request is one `RateHit` row; a request is over the limit when the address made more than
the limit within the last WINDOW (the request itself included), however the minutes fall. The
rows are in the database every app process shares, so the processes count together; rows older
than the window are removed as requests come in. The address is `casetrail.client.
client_address` (REMOTE_ADDR, or the proxy's view with CASETRAIL_PROXY_COUNT).

Every request counts, refused ones too: a client that keeps hammering stays refused until it
has been quiet for the limit's worth of the window.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest

from casetrail import clock
from casetrail.client import client_address
from casetrail.documents.models import RateHit

WINDOW = timedelta(seconds=60)


def over_limit(request: HttpRequest, scope: str = "verify") -> bool:
    """Count this request; True once the address made more than the limit in the window."""
    now = clock.now()
    address = client_address(request)[:45]
    RateHit.objects.filter(hit_at__lte=now - WINDOW).delete()  # a working table
    RateHit.objects.create(scope=scope, address=address, hit_at=now)
    recent = RateHit.objects.filter(scope=scope, address=address, hit_at__gt=now - WINDOW)
    limit: int = settings.CASETRAIL_VERIFY_RATE_PER_MINUTE
    return recent.count() > limit
