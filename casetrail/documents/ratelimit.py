"""A fixed-window limit per client address for the public pages, in Django's cache.

The address is REMOTE_ADDR: behind a reverse proxy, have the proxy set it (e.g. uWSGI/gunicorn
behind nginx with the real-IP module), never trust a client's X-Forwarded-For here. With the
default in-process cache each worker process counts on its own; configure a shared cache
(CACHES) to count across processes.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60
DEFAULT_PER_WINDOW = 30


def per_window() -> int:
    return int(getattr(settings, "CASETRAIL_VERIFY_RATE_PER_MINUTE", DEFAULT_PER_WINDOW))


def over_limit(request: HttpRequest, scope: str = "verify") -> bool:
    """Count this request; True once the address made more than the limit in this window."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"casetrail:rate:{scope}:{request.META.get('REMOTE_ADDR', '')}:{window}"
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
        count = 1
    return count > per_window()
