"""tally_scope: counting a closed scope, idempotency, refusals."""

import hashlib

import pytest
from django.utils import timezone

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BudgetCycle
from budgeting.models import TallyRun
from budgeting.phases import Phase
from budgeting.tally import canonical_pb
from budgeting.tally import read_pb_text
from results.selectors import get_tally_input
from results.services.counting import tally_scope
from results.services.tallying import TallyRefusedError
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope


def _lines(run):
    return [
        (a.proposal_id, a.votes, a.cost_won, a.is_funded, a.rank, a.reason_code)
        for a in run.allocations.order_by("rank")
    ]


@pytest.mark.django_db
def test_tally_scope_stores_the_mes_result_and_the_greedy_comparison(counted_election):
    e = counted_election

    run = tally_scope(scope_id=e["scope"].pk)

    assert (run.rule, run.is_official, run.status) == ("mes", True, TallyRun.Status.SUCCEEDED)
    assert (run.ballot_count, run.budget_won, run.allocated_won, run.left_over_won) == (
        10,
        1_000_000,
        700_000,
        300_000,
    )
    a, b, c, d = (e[k].pk for k in "abcd")
    assert _lines(run) == [
        (b, 6, 400_000, True, 1, "funded"),
        (c, 3, 300_000, True, 2, "funded"),
        (a, 6, 600_000, False, 3, "supporters_could_not_pay"),
        (d, 1, 500_000, False, 4, "supporters_could_not_pay"),
    ]
    assert run.allocations.get(proposal_id=a).reason_params == {
        "supporters_money": 200_000,
        "voter_share": "100000",
        "remaining_budget": 300_000,
    }
    greedy = TallyRun.objects.get(scope=e["scope"], rule="greedy")
    assert (greedy.is_official, greedy.fingerprint, greedy.allocated_won) == (
        False,
        run.fingerprint,
        1_000_000,
    )
    assert set(greedy.allocations.filter(is_funded=True).values_list("proposal_id", flat=True)) == {
        a,
        b,
    }
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.TALLY_SUCCEEDED).count() == 1


@pytest.mark.django_db
def test_fingerprint_is_the_sha256_of_the_canonical_pb_text(counted_election):
    scope = counted_election["scope"]

    run = tally_scope(scope_id=scope.pk)

    scope_input = get_tally_input(scope=scope)
    text, _digest = canonical_pb(scope_input.tally_input, scope_input.meta)
    assert run.fingerprint == hashlib.sha256(text.encode("utf-8")).hexdigest()
    election = read_pb_text(text)
    assert election.meta["num_votes"] == "10"
    assert election.meta["currency"] == "KRW"
    assert election.voter_ids == [str(n) for n in range(1, 11)]
    assert {row["name"] for row in election.projects.values()} == {
        "사업 1 공원 정비",
        "사업 2 공원 정비",
        "사업 3 공원 정비",
        "사업 4 공원 정비",
    }


@pytest.mark.django_db
def test_counting_twice_keeps_one_run_and_the_same_allocations(counted_election):
    scope = counted_election["scope"]
    first = tally_scope(scope_id=scope.pk)
    lines = _lines(first)

    second = tally_scope(scope_id=scope.pk)

    assert second.pk == first.pk
    assert TallyRun.objects.filter(scope=scope).count() == 2  # mes + greedy comparison
    assert _lines(second) == lines
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.TALLY_STARTED).count() == 1


@pytest.mark.django_db
def test_a_run_left_running_by_a_dead_worker_is_counted_again(counted_election):
    scope = counted_election["scope"]
    first = tally_scope(scope_id=scope.pk)
    lines = _lines(first)
    first.allocations.all().delete()
    TallyRun.objects.filter(pk=first.pk).update(status=TallyRun.Status.RUNNING, finished_at=None)

    again = tally_scope(scope_id=scope.pk)

    assert (again.pk, again.status) == (first.pk, TallyRun.Status.SUCCEEDED)
    assert _lines(again) == lines


def _fingerprint_of(scope) -> str:
    scope_input = get_tally_input(scope=scope)
    return canonical_pb(scope_input.tally_input, scope_input.meta).fingerprint


@pytest.mark.django_db
def test_ballots_stored_in_another_order_give_the_same_fingerprint(db):
    cycle = make_cycle()
    scope, (a, b, c) = make_scope(cycle=cycle, budget_won=100, costs=[50, 40, 30])
    ballots = [[a, b], [c], [a], [b, c], [a, b]]
    cast_ballots(scope=scope, ballots=ballots)
    first = _fingerprint_of(scope)
    Ballot.objects.filter(scope=scope).delete()
    cast_ballots(scope=scope, ballots=[list(reversed(x)) for x in reversed(ballots)], start=50)

    second = _fingerprint_of(scope)

    assert second == first


@pytest.mark.parametrize(
    ("_case", "phase", "move_deadline_ahead"),
    [
        ("still voting", Phase.VOTING, False),
        ("counting phase but the deadline is ahead", Phase.TALLYING, True),
        ("review", Phase.REVIEW, False),
    ],
)
@pytest.mark.django_db
def test_a_count_is_refused_while_ballots_can_change(_case, phase, move_deadline_ahead):
    cycle = make_cycle(phase=phase)
    scope, (a,) = make_scope(cycle=cycle, budget_won=100, costs=[50])
    if move_deadline_ahead:
        cycle.voting_end_at = timezone.now() + timezone.timedelta(hours=1)
        cycle.save(update_fields=["voting_end_at"])
    cast_ballots(scope=scope, ballots=[[a]])

    with pytest.raises(TallyRefusedError):
        tally_scope(scope_id=scope.pk)

    assert TallyRun.objects.filter(scope=scope).exists() is False


@pytest.mark.django_db
def test_a_recount_after_publication_is_refused_when_ballots_differ(counted_election):
    scope = counted_election["scope"]
    run = tally_scope(scope_id=scope.pk)
    TallyRun.objects.filter(pk=run.pk).update(published_at=timezone.now())
    BudgetCycle.objects.filter(pk=counted_election["cycle"].pk).update(phase=Phase.PUBLISHED)
    # the same ballots: the published run, unchanged
    assert tally_scope(scope_id=scope.pk).pk == run.pk
    cast_ballots(scope=scope, ballots=[[counted_election["d"]]], start=100)

    with pytest.raises(TallyRefusedError):
        tally_scope(scope_id=scope.pk)

    assert TallyRun.objects.filter(scope=scope, rule="mes").count() == 1


@pytest.mark.django_db
def test_a_ballot_without_choices_still_counts_as_a_voter(db):
    cycle = make_cycle(tally_rule="mes")
    scope, (a, b) = make_scope(cycle=cycle, budget_won=100, costs=[60, 40])
    cast_ballots(scope=scope, ballots=[[a], [a], [b], []])

    run = tally_scope(scope_id=scope.pk)

    assert run.ballot_count == 4
    assert get_tally_input(scope=scope).tally_input.ballots.n_voters == 4
    assert run.allocations.get(proposal=b).votes == 1


def _distinct_ballot_stamps() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT xmin::text) FROM budgeting_ballot")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_closing_voting_reshuffles_ballots_before_the_count():
    """close_voting re-stores the ballots, so their row stamps no longer follow the voters'."""
    from budgeting.models import Ballot
    from results.services.counting import tally_scope
    from results.services.tallying import close_voting
    from tests.results.factories import cast_ballots
    from tests.results.factories import make_cycle
    from tests.results.factories import make_scope

    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="greedy")
    scope, (a, b) = make_scope(cycle=cycle, budget_won=1_000_000, costs=[600_000, 400_000])
    for n, ballot in enumerate([[a], [a, b], [b]]):  # three transactions, three row stamps
        cast_ballots(scope=scope, ballots=[ballot], start=n)
    assert _distinct_ballot_stamps() == 3
    before = sorted(Ballot.objects.values_list("pk", "voter_key"))

    close_voting(cycle_id=cycle.pk)

    assert _distinct_ballot_stamps() == 1
    assert sorted(Ballot.objects.values_list("pk", "voter_key")) == before
    run = tally_scope(scope_id=scope.pk)
    assert {(al.proposal_id, al.votes) for al in run.allocations.all()} == {(a.pk, 2), (b.pk, 2)}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_never_deadlock():
    """Two deliveries of tally_scope for one scope, started together, again and again: both
    return the same counted run. (The second's first step locks the scope and marks the run
    running while the first stores its result; both must take their locks in one order.)"""
    import threading

    from django.db import connection

    rounds = 8
    for n in range(rounds):
        cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")
        scope, (a, b, c) = make_scope(
            cycle=cycle,
            budget_won=1_000_000,
            costs=[600_000, 400_000, 300_000],
            district_slug=f"r{n}",
        )
        cast_ballots(scope=scope, ballots=[[a], [a, b], [b, c], [c]] * 5)
        barrier = threading.Barrier(2)
        results, errors = [], []

        def deliver(scope_id=scope.pk, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait()
                results.append(tally_scope(scope_id=scope_id).pk)
            except Exception as error:
                errors.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert len(set(results)) == 1
        official = TallyRun.objects.get(scope=scope, is_official=True)
        assert official.status == TallyRun.Status.SUCCEEDED
        assert TallyRun.objects.filter(scope=scope).count() == 2  # official + greedy comparison
