"""Who may read the operators' endpoints (/metrics, the details of /health/), and the cheap
liveness probe a load balancer polls.

An operators' request either carries ``Authorization: Bearer <CHAMYEO_OPS_TOKEN>`` or comes
straight from an address in ``CHAMYEO_OPS_IPS`` (default: this machine) without passing through
the proxy: a request nginx forwards has ``X-Forwarded-For``, and nginx on the same machine would
otherwise look like 127.0.0.1 for anybody on the internet.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.http import HttpResponse
from django.http.response import HttpResponseBase

LIVE_PATH = "/health/live"


@cache
def _networks(
    spec: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def is_ops_request(request: HttpRequest) -> bool:
    token = settings.CHAMYEO_OPS_TOKEN
    authorization = request.headers.get("Authorization", "")
    if token and authorization.startswith("Bearer "):
        return hmac.compare_digest(authorization.removeprefix("Bearer ").encode(), token.encode())
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.CHAMYEO_OPS_IPS)))


class LiveProbeMiddleware:
    """``GET /health/live``: 200 as long as this process answers; touches no database, cache or
    host check (a load balancer polls it by address), so it sits first in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info == LIVE_PATH and request.method in {"GET", "HEAD"}:
            response = HttpResponse(b"ok\n", content_type="text/plain")
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
