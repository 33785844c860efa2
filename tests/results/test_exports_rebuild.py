"""Downloads left unbuilt by a broker outage at publication: the periodic retry, the staff
"build the downloads again" action, and what the public results page says meanwhile.

The broker is a redis-server of the test's own (never the machine's one), which a test can stop.
"""

import base64
import hashlib
import json
import time
from datetime import timedelta

import pytest
import redis
import time_machine
from django.urls import reverse
from django.utils import timezone

from budgeting.models import AuditEvent
from budgeting.models import ExportFile
from core import broker as broker_breaker
from results.services.counting import tally_scope
from results.services.exports import EXPORT_MAX_ATTEMPTS
from results.services.exports import build_export_file
from results.services.exports import retry_stalled_exports
from results.services.publication import PublicationError
from results.services.publication import publish_results
from results.services.publication import rebuild_result_downloads
from results.tasks import retry_stalled_exports_task
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import CouncilMembershipFactory
from tests.helpers import publish_to
from tests.voting.test_broker_outage import PrivateRedis


class Broker:
    """The web side publishes tasks to a private redis-server, which the test may stop."""

    def __init__(self):
        self.redis = PrivateRedis()

    def publish_to(self, url: str) -> None:
        publish_to(url)

    def queued(self) -> list[tuple[str, list]]:
        """(task name, args) of every message waiting in the private broker."""
        client = redis.Redis(port=self.redis.port)
        messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
        client.close()
        return [
            (m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages
        ]


@pytest.fixture
def broker():
    from config.celery_app import app

    saved = app.conf.broker_url
    broker = Broker()
    broker.redis.start()
    broker.publish_to(broker.redis.url)
    yield broker
    broker.publish_to(saved)
    broker.redis.stop()


@pytest.fixture
def published_during_outage(
    counted_election, staff_user, broker, django_capture_on_commit_callbacks
):
    """Results published while the broker is down: the three builds never got queued."""
    e = counted_election
    e["run"] = tally_scope(scope_id=e["scope"].pk)
    broker.redis.stop()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        publish_results(cycle_id=e["cycle"].pk, actor=staff_user)
    e["publication_took_s"] = time.monotonic() - started
    broker.redis.start()  # the broker is back, on the same address
    broker.publish_to(broker.redis.url)
    broker_breaker.reset()  # the pause after the failure is over
    e["cycle"].refresh_from_db()
    e["run"].refresh_from_db()
    return e


def _exports():
    return {e.kind: e for e in ExportFile.objects.all()}


def _rebuild_was_audited() -> bool:
    return AuditEvent.objects.filter(event_type=AuditEvent.Type.EXPORTS_REBUILD_REQUESTED).exists()


def _later(minutes: float):
    """``minutes`` from now; the clock keeps running there (kombu's connection timeout uses it)."""
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes))


# --- the periodic retry ---------------------------------------------------------------------
@pytest.mark.django_db
def test_outage_at_publication_leaves_the_downloads_pending(published_during_outage, broker):
    # one refused connection (about 2 s), then the other builds are not even tried
    assert published_during_outage["publication_took_s"] < 4.5
    assert {kind: e.status for kind, e in _exports().items()} == {
        "csv": "pending",
        "json": "pending",
        "pb": "pending",
    }
    assert broker.queued() == []


@pytest.mark.django_db
def test_retry_leaves_a_download_alone_during_the_grace_period(published_during_outage, broker):
    with _later(minutes=1):
        assert retry_stalled_exports() == 0

    assert broker.queued() == []
    assert {e.attempts for e in _exports().values()} == {0}


@pytest.mark.django_db
def test_retry_asks_again_for_each_download_pending_past_the_grace_period(
    published_during_outage, broker
):
    with _later(minutes=3):
        asked = retry_stalled_exports()
        again = retry_stalled_exports()  # a doubled run asks nothing more

    exports = _exports()
    assert (asked, again) == (3, 0)
    assert sorted(broker.queued()) == sorted(
        ("budgeting.build_export_file", [e.pk]) for e in exports.values()
    )
    assert {e.attempts for e in exports.values()} == {1}


@pytest.mark.django_db
def test_retry_waits_longer_after_each_request_and_gives_up_after_the_last(
    published_during_outage, broker
):
    asked_at = []
    for minutes in range(1, 200):  # one sweep a minute for more than three hours
        with _later(minutes=minutes):
            if retry_stalled_exports():
                asked_at.append(minutes)

    # 2 minutes after publication, then after 4, 8, 16 and 32 more minutes; then no more
    assert asked_at == [2, 6, 14, 30, 62]
    assert len(asked_at) == EXPORT_MAX_ATTEMPTS
    assert {e.attempts for e in _exports().values()} == {EXPORT_MAX_ATTEMPTS}
    assert len(broker.queued()) == 3 * EXPORT_MAX_ATTEMPTS


@pytest.mark.django_db
def test_retry_while_the_broker_is_down_keeps_its_attempts(published_during_outage, broker):
    broker.redis.stop()

    with _later(minutes=3):
        asked = retry_stalled_exports()

    assert asked == 0
    assert {(e.attempts, e.enqueued_at) for e in _exports().values()} == {(0, None)}


@pytest.mark.django_db
def test_retry_builds_a_failed_download_and_never_touches_a_built_one(
    published_during_outage, broker
):
    run = published_during_outage["run"]
    exports = _exports()
    built_csv = build_export_file(export_file_id=exports["csv"].pk)
    build_export_file(export_file_id=exports["pb"].pk)
    ExportFile.objects.filter(pk=exports["pb"].pk).update(status="failed", error="disk full")

    with _later(minutes=3):
        asked = retry_stalled_exports()
    for _name, (export_id,) in broker.queued():  # what a worker would do with the messages
        build_export_file(export_file_id=export_id)

    exports = _exports()
    assert asked == 2  # the JSON and the failed .pb
    assert {kind: e.status for kind, e in exports.items()} == {
        "csv": "succeeded",
        "json": "succeeded",
        "pb": "succeeded",
    }
    assert (exports["csv"].sha256, exports["csv"].file.name, exports["csv"].attempts) == (
        built_csv.sha256,
        built_csv.file.name,
        0,
    )
    assert exports["pb"].sha256 == run.fingerprint
    assert hashlib.sha256(exports["pb"].file.read()).hexdigest() == run.fingerprint


# --- staff: build the downloads again -------------------------------------------------------
@pytest.mark.django_db
def test_staff_rebuild_asks_for_pending_and_failed_downloads_only(
    published_during_outage, broker, staff_user, django_capture_on_commit_callbacks
):
    exports = _exports()
    built_csv = build_export_file(export_file_id=exports["csv"].pk)
    ExportFile.objects.filter(pk=exports["json"].pk).update(
        status="failed", error="disk full", attempts=EXPORT_MAX_ATTEMPTS
    )

    with django_capture_on_commit_callbacks(execute=True):
        count = rebuild_result_downloads(
            cycle_id=published_during_outage["cycle"].pk, actor=staff_user
        )

    exports = _exports()
    assert count == 2
    assert sorted(broker.queued()) == sorted(
        [
            ("budgeting.build_export_file", [exports["json"].pk]),
            ("budgeting.build_export_file", [exports["pb"].pk]),
        ]
    )
    assert (exports["json"].status, exports["json"].attempts) == ("pending", 0)
    assert (exports["csv"].status, exports["csv"].sha256, exports["csv"].file.name) == (
        "succeeded",
        built_csv.sha256,
        built_csv.file.name,
    )
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.EXPORTS_REBUILD_REQUESTED)
    assert (event.is_public, event.actor) == (False, staff_user)
    assert sorted((d["kind"], d["status"], d["error"]) for d in event.parameters["downloads"]) == [
        ("json", "failed", "disk full"),
        ("pb", "pending", ""),
    ]


@pytest.mark.django_db
def test_staff_rebuild_with_every_download_built_changes_nothing(
    published_during_outage, staff_user, django_capture_on_commit_callbacks
):
    for export in ExportFile.objects.all():
        build_export_file(export_file_id=export.pk)
    before = sorted(ExportFile.objects.values_list("kind", "sha256", "file", "finished_at"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        count = rebuild_result_downloads(
            cycle_id=published_during_outage["cycle"].pk, actor=staff_user
        )

    assert count == 0
    assert callbacks == []
    assert sorted(ExportFile.objects.values_list("kind", "sha256", "file", "finished_at")) == before
    assert _rebuild_was_audited() is False


@pytest.mark.django_db
def test_rebuild_is_refused_before_publication_and_to_non_staff(
    counted_election, staff_user, resident
):
    cycle = counted_election["cycle"]

    with pytest.raises(PublicationError) as not_published:
        rebuild_result_downloads(cycle_id=cycle.pk, actor=staff_user)
    with pytest.raises(PublicationError) as not_staff:
        rebuild_result_downloads(cycle_id=cycle.pk, actor=resident)

    assert (not_published.value.code, not_staff.value.code) == ("not_published", "forbidden")


# --- the pages ------------------------------------------------------------------------------
def _tally_url(e):
    return reverse("results:staff-tally", kwargs={"slug": e["cycle"].slug})


def _council_member_of(cycle):
    user = ResidentProfileFactory().user
    CouncilMembershipFactory(cycle=cycle, user=user)
    activate_totp(user)
    return user


@pytest.mark.parametrize(
    ("_case", "actor", "status", "redirects_to"),
    [
        ("anonymous visitor", None, 302, "/accounts/login/"),
        ("resident", "resident", 403, None),
        ("council member with MFA", "council", 403, None),
        ("staff without MFA", "staff_without_mfa", 302, "/accounts/2fa/totp/activate"),
        ("staff with MFA", "staff_user", 302, "/staff/cycles/"),
    ],
)
@pytest.mark.django_db
def test_rebuild_downloads_permission(
    _case, actor, status, redirects_to, client, published_during_outage, broker, request
):
    e = published_during_outage
    if actor == "council":
        client.force_login(_council_member_of(e["cycle"]))
    elif actor:
        client.force_login(request.getfixturevalue(actor))
    allowed = actor == "staff_user"

    response = client.post(_tally_url(e), {"action": "rebuild_downloads"})

    assert response.status_code == status
    if redirects_to:
        assert response["Location"].startswith(redirects_to)
    assert _rebuild_was_audited() is allowed
    assert {e.enqueued_at is not None for e in _exports().values()} == {allowed}


@pytest.mark.django_db
def test_staff_page_lists_the_downloads_and_offers_the_rebuild(
    client, published_during_outage, staff_user
):
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"

    page = client.get(_tally_url(published_during_outage)).content.decode()

    assert "CSV Waiting" in page
    assert "Build the downloads again" in page
    assert 'value="rebuild_downloads"' in page


@pytest.mark.django_db
def test_staff_rebuild_before_publication_rerenders_with_the_reason(
    client, counted_election, staff_user
):
    e = counted_election
    tally_scope(scope_id=e["scope"].pk)
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"

    response = client.post(_tally_url(e), {"action": "rebuild_downloads"})

    assert response.status_code == 400
    assert "The downloads are built once the results are published." in response.content.decode()
    assert ExportFile.objects.exists() is False
    assert _rebuild_was_audited() is False


@pytest.mark.django_db
def test_staff_unknown_action_is_a_400_and_changes_nothing(
    client, published_during_outage, staff_user
):
    client.force_login(staff_user)

    response = client.post(_tally_url(published_during_outage), {"action": "rebuild"})

    assert response.status_code == 400
    assert {e.enqueued_at for e in _exports().values()} == {None}


@pytest.mark.django_db
def test_results_page_says_a_pending_download_is_being_prepared(client, published_during_outage):
    e = published_during_outage
    build_export_file(export_file_id=ExportFile.objects.get(kind="csv").pk)
    client.cookies["django_language"] = "en"
    url = reverse(
        "results:results-scope", kwargs={"slug": e["cycle"].slug, "scope_pk": e["scope"].pk}
    )

    page = client.get(url).content.decode()

    download = reverse(
        "results:results-download",
        kwargs={"slug": e["cycle"].slug, "scope_pk": e["scope"].pk, "kind": "json"},
    )
    assert "JSON — being prepared; please come back in a few minutes." in page
    assert download not in page  # no link to a file that is not there
    assert "download>CSV</a>" in page
    assert client.get(download).status_code == 404


# --- a real worker --------------------------------------------------------------------------
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_periodic_retry_builds_what_a_broker_outage_left_pending(
    live_worker, counted_election, staff_user
):
    from config.celery_app import app

    e = counted_election
    run = tally_scope(scope_id=e["scope"].pk)
    test_broker = app.conf.broker_url
    outage = Broker()
    outage.redis.start()
    outage.publish_to(outage.redis.url)
    try:
        outage.redis.stop()  # the broker is down when the results are published
        publish_results(cycle_id=e["cycle"].pk, actor=staff_user)
        assert set(ExportFile.objects.values_list("status", flat=True)) == {"pending"}
    finally:
        outage.publish_to(test_broker)  # the broker is back
        outage.redis.stop()
    # three minutes later, beat runs the retry
    ExportFile.objects.update(created_at=timezone.now() - timedelta(minutes=3))

    asked = retry_stalled_exports_task.delay().get(timeout=30)

    deadline = time.monotonic() + 30
    while ExportFile.objects.exclude(status="succeeded").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    exports = _exports()
    assert asked == 3
    assert {kind: e.status for kind, e in exports.items()} == {
        "csv": "succeeded",
        "json": "succeeded",
        "pb": "succeeded",
    }
    assert exports["pb"].sha256 == run.fingerprint
    assert hashlib.sha256(exports["pb"].file.read()).hexdigest() == run.fingerprint
    assert retry_stalled_exports_task.delay().get(timeout=30) == 0  # nothing left to ask for
