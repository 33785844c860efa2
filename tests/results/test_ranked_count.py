"""Ranked ballots are counted as Pabulib ordinal ballots: rank r of at most k gives k + 1 - r
points (Kraków's 3-2-1), published as an ordinal .pb that pabutools counts the same way."""

import hashlib
import re

import pytest
from django.db.models import F
from django.urls import reverse
from pabutools.election import parse_pabulib

from budgeting.models import BallotChoice
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.tally import canonical_pb
from results.selectors import get_tally_input
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from tests.budgeting.tally.conftest import oracle
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope

pytestmark = pytest.mark.django_db

COSTS = [600_000, 400_000, 300_000, 500_000]  # A, B, C, D; budget 1,000,000


def _ranked_election(*, rule: str):
    """5 ballots rank (A, B), 3 rank (C, D, B), 2 rank D alone; k = 3.

    Points with (A, B): A 5x3 = 15, B 5x2 + 3x1 = 13, C 3x3 = 9, D 3x2 + 2x3 = 12.
    """
    cycle = make_cycle(tally_rule=rule, ballot_rule="ranked")
    BudgetCycle.objects.filter(pk=cycle.pk).update(ranked_max_ranks=3)
    cycle.refresh_from_db()
    scope, (a, b, c, d) = make_scope(cycle=cycle, budget_won=1_000_000, costs=COSTS)
    cast_ballots(
        scope=scope,
        ballots=[{a: 1, b: 2}] * 5 + [{c: 1, d: 2, b: 3}] * 3 + [{d: 1}] * 2,
    )
    return cycle, scope, (a, b, c, d)


def _downloaded_pb(client, cycle, scope, run, staff_user) -> bytes:
    publish_results(cycle_id=cycle.pk, actor=staff_user)
    build_export_file(export_file_id=ExportFile.objects.get(tally_run=run, kind="pb").pk)
    response = client.get(
        reverse(
            "results:results-download",
            kwargs={"slug": cycle.slug, "scope_pk": scope.pk, "kind": "pb"},
        )
    )
    return b"".join(response.streaming_content)


def test_greedy_counts_rank_points_not_approvals():
    _cycle, scope, (a, b, c, d) = _ranked_election(rule="greedy")
    run = tally_scope(scope_id=scope.pk)
    scores = {alloc.proposal_id: alloc.points for alloc in run.allocations.all()}
    assert scores == {a.pk: 15, b.pk: 13, c.pk: 9, d.pk: 12}
    funded = set(run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True))
    # by approvals B (8 voters) would come first and A and D tie at 5; by rank points A, B fit
    assert funded == {a.pk, b.pk}


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_the_published_ordinal_pb_gives_the_same_outcome_in_pabutools(
    rule, client, staff_user, tmp_path
):
    cycle, scope, _projects = _ranked_election(rule=rule)
    run = tally_scope(scope_id=scope.pk)
    content = _downloaded_pb(client, cycle, scope, run, staff_user)

    assert hashlib.sha256(content).hexdigest() == run.fingerprint
    text = content.decode()
    assert "vote_type;ordinal" in text
    assert "max_length;3" in text
    path = tmp_path / "ranked.pb"
    path.write_bytes(content)
    instance, profile = parse_pabulib(str(path))
    expected = oracle().pabutools_rule(instance, profile.as_multiprofile(), rule)
    published = {
        str(pk)
        for pk in run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True)
    }
    assert set(expected) == published


def test_the_fingerprint_covers_the_order_of_the_ranks():
    _cycle, scope, (a, b, _c, _d) = _ranked_election(rule="greedy")
    before = canonical_pb(get_tally_input(scope=scope).tally_input, {})[1]
    # the five (A, B) ballots become (B, A): the same projects chosen, in another order
    swapped = BallotChoice.objects.filter(proposal__in=[a, b], ballot__choices__proposal=a)
    assert swapped.count() == 10
    swapped.update(points=3 - F("points"))
    after = canonical_pb(get_tally_input(scope=scope).tally_input, {})[1]
    assert before != after
    swapped.update(points=3 - F("points"))
    assert canonical_pb(get_tally_input(scope=scope).tally_input, {})[1] == before


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Ranked ballots: a first choice counts 3 points, each next choice one point less"),
        ("ko", "순위 투표: 1순위는 3점, 다음 순위부터 1점씩 적게 계산합니다"),
    ],
)
def test_the_results_page_explains_the_ranked_count(language, sentence, client, staff_user):
    cycle, scope, _projects = _ranked_election(rule="greedy")
    tally_scope(scope_id=scope.pk)
    publish_results(cycle_id=cycle.pk, actor=staff_user)
    url = reverse("results:results-scope", kwargs={"slug": cycle.slug, "scope_pk": scope.pk})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert sentence in page
    assert "Additive_Borda_Sat" in page  # how to redo it with pabutools
    assert "For points ballots" not in page
    assert re.search(r">\s*15\s*<", page)  # A's rank points (5 first choices) are shown
