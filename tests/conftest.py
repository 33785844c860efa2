import os
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from budgeting.phases import Phase
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import CouncilMembershipFactory
from tests.budgeting.factories import DistrictFactory
from tests.helpers import RUN_ID
from tests.helpers import cycle_in_phase


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pabulib_dir() -> Path:
    """The shared Pabulib elections. Missing data is a failure, never a skip."""
    path = Path(os.environ.get("PABULIB_DIR", settings.PABULIB_DIR))
    if not path.is_dir() or not any(path.glob("*.pb")):
        pytest.fail(f"Pabulib data not found in {path} (set PABULIB_DIR)")
    return path


# --- places and cycles -------------------------------------------------------------------------
@pytest.fixture
def district(db):
    return DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")


@pytest.fixture
def other_district(db):
    return DistrictFactory(slug="yeonsu-gu", name_ko="연수구", name_en="Yeonsu-gu")


@pytest.fixture
def cycle(db):
    cycle = BudgetCycleFactory()
    return cycle_in_phase(cycle, Phase.PROPOSALS)


@pytest.fixture
def district_scope(cycle, district):
    return BallotScopeFactory(cycle=cycle, district=district, budget_won=300_000_000)


@pytest.fixture
def citywide_scope(cycle):
    return BallotScopeFactory(cycle=cycle, district=None, budget_won=1_000_000_000)


# --- people --------------------------------------------------------------------------------------
@pytest.fixture
def anonymous_user():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def user_without_profile(db):
    return UserFactory()


@pytest.fixture
def resident(district):
    """A verified resident of ``district``."""
    return ResidentProfileFactory(district=district, display_name="이주민").user


@pytest.fixture
def unverified_resident(district):
    return ResidentProfileFactory(district=district, verified_at=None).user


@pytest.fixture
def other_district_resident(other_district):
    return ResidentProfileFactory(district=other_district).user


@pytest.fixture
def council_member(cycle, district):
    user = ResidentProfileFactory(district=district, display_name="김위원").user
    CouncilMembershipFactory(cycle=cycle, user=user)
    activate_totp(user)
    return user


@pytest.fixture
def council_member_without_mfa(cycle, district):
    user = ResidentProfileFactory(district=district).user
    CouncilMembershipFactory(cycle=cycle, user=user)
    return user


@pytest.fixture
def staff_user(district):
    user = ResidentProfileFactory(district=district, display_name="예산과").user
    user.is_staff = True
    user.is_superuser = True
    user.save()
    activate_totp(user)
    return user


@pytest.fixture
def staff_without_mfa(district):
    user = ResidentProfileFactory(district=district).user
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


# --- Celery: a real worker over the test Redis --------------------------------------------------
# Each test that uses the worker gets a queue of its own, named after this run (a second copy of
# the suite beside this one shares the machine's Redis): its tasks are routed there, the worker
# consumes it for the length of the test, and at teardown the worker stops consuming it, finishes
# what it is running and the queue is emptied. A task left over by one test therefore never runs
# beside the next one, nor in the other copy of the suite.
_TEST_QUEUE: dict[str, str | None] = {"name": None}


def _route_to_the_tests_queue(name, args, kwargs, options, task=None, **kw):
    """Celery router: every task of the running worker test goes to that test's queue (an
    explicit ``queue=`` still wins)."""
    return {"queue": _TEST_QUEUE["name"]} if _TEST_QUEUE["name"] else None


def pytest_configure(config):
    from config.celery_app import app

    app.conf.task_routes = (_route_to_the_tests_queue,)


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker):
    """A real Celery worker (solo pool, own thread) on the test Redis broker. It starts with a
    queue of this run only; ``live_worker`` adds and removes one queue per test."""
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    app.conf.task_always_eager = False
    with (
        django_db_blocker.unblock(),
        start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=30,
            queues=[f"chamyeo-tests-{RUN_ID}"],
            hostname=f"tests-{RUN_ID}@localhost",
        ) as worker,
    ):
        yield worker


def _wait_until_idle(timeout: float = 120) -> None:
    """Wait for the in-process worker to finish the task it is running (if any)."""
    from celery.worker import state

    deadline = time.monotonic() + timeout
    while (state.active_requests or state.reserved_requests) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def live_worker(celery_worker_session, transactional_db, request):
    """Use with ``@pytest.mark.django_db(transaction=True)``: the worker sees committed rows and
    runs only this test's tasks."""
    from config.celery_app import app

    queue = f"chamyeo-tests-{RUN_ID}-{uuid.uuid4().hex[:8]}"
    hostname = celery_worker_session.hostname
    replies = app.control.add_consumer(queue, destination=[hostname], reply=True, timeout=10)
    assert replies, f"the test worker did not start consuming {queue}"
    _TEST_QUEUE["name"] = queue
    yield celery_worker_session
    _TEST_QUEUE["name"] = None
    app.control.cancel_consumer(queue, destination=[hostname], reply=True, timeout=10)
    _wait_until_idle()
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


@pytest.fixture(autouse=True)
def _tasks_reach_a_worker_only_in_worker_tests(request):
    """Only tests marked ``worker`` hand tasks to the test Redis broker. Every other test's
    enqueues (after commit in ``transaction=True`` tests: a count, a download, a relay kick) go
    to an in-memory broker that nothing consumes, so the session's Celery worker never runs one
    test's task beside the next test (it once did: a count while the database was truncated).
    Tests that need a broker of their own (an outage) still set one."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from config.celery_app import app
    from tests.helpers import publish_to

    saved = app.conf.broker_url
    publish_to("memory://")
    yield
    publish_to(saved)


@pytest.fixture(autouse=True)
def _reset_broker_breaker():
    """Each test starts with no broker marked down by an earlier failed enqueue."""
    from core import broker

    broker.reset()
    yield
    broker.reset()
