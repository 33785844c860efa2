"""Operations: /health/live, /health/ (up/down for anybody, each check for operators), /metrics
(operators only; request, ballot, tally and outbox figures; the multi-process case), request ids.
The services are real: the test PostgreSQL, the machine's Redis as broker, a port where nothing
listens for an outage, and the S3 test server for the bucket."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from budgeting.models import TallyRun
from config import health
from config.metrics import render_metrics
from notifications.models import OutboxMessage
from results.services.counting import tally_scope
from tests.config.conftest import free_port
from tests.helpers import publish_to
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot
from voting.services.ballots import submit_ballot

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}
CHECKS = ["database", "cache", "broker", "storage", "migrations"]


@pytest.fixture
def broker(settings):
    """The app's tasks go to the machine's Redis (the test REDIS_URL) during the test."""
    from config.celery_app import app

    before = app.conf.broker_url
    publish_to(settings.REDIS_URL)
    yield
    publish_to(before)


@pytest.fixture
def dead_broker():
    from config.celery_app import app

    before = app.conf.broker_url
    publish_to(f"redis://127.0.0.1:{free_port()}/0")
    yield
    publish_to(before)


@pytest.fixture
def ops_token(settings):
    settings.CHAMYEO_OPS_TOKEN = "ops-token-for-the-test-0123456789"
    return settings.CHAMYEO_OPS_TOKEN


# --- /health/live ------------------------------------------------------------------------------
def test_live_probe_answers_by_address_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/health/live", HTTP_HOST="10.0.3.17:8000", **OUTSIDE)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


# --- /health/ ----------------------------------------------------------------------------------
def test_health_says_up_to_anybody_and_shows_operators_each_check(broker, client, ops_token):
    public = client.get("/health/", **OUTSIDE)
    assert public.status_code == 200
    assert public.json() == {"status": "up"}  # nothing about what runs behind it

    local = client.get("/health/")  # straight from this machine (127.0.0.1)
    assert local.json() == {"status": "up", "checks": dict.fromkeys(CHECKS, "ok")}
    token = client.get("/health/", HTTP_AUTHORIZATION=f"Bearer {ops_token}", **OUTSIDE)
    assert token.json()["checks"] == dict.fromkeys(CHECKS, "ok")


def test_through_the_proxy_or_with_a_wrong_token_nobody_sees_the_checks(broker, client, ops_token):
    # nginx on the same machine connects from 127.0.0.1, but says whom for
    proxied = client.get("/health/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.json() == {"status": "up"}
    wrong = client.get("/health/", HTTP_AUTHORIZATION="Bearer guess", **OUTSIDE)
    assert wrong.json() == {"status": "up"}


def test_a_broker_outage_is_down_within_seconds(dead_broker, client):
    started = time.monotonic()
    public = client.get("/health/", **OUTSIDE)
    local = client.get("/health/")
    assert time.monotonic() - started < 10

    assert (public.status_code, public.json()) == (503, {"status": "down"})
    assert local.status_code == 503
    assert local.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "broker unreachable",
        "storage": "ok",
        "migrations": "ok",
    }


def test_a_redis_cache_outage_is_down(broker, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    local = client.get("/health/")

    assert local.status_code == 503
    assert local.json()["checks"]["cache"] == "cache unreachable"


def test_storage_is_checked_in_the_bucket(broker, client, s3_storage, settings):
    ok = client.get("/health/")
    assert ok.json()["checks"]["storage"] == "ok"
    s3, bucket = s3_storage
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0  # it cleaned up after itself

    s3.delete_bucket(Bucket=bucket)
    down = client.get("/health/")
    assert down.status_code == 503
    assert down.json()["checks"]["storage"] != "ok"


def test_a_node_ahead_of_its_migrations_is_not_ready(broker, client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    MigrationRecorder.Migration.objects.filter(app="proposals").delete()  # rolled back after

    response = client.get("/health/")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["migrations"].endswith("migrations not applied")
    assert checks["database"] == "ok"


# --- /metrics ----------------------------------------------------------------------------------
def _metric(text: str, line_start: str, *, missing: float | None = None) -> float:
    values = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(line_start)]
    if not values and missing is not None:
        return missing  # a labelled counter appears once counted
    assert len(values) == 1, (line_start, values)
    return float(values[0])


def test_metrics_are_for_operators_only(client, ops_token):
    assert client.get("/metrics", **OUTSIDE).status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **OUTSIDE).status_code == 404
    assert client.get("/metrics").status_code == 200
    token = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {ops_token}", **OUTSIDE)
    assert token.status_code == 200
    assert token["Content-Type"].startswith("text/plain; version=")


def test_metrics_count_requests_ballots_tally_runs_and_the_outbox(
    client, cycle, district_scope, resident, django_capture_on_commit_callbacks
):
    open_voting(cycle, rule="approval", approval_min_choices=1, approval_max_choices=2)
    project = put_on_ballot(district_scope, [100_000_000])[0]
    before = client.get("/metrics").text
    ballots_before = _metric(before, 'chamyeo_ballots_stored_total{channel="online"}', missing=0)
    ok_before = _metric(before, 'chamyeo_http_requests_total{method="GET",status="200"}')

    with django_capture_on_commit_callbacks(execute=True):
        submit_ballot(voter=resident, scope=district_scope, choices={project.pk: 1})
    OutboxMessage.objects.filter(sent_at__isnull=True).delete()
    for n in range(3):
        OutboxMessage.objects.create(to_email=f"r{n}@chamyeo.example", template="t")
    counted = make_cycle()
    scope, (a,) = make_scope(cycle=counted, budget_won=100, costs=[50], district_slug="m")
    cast_ballots(scope=scope, ballots=[[a]])
    tally_scope(scope_id=scope.pk)
    client.get(reverse("home"))

    after = client.get("/metrics").text
    assert _metric(after, 'chamyeo_ballots_stored_total{channel="online"}') == ballots_before + 1
    # the first /metrics and the home page
    assert _metric(after, 'chamyeo_http_requests_total{method="GET",status="200"}') >= ok_before + 2
    assert 'chamyeo_http_request_duration_seconds_count{view="home"}' in after
    assert _metric(after, "chamyeo_outbox_backlog ") == 3
    assert (
        _metric(after, 'chamyeo_tally_runs{status="succeeded"}')
        == TallyRun.objects.filter(status="succeeded").count()
    )
    assert TallyRun.objects.filter(status="succeeded").count() >= 1
    assert "chamyeo_downloads_unbuilt 0.0" in after


WRITE = """
from core.metrics import BALLOTS_STORED, LATENCY
BALLOTS_STORED.labels(channel="online").inc()
LATENCY.labels(view="voting:ballot-submit").observe(0.05)
"""


def test_metrics_add_up_every_gunicorn_worker_process(tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR, each process writes its values there; /metrics sums them."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    for _worker in range(2):  # two worker processes, each storing one ballot
        subprocess.run(  # noqa: S603 (our interpreter)
            [sys.executable, "-c", WRITE],
            cwd=ROOT,
            env={"PROMETHEUS_MULTIPROC_DIR": str(directory), "PYTHONPATH": str(ROOT)},
            check=True,
            timeout=60,
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))

    text = render_metrics().decode()

    assert _metric(text, 'chamyeo_ballots_stored_total{channel="online"}') == 2
    assert (
        _metric(text, 'chamyeo_http_request_duration_seconds_count{view="voting:ballot-submit"}')
        == 2
    )
    assert "chamyeo_outbox_backlog" in text  # the database's figures are added once


# --- request ids -------------------------------------------------------------------------------
def test_every_answer_carries_a_request_id(client):
    given = client.get("/health/live", HTTP_X_REQUEST_ID="0f3c9a7e5b2d4c1a8e6f0a9b8c7d6e5f")
    assert given["X-Request-ID"] == "0f3c9a7e5b2d4c1a8e6f0a9b8c7d6e5f"
    made = client.get("/health/live")
    assert len(made["X-Request-ID"]) == 32
    assert made["X-Request-ID"] != client.get("/health/live")["X-Request-ID"]
    injected = client.get("/health/live", HTTP_X_REQUEST_ID='x" level=ERROR forged')
    assert injected["X-Request-ID"] != 'x" level=ERROR forged'
    assert len(injected["X-Request-ID"]) == 32


def test_log_lines_carry_the_request_id():
    """The plain format (development, tests) names the request id in every line."""
    import logging

    from core.request_id import REQUEST_ID
    from core.request_id import JsonFormatter
    from core.request_id import RequestIdFilter

    record = logging.LogRecord("chamyeo", logging.WARNING, __file__, 1, "cache %s", ("down",), None)
    token = REQUEST_ID.set("abcdef0123456789")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    plain = logging.Formatter("%(levelname)s [%(request_id)s] %(message)s").format(record)
    assert plain == "WARNING [abcdef0123456789] cache down"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abcdef0123456789"
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "chamyeo", "cache down")


# --- Sentry's before_send -----------------------------------------------------------------------
def test_error_reports_lose_bodies_cookies_locals_users_and_sql():
    from core.request_id import REQUEST_ID
    from core.sentry import scrub_event

    event = {
        "request": {
            "url": "https://budget.chamyeo.example/cycles/2027/vote/3/submit/",
            "method": "POST",
            "data": {"choices": ["4217", "4218"]},
            "cookies": {"sessionid": "secret-session"},
            "query_string": "email=resident@chamyeo.example",
            "env": {"REMOTE_ADDR": "203.0.113.9"},
            "headers": {
                "Host": "budget.chamyeo.example",
                "Cookie": "sessionid=secret-session",
                "Authorization": "Bearer ops",
                "X-Forwarded-For": "203.0.113.9",
                "User-Agent": "Mozilla/5.0",
            },
        },
        "user": {"id": 7, "email": "resident@chamyeo.example"},
        "exception": {
            "values": [
                {"stacktrace": {"frames": [{"function": "submit", "vars": {"choices": "4217"}}]}}
            ]
        },
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "INSERT ... 4217"},
                {"category": "django.request", "message": "POST"},
            ]
        },
    }
    token = REQUEST_ID.set("0f3c9a7e5b2d4c1a8e6f0a9b8c7d6e5f")
    try:
        scrubbed = scrub_event(event, {})
    finally:
        REQUEST_ID.reset(token)

    assert scrubbed["request"] == {
        "url": "https://budget.chamyeo.example/cycles/2027/vote/3/submit/",
        "method": "POST",
        "headers": {"Host": "budget.chamyeo.example", "User-Agent": "Mozilla/5.0"},
    }
    assert "user" not in scrubbed
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "submit"}]
    assert scrubbed["breadcrumbs"]["values"] == [{"category": "django.request", "message": "POST"}]
    assert scrubbed["tags"] == {"request_id": "0f3c9a7e5b2d4c1a8e6f0a9b8c7d6e5f"}
    assert "4217" not in json.dumps(scrubbed)
