"""Test helpers: a cycle in a phase with dates that agree with it; tasks sent to a broker; a
script run in a fresh process on SQLite, as `make demo` runs."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from config.celery_app import app
from tests.accounts.factories import PASSWORD

DAY = timedelta(days=1)
ROOT = Path(__file__).resolve().parents[1]


def run_on_sqlite(
    script: str, database: Path, *, timeout: int = 900, **env: str
) -> subprocess.CompletedProcess:
    """Run ``script`` (Python) in a fresh process with the demo's settings on the SQLite file
    ``database`` and in-process tasks (no Redis); its media next to the file. ``env`` adds or
    overrides environment variables."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_MEDIA_ROOT": str(database.parent / "media"),
        **env,
    }
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# This run of the suite: names its Celery queues and workers, so that a second copy of the suite
# beside it (its own CHAMYEO_TEST_DB_NAME, the same Redis) never takes its tasks.
RUN_ID = uuid.uuid4().hex[:12]


def dates_for_phase(phase: Phase, now=None) -> dict:
    """Dates such that ``phase`` is the one happening now."""
    now = now or timezone.now()
    offsets = {
        # phase: proposals_start, proposals_end, voting_start, voting_end (days from now)
        Phase.DRAFT: (10, 40, 70, 84),
        Phase.PROPOSALS: (-1, 29, 59, 73),
        Phase.REVIEW: (-31, -1, 29, 43),
        Phase.VOTING: (-61, -31, -1, 13),
        Phase.TALLYING: (-76, -46, -16, -1),
        Phase.PUBLISHED: (-90, -60, -30, -16),
        Phase.IMPLEMENTATION: (-400, -370, -340, -326),
    }[phase]
    keys = ("proposals_start_at", "proposals_end_at", "voting_start_at", "voting_end_at")
    return {key: now + offset * DAY for key, offset in zip(keys, offsets, strict=True)}


def cycle_in_phase(cycle: BudgetCycle, phase: Phase) -> BudgetCycle:
    """Set dates and phase directly (test setup only; production goes through advance_phase)."""
    values = dates_for_phase(phase)
    values["phase"] = phase
    values["results_expected_at"] = None
    BudgetCycle.objects.filter(pk=cycle.pk).update(**values)
    cycle.refresh_from_db()
    return cycle


# The role fixtures (tests/conftest.py) a permission matrix about a cycle goes through.
CYCLE_ROLES = (
    "anonymous_user",
    "user_without_profile",
    "resident",
    "other_district_resident",
    "council_member",
    "staff_user",
)


def publish_to(url: str) -> None:
    """Send the app's tasks to the broker at ``url`` from now on (its producers reconnect)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


# allauth's re-authentication page: the gravest staff acts (publishing, closing a vote early,
# cutting a budget) send there first (core.reauthentication).
REAUTHENTICATE = "/accounts/reauthenticate/"


def reauthenticate(client) -> None:
    """The logged-in user of ``client`` enters their password again on allauth's page, as staff
    do before publishing, closing a vote early or cutting a budget (valid for 5 minutes)."""
    response = client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
