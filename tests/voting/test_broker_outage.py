"""With the Celery broker down, residents still vote; receipts go out when it is back.

The web side publishes to a redis-server of the test's own, which the test stops; the test
worker (shared by the session) delivers once publishing works again."""

import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from budgeting.models import Ballot
from budgeting.models import Participation
from notifications.models import OutboxMessage
from tests.helpers import publish_to
from tests.voting.factories import make_residents

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker, pytest.mark.slow]

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own on a free port (never the machine's one on 6379)."""

    def __init__(self):
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def publishing_to_private_redis(live_worker, private_redis):
    """The web side publishes to the private Redis (which the test stops); the shared test worker
    keeps consuming from the test broker, so no other test's worker is disturbed.
    Yields a function that puts the publisher back on the test broker ("Redis is back")."""
    from config.celery_app import app

    saved = app.conf.broker_url
    publish_to(private_redis.url)
    yield lambda: publish_to(saved)
    publish_to(saved)


def test_100_ballots_are_stored_while_redis_is_down_and_receipts_follow(
    private_redis,
    publishing_to_private_redis,
    voting_cycle,
    district,
    district_scope,
    district_projects,
):
    from notifications.tasks import relay_outbox_task

    broker_is_back = publishing_to_private_redis
    voters = make_residents(district, 100)
    url = reverse(
        "voting:ballot-submit",
        kwargs={"slug": district_scope.cycle.slug, "scope_pk": district_scope.pk},
    )
    private_redis.stop()  # the broker is down

    def vote(job):
        index, voter = job
        try:
            client = Client(raise_request_exception=False)
            client.force_login(voter)
            choice = district_projects[index % 4].pk
            return client.post(url, {"proposals": [choice]}).status_code
        finally:
            connection.close()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:  # 20 residents at a time
        statuses = list(pool.map(vote, enumerate(voters)))
    took = time.monotonic() - started
    assert statuses == [302] * 100  # 0 server errors
    assert Ballot.objects.count() == 100
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 100
    assert mail.outbox == []
    # Stored and acknowledged; each vote may wait for the broker's connect timeout (see README).
    assert took < 60

    broker_is_back()  # the periodic relay (beat) runs once the broker answers again
    relay_outbox_task.apply_async(ignore_result=True)
    deadline = time.monotonic() + 60
    while len(mail.outbox) < 100 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # nothing more should arrive
    receipts = set(Participation.objects.values_list("receipt", flat=True))
    mailed = [next(r for r in receipts if r in message.body) for message in mail.outbox]
    assert len(mailed) == 100
    assert set(mailed) == receipts  # each receipt exactly once
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.email for v in voters)
    assert OutboxMessage.objects.count() == 0
