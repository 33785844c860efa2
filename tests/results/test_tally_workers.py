"""tally_scope on real Celery workers over Redis: duplicate deliveries and a killed worker.

The sequential test uses the in-process ``live_worker``. The concurrent and kill tests start real
``celery worker`` processes (settings: ``worker_settings.py`` next to this file) on the test
database, so one can be SIGKILLed in the middle of a count.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from budgeting.models import AuditEvent
from budgeting.models import TallyRun
from budgeting.tally import canonical_pb
from budgeting.tally.rules import RULES
from results.selectors import get_tally_input
from results.tasks import tally_scope_task
from tests.helpers import RUN_ID
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope

ROOT = Path(__file__).resolve().parents[2]


def _expected(scope):
    """Fingerprint and allocations of an uninterrupted count, computed without the database."""
    scope_input = get_tally_input(scope=scope)
    fingerprint = canonical_pb(scope_input.tally_input, scope_input.meta).fingerprint
    outcome = RULES[scope.cycle.tally_rule](scope_input.tally_input)
    lines = [
        (int(r.project_id), r.votes, r.cost, r.funded, r.rank, r.reason_code)
        for r in outcome.results
    ]
    return fingerprint, lines


def _stored(run):
    return [
        (a.proposal_id, a.votes, a.cost_won, a.is_funded, a.rank, a.reason_code)
        for a in run.allocations.order_by("rank")
    ]


def _election():
    cycle = make_cycle(tally_rule="mes")
    scope, (a, b, c, d) = make_scope(
        cycle=cycle, budget_won=1_000_000, costs=[600_000, 400_000, 300_000, 500_000]
    )
    cast_ballots(scope=scope, ballots=[[a, b]] * 50 + [[b]] * 20 + [[c]] * 30 + [[d]] * 10)
    return scope


# The subprocess workers consume their own queue, named after this run, so neither the in-process
# ``live_worker`` nor the workers of a second copy of the suite (same Redis) take these messages.
QUEUE = f"t5-tally-tests-{RUN_ID}"


def _send(scope):
    return tally_scope_task.apply_async((scope.pk,), queue=QUEUE)


def _start_worker(name: str, *, delay: float, visibility_timeout: float = 3600):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "tests.results.worker_settings",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{connection.settings_dict['NAME']}"
        ),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CHAMYEO_TALLY_TEST_DELAY_SECONDS": str(delay),
        "CHAMYEO_TEST_VISIBILITY_TIMEOUT": str(visibility_timeout),
    }
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config.celery_app",
            "worker",
            "--pool=solo",
            "--prefetch-multiplier=1",
            "-Q",
            QUEUE,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{RUN_ID}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(process, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _ready_workers(prefix: str) -> int:
    from config.celery_app import app

    replies = app.control.ping(timeout=0.5) or []
    return sum(
        1 for reply in replies for name in reply if name.startswith(prefix) and RUN_ID in name
    )


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")
    return None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_delivering_tally_scope_twice_in_a_row_gives_one_run(live_worker):
    scope = _election()
    fingerprint, lines = _expected(scope)

    first = tally_scope_task.delay(scope.pk).get(timeout=60)
    second = tally_scope_task.delay(scope.pk).get(timeout=60)

    run = TallyRun.objects.get(scope=scope, rule="mes")
    assert first == second == run.pk
    assert (run.status, run.fingerprint) == (TallyRun.Status.SUCCEEDED, fingerprint)
    assert _stored(run) == lines
    assert TallyRun.objects.filter(scope=scope).count() == 2  # and one greedy comparison


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_delivering_tally_scope_twice_at_once_to_two_workers_gives_one_run():
    scope = _election()
    fingerprint, lines = _expected(scope)
    workers = [_start_worker(f"t5-dup-{n}", delay=4) for n in (1, 2)]
    try:
        _wait_for(lambda: _ready_workers("t5-dup-") == 2, timeout=60, what="two workers")
        results = [_send(scope) for _ in range(2)]
        pks = [r.get(timeout=90) for r in results]
    finally:
        for worker in workers:
            _stop(worker)

    run = TallyRun.objects.get(scope=scope, rule="mes")
    assert pks == [run.pk, run.pk]
    # both deliveries found the run uncounted and counted it at the same time
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.TALLY_STARTED).count() == 2
    assert (run.status, run.fingerprint) == (TallyRun.Status.SUCCEEDED, fingerprint)
    assert _stored(run) == lines


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_count_is_replaced_and_the_count_converges():
    scope = _election()
    fingerprint, lines = _expected(scope)
    first = _start_worker("t5-doomed", delay=30, visibility_timeout=3)
    second = None
    try:
        _send(scope)
        _wait_for(
            lambda: TallyRun.objects.filter(
                scope=scope, rule="mes", status=TallyRun.Status.RUNNING
            ).exists(),
            timeout=60,
            what="the first worker to start counting",
        )
        _stop(first, signal.SIGKILL)  # mid-count: the message was never acknowledged
        assert TallyRun.objects.get(scope=scope, rule="mes").status == TallyRun.Status.RUNNING
        second = _start_worker("t5-rescuer", delay=0, visibility_timeout=3)
        run = _wait_for(
            lambda: TallyRun.objects.filter(
                scope=scope, rule="mes", status=TallyRun.Status.SUCCEEDED
            ).first(),
            timeout=90,
            what="the new worker to finish the count",
        )
    finally:
        _stop(first, signal.SIGKILL)
        if second is not None:
            _stop(second)

    assert TallyRun.objects.filter(scope=scope, rule="mes").count() == 1
    assert run.fingerprint == fingerprint
    assert _stored(run) == lines
