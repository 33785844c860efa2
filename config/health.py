"""``/health/``: is this node ready to serve? PostgreSQL, the Redis cache, the Celery broker, the
file storage and the migrations, each checked with a short timeout (django-health-check's
database and storage checks, and ours).

Anybody gets ``{"status": "up"}`` (200) or ``{"status": "down"}`` (503) and nothing more; an
operators' request (core.ops: the token, or this machine directly) also gets each check's
outcome. ``/health/live`` (core.ops.LiveProbeMiddleware) only says the process answers.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import uuid

from django.core.cache import caches
from django.db import connections
from django.db import transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.checks import Storage
from health_check.exceptions import HealthCheckException
from health_check.exceptions import ServiceUnavailable

from config.celery_app import app as celery_app
from core.ops import is_ops_request

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker takes a connection (and, on Redis, answers PING) within 2 s."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=2), repr=False
    )

    def run(self) -> None:
        seconds = int(self.timeout.total_seconds())
        try:
            with celery_app.connection_for_write() as connection:
                connection.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0, timeout=seconds
                )
                client = getattr(connection.default_channel, "client", None)
                if client is not None:  # Redis; the in-memory broker of the demo has none
                    client.ping()
        except Exception as exc:
            raise ServiceUnavailable("broker unreachable") from exc


@dataclasses.dataclass
class CacheRoundTrip(HealthCheck):
    """A value written to the cache reads back. (The outage-tolerant cache turns a Redis error
    into a miss, so a miss here is the failure.)"""

    def run(self) -> None:
        cache = caches["default"]
        key = f"health:{uuid.uuid4().hex}"
        cache.set(key, "ok", timeout=10)
        if cache.get(key) != "ok":
            raise ServiceUnavailable("cache unreachable")
        cache.delete(key)


_migrations_applied = False


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of this code is applied to the database (a node deployed ahead of
    ``migrate`` is not ready). Once true it stays true for the process: not read again."""

    def run(self) -> None:
        global _migrations_applied  # noqa: PLW0603 (a per-process memo)
        if _migrations_applied:
            return
        executor = MigrationExecutor(connections["default"])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migrations not applied")
        _migrations_applied = True


def health_checks() -> dict[str, HealthCheck]:
    return {
        "database": Database(),
        "cache": CacheRoundTrip(),
        "broker": Broker(),
        "storage": Storage(),
        "migrations": Migrations(),
    }


def run_health_checks() -> dict[str, str]:
    """name -> "ok" or what failed (in the request's thread, one after the other)."""
    outcome = {}
    for name, check in health_checks().items():
        try:
            check.run()
        except HealthCheckException as exc:
            logger.warning("health check %s failed: %s", name, exc.message, exc_info=True)
            outcome[name] = str(exc.message)
        except Exception:
            logger.exception("health check %s failed", name)
            outcome[name] = "unexpected error"
        else:
            outcome[name] = "ok"
    return outcome


@require_safe
@never_cache
@transaction.non_atomic_requests
def health_view(request: HttpRequest) -> JsonResponse:
    checks = run_health_checks()
    up = all(result == "ok" for result in checks.values())
    body: dict[str, object] = {"status": "up" if up else "down"}
    if is_ops_request(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if up else 503)
