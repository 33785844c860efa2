"""``/metrics`` for Prometheus, for operators only (core.ops; anybody else gets a 404).

The request counts and times and the ballots stored come from the web processes (core.metrics;
added up over every gunicorn worker when ``PROMETHEUS_MULTIPROC_DIR`` is set). What the whole
city's installation shares is read from PostgreSQL at scrape time, so every node reports the same
numbers whichever Celery worker did the work: tally runs by status, the e-mail outbox's backlog
and the published downloads not built yet.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.db.models import Count
from django.db.models import Min
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from budgeting.models import ExportFile
from budgeting.models import TallyRun
from core.ops import is_ops_request
from notifications.models import OutboxMessage


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        runs = GaugeMetricFamily(
            "chamyeo_tally_runs", "Tally runs in the database, by status", labels=["status"]
        )
        counted = dict(TallyRun.objects.values_list("status").annotate(n=Count("pk")).order_by())
        for status in TallyRun.Status:
            runs.add_metric([status.value], counted.get(status.value, 0))
        yield runs

        waiting = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(
            n=Count("pk"), oldest=Min("created_at")
        )
        yield GaugeMetricFamily(
            "chamyeo_outbox_backlog",
            "E-mails written but not handed to the mail server yet",
            value=waiting["n"],
        )
        oldest = waiting["oldest"]
        yield GaugeMetricFamily(
            "chamyeo_outbox_oldest_seconds",
            "Age of the oldest e-mail still waiting in the outbox (0 when none)",
            value=(timezone.now() - oldest).total_seconds() if oldest else 0,
        )
        yield GaugeMetricFamily(
            "chamyeo_downloads_unbuilt",
            "Downloads of published results not built yet (pending or failed)",
            value=ExportFile.objects.filter(tally_run__published_at__isnull=False)
            .exclude(status=ExportFile.Status.SUCCEEDED)
            .count(),
        )


def render_metrics() -> bytes:
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(processes)
        return generate_latest(processes) + generate_latest(database)
    return generate_latest(REGISTRY) + generate_latest(database)


@require_safe
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not is_ops_request(request):
        raise Http404
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
