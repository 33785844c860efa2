"""Real threads on PostgreSQL: one person, one ballot, whatever the timing."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError
from django.db import close_old_connections
from django.db import connection
from django.db import transaction
from django.test import Client
from django.urls import reverse

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import Participation
from tests.voting.factories import ballot_form_data
from tests.voting.factories import make_residents
from tests.voting.factories import ranked
from voting.services.ballots import submit_ballot
from voting.services.paper import enter_paper_ballot
from voting.shared import BallotRefusedError
from voting.shared import voter_key

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Concurrent database sessions: the tests share one PostgreSQL (max_connections 100) with others.
THREADS = 32
# With Django's psycopg pool, any number of threads share at most this many connections.
POOL_SIZE = 24


def _in_threads(function, arguments, threads=THREADS):
    """Run ``function(arg)`` for every argument on ``threads`` threads, all released at once."""
    go = threading.Event()

    def run(argument):
        go.wait(timeout=30)
        try:
            return function(argument)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(run, argument) for argument in arguments]
        go.set()
        return [future.result() for future in futures]


def _logged_in_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    close_old_connections()
    return client


def _submit_url(scope):
    return reverse("voting:ballot-submit", kwargs={"slug": scope.cycle.slug, "scope_pk": scope.pk})


@pytest.fixture
def pooled_connections():
    """Django 5.2's psycopg connection pool (psycopg-pool) for this test's threads: each request
    takes a connection from the pool and gives it back when it ends, as a production web
    process would with OPTIONS={"pool": ...}. Threads beyond the pool's size wait for one."""
    settings_dict = connection.settings_dict
    connection.close()  # the test's own connection was not from the pool
    settings_dict["OPTIONS"]["pool"] = {"min_size": 2, "max_size": POOL_SIZE, "timeout": 60}
    try:
        yield
    finally:
        connection.close()
        connection.close_pool()
        del settings_dict["OPTIONS"]["pool"]


@pytest.mark.parametrize("cycle_fixture", ["voting_cycle", "ranked_cycle"])
def test_200_concurrent_submissions_by_one_resident_store_exactly_one_ballot(
    cycle_fixture, request, resident, district_scope, district_projects, pooled_connections
):
    rule = request.getfixturevalue(cycle_fixture).ballot_rule
    cookies = _logged_in_client(resident).cookies
    url = _submit_url(district_scope)
    a, b, c, d = (p.pk for p in district_projects)
    # each option ranked in its order on a ranked ballot (both orders of a and d are options)
    options = [[a], [b], [c], [d], [a, d]] + ([[d, a], [c, b, a]] if rule == "ranked" else [])

    def submit(index):
        client = Client(raise_request_exception=False)
        client.cookies = cookies
        data = ballot_form_data(rule, ranked(options[index % len(options)]))
        return client.post(url, data).status_code

    statuses = _in_threads(submit, list(range(200)), threads=200)  # all 200 at once
    pool = connection.pool.get_stats()
    assert pool["requests_num"] >= 200
    assert pool["requests_queued"] > 0  # more requests at once than the pool's connections
    assert statuses.count(302) == 200  # every one acknowledged (each later one is a change)
    assert [s for s in statuses if s >= 500] == []
    assert Ballot.objects.count() == 1
    assert Participation.objects.filter(user=resident).count() == 1
    stored = set(BallotChoice.objects.values_list("proposal_id", "points"))
    points = ranked if rule == "ranked" else (lambda option: dict.fromkeys(option, 1))
    assert stored in [set(points(option).items()) for option in options]


def test_100_concurrent_edits_of_a_knapsack_ballot_never_exceed_the_budget(
    knapsack_cycle, resident, district_scope, district_projects
):
    budget = district_scope.budget_won
    cost = {p.pk: p.reviewed_cost_won for p in district_projects}
    cookies = _logged_in_client(resident).cookies
    url = _submit_url(district_scope)
    rng = random.Random(4)
    subsets = [
        [p.pk for p in district_projects if rng.random() < 0.6] or [district_projects[0].pk]
        for _ in range(100)
    ]
    seen_totals = []
    done = threading.Event()

    def watch():
        try:
            while not done.is_set():
                seen_totals.append(
                    sum(
                        cost[pk]
                        for pk in BallotChoice.objects.values_list("proposal_id", flat=True)
                    )
                )
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()

    def edit(subset):
        client = Client(raise_request_exception=False)
        client.cookies = cookies
        return client.post(url, {"proposals": subset}).status_code

    try:
        statuses = _in_threads(edit, subsets)
    finally:
        done.set()
        watcher.join()
    over = [s for s in subsets if sum(cost[pk] for pk in s) > budget]
    assert statuses.count(400) == len(over) > 0
    assert statuses.count(302) == 100 - len(over)
    assert max(seen_totals) <= budget
    assert len(seen_totals) > 10
    assert Ballot.objects.count() == 1
    final = sum(cost[pk] for pk in BallotChoice.objects.values_list("proposal_id", flat=True))
    assert 0 < final <= budget


@pytest.mark.parametrize("cycle_fixture", ["voting_cycle", "ranked_cycle"])
def test_paper_and_online_race_leaves_one_counted_ballot_per_resident(
    cycle_fixture, request, district, staff_user, district_scope, district_projects
):
    request.getfixturevalue(cycle_fixture)
    residents = make_residents(district, 16)
    a, b = district_projects[0], district_projects[1]

    def cast(job):
        voter, channel = job
        try:
            if channel == "paper":
                enter_paper_ballot(
                    staff=staff_user, voter=voter, scope=district_scope, choices={b.pk: 1}
                )
            else:
                submit_ballot(voter=voter, scope=district_scope, choices={a.pk: 1})
        except BallotRefusedError as error:
            return error.code
        return "stored"

    jobs = [(voter, channel) for voter in residents for channel in ("paper", "online")]
    outcomes = _in_threads(cast, jobs)
    assert outcomes.count("stored") == 16
    assert outcomes.count("already_voted") == 16
    assert Ballot.objects.count() == 16
    for voter in residents:
        participation = Participation.objects.get(user=voter)
        ballot = Ballot.objects.get(
            voter_key=voter_key(user_id=voter.pk, scope_id=district_scope.pk)
        )
        counted = set(
            BallotChoice.objects.filter(ballot=ballot).values_list("proposal_id", flat=True)
        )
        assert counted == ({b.pk} if participation.channel == "paper" else {a.pk})


def test_the_database_refuses_a_second_ballot_with_the_same_voter_key(
    voting_cycle, resident, district_scope
):
    key = voter_key(user_id=resident.pk, scope_id=district_scope.pk)
    Ballot.objects.create(voter_key=key, scope=district_scope)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(voter_key=key, scope=district_scope)
