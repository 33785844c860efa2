"""Prometheus metrics kept by the web processes (the database-backed ones are read at scrape
time: config/metrics.py).

With several gunicorn worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory
before they start (prometheus_client then keeps each process's values in files there and
/metrics adds them up), empty it at every restart, and let gunicorn's ``child_exit`` hook call
``prometheus_client.multiprocess.mark_process_dead(worker.pid)``. Without it each process
answers with its own numbers only.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter

from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from prometheus_client import Counter
from prometheus_client import Histogram

HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter(
    "chamyeo_http_requests", "HTTP requests answered, by method and status", ["method", "status"]
)
LATENCY = Histogram(
    "chamyeo_http_request_duration_seconds",
    "Seconds to answer a request, by URL name",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0),
)
BALLOTS_STORED = Counter(
    "chamyeo_ballots_stored", "Ballots stored (new or changed), by channel", ["channel"]
)


def count_stored_ballot(channel: str) -> None:
    """Count a ballot once its transaction commits (a rolled-back one was never stored)."""
    transaction.on_commit(BALLOTS_STORED.labels(channel=channel).inc)


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match is not None else "") or "unmatched"
        LATENCY.labels(view=view).observe(perf_counter() - started)
        method = request.method if request.method in HTTP_METHODS else "other"
        REQUESTS.labels(method=method, status=str(response.status_code)).inc()
        return response
