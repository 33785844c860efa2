import os
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
@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker):
    """A real Celery worker (solo pool, own thread) consuming from the test Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    app.conf.task_always_eager = False
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker,
    ):
        yield worker


@pytest.fixture
def live_worker(celery_worker_session, transactional_db):
    """Use with ``@pytest.mark.django_db(transaction=True)``: the worker sees committed rows."""
    from config.celery_app import app

    app.control.purge()
    return celery_worker_session


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
