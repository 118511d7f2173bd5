"""The client's address, as the login guard and the public pages' limiter count it.

Without a reverse proxy (``CASETRAIL_PROXY_COUNT=0``, the default) it is REMOTE_ADDR and any
X-Forwarded-For header is ignored: a client could write anything there. Behind N proxies that
each append the address they received the request from, the client is the N-th address from
the right of X-Forwarded-For; the addresses left of it were written by the client and are never
trusted.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    proxies: int = settings.CASETRAIL_PROXY_COUNT
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if proxies == 0:
        return remote
    forwarded = [
        hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    ]
    forwarded = [hop for hop in forwarded if hop]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request did not come through all of them.
        return remote
    return forwarded[-proxies]
