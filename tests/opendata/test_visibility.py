"""What the open-data API must not show yet, or ever: cycles in preparation, drafts, withdrawn
and hidden proposals, results before publication, per-project counts while people vote, and
council review notes before the review phase ends."""

import json

import pytest
from django.core.cache import cache

from budgeting.models import ExportFile
from budgeting.models import TallyRun
from budgeting.phases import Phase
from proposals.models import FeasibilityReview
from results.services.counting import tally_scope
from results.services.publication import publish_results
from tests.accounts.factories import UserFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope

pytestmark = pytest.mark.django_db

API = "/api/v1"
# Keys that carry per-project counts or outcomes.
COUNT_KEYS = {"votes", "points", "score", "rank", "funded", "funded_by_greedy", "allocated_won"}


def _json(client, path: str, status: int = 200):
    response = client.get(f"{API}{path}")
    assert response.status_code == status, (path, response.status_code)
    return response.json()


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_a_cycle_in_preparation_is_nowhere(client, city):
    slug = city.draft.slug
    assert slug not in json.dumps(_json(client, "/cycles?limit=100"))
    assert _json(client, f"/cycles/{slug}", status=404)["detail"]
    _json(client, f"/cycles/{slug}/turnout", status=404)
    for listing in ("scopes", "proposals", "policy-areas", "audit-events", "results"):
        assert _json(client, f"/{listing}?cycle={slug}")["count"] == 0, listing
    everything = json.dumps(_json(client, "/proposals?limit=100"), ensure_ascii=False)
    assert "준비 중 사업" not in everything


def test_drafts_withdrawn_and_hidden_proposals_are_nowhere(client, city):
    listed = {p["id"] for p in _json(client, "/proposals?limit=100")["items"]}
    for proposal in (city.draft_proposal, city.withdrawn, city.hidden):
        assert proposal.pk not in listed
        assert _json(client, f"/proposals/{proposal.pk}", status=404)["detail"]
        assert _json(client, f"/audit-events?proposal={proposal.pk}")["count"] == 0
    trail = json.dumps(_json(client, "/audit-events?limit=100"), ensure_ascii=False)
    for proposal in (city.withdrawn, city.hidden):
        assert proposal.title not in trail
    assert "광고성 글" not in trail  # the hiding reason names the hidden proposal's content
    # visible ones keep their history
    assert _json(client, f"/audit-events?proposal={city.rejected.pk}")["count"] == 2


def test_no_per_project_count_while_people_vote(client, city):
    """Nine ballots are in on the cycle being voted on: its answers give turnout only."""
    slug = city.voting.slug
    turnout = _json(client, f"/cycles/{slug}/turnout")
    assert turnout["total_voters"] == 9
    assert [row["voters"] for row in turnout["per_scope"]] == [9]
    answers = [
        _json(client, f"/cycles/{slug}"),
        turnout,
        _json(client, f"/proposals?cycle={slug}"),
        _json(client, f"/scopes?cycle={slug}"),
        _json(client, f"/audit-events?cycle={slug}&limit=100"),
        *(_json(client, f"/proposals/{p.pk}") for p in city.voting_proposals),
    ]
    for answer in answers:
        assert not _keys(answer) & COUNT_KEYS, _keys(answer) & COUNT_KEYS
    for proposal in city.voting_proposals:
        assert _json(client, f"/proposals/{proposal.pk}")["result"] is None
    assert _json(client, f"/results?cycle={slug}")["count"] == 0
    assert {e["type"] for e in answers[4]["items"]} <= {
        "phase_advanced",
        "proposal_submitted",
        "feasibility_reviewed",
        "council_decision_recorded",
    }


def test_results_appear_only_once_published(client, staff_user):
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")
    scope, (a, b) = make_scope(cycle=cycle, budget_won=1_000, costs=[600, 500])
    cast_ballots(scope=scope, ballots=[[a], [a], [b]])
    run = tally_scope(scope_id=scope.pk)
    comparison = TallyRun.objects.exclude(pk=run.pk).get(scope=scope)  # greedy, for comparison

    assert _json(client, f"/results?cycle={cycle.slug}")["count"] == 0
    _json(client, f"/results/{run.pk}", status=404)
    _json(client, f"/results/{run.pk}/allocations", status=404)
    assert _json(client, f"/proposals/{a.pk}")["result"] is None

    assert publish_results(cycle_id=cycle.pk, actor=staff_user)
    cache.clear()  # a minute later
    [published] = _json(client, f"/results?cycle={cycle.slug}")["items"]
    assert published["id"] == run.pk
    assert published["downloads"] == []  # files are listed once built
    lines = _json(client, f"/results/{run.pk}/allocations")["items"]
    assert [(line["proposal_id"], line["votes"]) for line in lines] == [(a.pk, 2), (b.pk, 1)]
    assert _json(client, f"/proposals/{a.pk}")["result"]["votes"] == 2
    _json(client, f"/results/{comparison.pk}", status=404)  # only the official count is a result
    assert ExportFile.objects.filter(tally_run=run).count() == 3


def test_review_notes_are_public_only_after_the_review_phase(client, db):
    cycle = make_cycle(phase=Phase.REVIEW)
    scope, _proposals = make_scope(cycle=cycle, budget_won=1_000, costs=[100])
    proposal = ProposalFactory(scope=scope, cycle=cycle, status="submitted")
    FeasibilityReview.objects.create(
        proposal=proposal,
        reviewer=UserFactory(email="reviewer.private@privacy-probe.example"),
        verdict=FeasibilityReview.Verdict.NEEDS_CHANGES,
        technical_notes="아직 비공개인 검토 메모",
        reviewed_cost_won=90,
    )
    during = client.get(f"{API}/proposals/{proposal.pk}").content.decode()
    review = json.loads(during)["review"]
    assert review["verdict_counts"] == {"needs_changes": 1}  # public at once
    assert review["details_public"] is False
    assert review["reviews"] == []
    assert "아직 비공개인 검토 메모" not in during

    cycle_in_phase(cycle, Phase.VOTING)
    cache.clear()  # a minute later
    after = _json(client, f"/proposals/{proposal.pk}")["review"]
    assert after["details_public"] is True
    assert [r["technical_notes"] for r in after["reviews"]] == ["아직 비공개인 검토 메모"]
    assert "reviewer.private" not in json.dumps(after)
