"""close_voting, publish_results and the export files."""

import csv
import hashlib
import io
import json

import pytest
from django.utils import timezone
from django.utils import translation

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.models import TallyRun
from budgeting.phases import Phase
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.exports import enqueue_export_build
from results.services.publication import PublicationError
from results.services.publication import publish_results
from results.services.tallying import close_voting
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope


@pytest.mark.django_db
def test_close_voting_moves_to_counting_and_asks_for_each_scope_once(
    django_capture_on_commit_callbacks,
):
    cycle = make_cycle(phase=Phase.VOTING)
    BudgetCycle.objects.filter(pk=cycle.pk).update(
        voting_end_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    first, (a,) = make_scope(cycle=cycle, budget_won=100, costs=[50], district_slug="a")
    second, (_b,) = make_scope(cycle=cycle, budget_won=100, costs=[50], district_slug="b")
    cast_ballots(scope=first, ballots=[[a], [a]])

    with django_capture_on_commit_callbacks() as callbacks:
        asked = close_voting(cycle_id=cycle.pk)

    cycle.refresh_from_db()
    assert cycle.phase == Phase.TALLYING
    assert asked == [first.pk, second.pk]
    # the phase hook (close_voting again), one tally per scope, and sealing the ballot storage
    # after commit (seal_ballot_storage: VACUUM runs outside a transaction)
    assert len(callbacks) == 4
    assert callbacks[-1].func.__name__ == "seal_ballot_storage"
    closed = AuditEvent.objects.filter(event_type=AuditEvent.Type.VOTING_CLOSED)
    assert sorted(e.parameters["ballots"] for e in closed) == [0, 2]
    assert all(e.is_public for e in closed)

    tally_scope(scope_id=first.pk)
    tally_scope(scope_id=second.pk)
    assert close_voting(cycle_id=cycle.pk) == []
    assert closed.count() == 2


@pytest.mark.django_db
def test_close_voting_before_the_deadline_does_nothing():
    cycle = make_cycle(phase=Phase.VOTING)
    make_scope(cycle=cycle, budget_won=100, costs=[50])

    assert close_voting(cycle_id=cycle.pk) == []

    cycle.refresh_from_db()
    assert cycle.phase == Phase.VOTING
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.VOTING_CLOSED).exists() is False


@pytest.mark.django_db
def test_publish_results_freezes_the_count_and_builds_the_downloads(
    counted_election, staff_user, django_capture_on_commit_callbacks
):
    e = counted_election
    run = tally_scope(scope_id=e["scope"].pk)

    with django_capture_on_commit_callbacks() as callbacks:
        assert publish_results(cycle_id=e["cycle"].pk, actor=staff_user) is True
    exports = ExportFile.objects.filter(tally_run=run)
    for export in exports:  # what build_export_file_task does after commit
        build_export_file(export_file_id=export.pk)

    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.PUBLISHED
    run.refresh_from_db()
    assert run.published_at is not None
    assert TallyRun.objects.get(scope=e["scope"], rule="greedy").published_at == run.published_at
    # one build per download is enqueued on commit (publishing also announces the results)
    builds = [c for c in callbacks if getattr(c, "func", None) is enqueue_export_build]
    assert len(builds) == 3
    assert sorted(exports.values_list("kind", "status")) == [
        ("csv", "succeeded"),
        ("json", "succeeded"),
        ("pb", "succeeded"),
    ]
    pb = exports.get(kind="pb")
    assert pb.sha256 == run.fingerprint
    assert hashlib.sha256(pb.file.read()).hexdigest() == run.fingerprint
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.RESULTS_PUBLISHED)
    assert (event.is_public, event.actor, event.parameters["scopes"][0]["fingerprint"]) == (
        True,
        staff_user,
        run.fingerprint,
    )


@pytest.mark.django_db
def test_publishing_twice_changes_nothing(counted_election, staff_user):
    e = counted_election
    run = tally_scope(scope_id=e["scope"].pk)
    publish_results(cycle_id=e["cycle"].pk, actor=staff_user)
    run.refresh_from_db()
    published_at = run.published_at

    assert publish_results(cycle_id=e["cycle"].pk, actor=staff_user) is False

    run.refresh_from_db()
    assert run.published_at == published_at
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.RESULTS_PUBLISHED).count() == 1
    assert ExportFile.objects.count() == 3


@pytest.mark.parametrize(
    ("_case", "actor", "counted", "message"),
    [
        ("not counted yet", "staff_user", False, "not counted yet"),
        ("resident", "resident", True, "Only the budget office"),
        ("anonymous", "anonymous_user", True, "Only the budget office"),
    ],
)
@pytest.mark.django_db
def test_publication_is_refused(_case, actor, counted, message, counted_election, request):
    e = counted_election
    if counted:
        tally_scope(scope_id=e["scope"].pk)

    with translation.override("en"), pytest.raises(PublicationError, match=message):
        publish_results(cycle_id=e["cycle"].pk, actor=request.getfixturevalue(actor))

    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.TALLYING
    assert TallyRun.objects.filter(published_at__isnull=False).exists() is False


@pytest.mark.django_db
def test_csv_download_has_a_bom_and_hangul(counted_election, staff_user):
    e = counted_election
    run = tally_scope(scope_id=e["scope"].pk)
    publish_results(cycle_id=e["cycle"].pk, actor=staff_user)
    export = build_export_file(export_file_id=ExportFile.objects.get(kind="csv").pk)

    content = export.file.read()

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [(r["rank"], r["title"], r["funded"], r["funded_by_greedy"]) for r in rows] == [
        ("1", "사업 2 공원 정비", "yes", "yes"),
        ("2", "사업 3 공원 정비", "yes", "no"),
        ("3", "사업 1 공원 정비", "no", "yes"),
        ("4", "사업 4 공원 정비", "no", "no"),
    ]
    document = json.loads(
        build_export_file(export_file_id=ExportFile.objects.get(kind="json").pk).file.read()
    )
    assert (document["allocated_won"], document["left_over_won"], document["ballots"]) == (
        700_000,
        300_000,
        10,
    )
    assert document["fingerprint_sha256"] == run.fingerprint
