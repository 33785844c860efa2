"""Property tests on small generated elections (ties on purpose), including pabutools equality."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from pabutools.election import ApprovalBallot
from pabutools.election import ApprovalProfile
from pabutools.election import CumulativeBallot
from pabutools.election import CumulativeProfile
from pabutools.election import Instance
from pabutools.election import Project

from budgeting.tally import BallotInput
from budgeting.tally import ProjectInput
from budgeting.tally import TallyInput
from budgeting.tally.equal_shares import equal_shares
from budgeting.tally.greedy import greedy
from budgeting.tally.rules import RULES

# "10" < "9" as strings: lexicographic tie-breaking must compare ids as strings, like pabutools.
IDS = ("1", "10", "9", "a", "B", "p2")


@st.composite
def elections(draw: st.DrawFn, vote_type: str) -> TallyInput:
    n_projects = draw(st.integers(1, len(IDS)))
    ids = draw(st.permutations(IDS))[:n_projects]
    # few distinct costs and small electorates, so that ties are common
    projects = tuple(
        ProjectInput(id=pid, cost=draw(st.sampled_from((0, 1, 2, 3, 5, 8, 10)))) for pid in ids
    )
    n_ballots = draw(st.integers(0, 8))
    ballots = []
    for _ in range(n_ballots):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n_projects))
        if vote_type == "cumulative":
            choices = tuple((pid, draw(st.integers(1, 3))) for pid in chosen)
        else:
            choices = tuple((pid, 1) for pid in chosen)
        ballots.append(BallotInput(choices=choices, weight=draw(st.integers(1, 3))))
    budget = draw(st.integers(0, 25))
    return TallyInput(
        budget=budget,
        projects=projects,
        ballots=tuple(ballots),
        vote_type=vote_type,
        tie_break="lexico",
    )


def _pabutools(tally_input: TallyInput, rule: str, oracle) -> list[str]:
    projects = {p.id: Project(p.id, p.cost) for p in tally_input.projects}
    instance = Instance(projects.values(), budget_limit=tally_input.budget)
    instance.meta["vote_type"] = tally_input.vote_type
    expanded = [b for b in tally_input.ballots for _ in range(b.weight)]
    if tally_input.vote_type == "cumulative":
        profile = CumulativeProfile(
            [CumulativeBallot({projects[pid]: pts for pid, pts in b.choices}) for b in expanded]
        )
    else:
        profile = ApprovalProfile(
            [ApprovalBallot(projects[pid] for pid, _ in b.choices) for b in expanded]
        )
    return oracle.pabutools_rule(instance, profile.as_multiprofile(), rule)


def _check_invariants(t: TallyInput) -> None:
    costs = {p.id: p.cost for p in t.projects}
    for rule in RULES.values():
        outcome = rule(t)
        assert outcome == rule(t)  # deterministic
        assert sum(costs[p] for p in outcome.selected) <= t.budget
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert {r.project_id for r in outcome.results if r.funded} == set(outcome.selected)
        assert sorted(r.rank for r in outcome.results) == list(range(1, len(costs) + 1))
        left = t.budget - sum(costs[p] for p in outcome.selected)
        # greedy (skip variant) and MES + greedy completion are exhaustive
        assert all(costs[p] > left for p in costs if p not in outcome.selected)
        for r in outcome.results:
            if r.reason_code == "not_enough_budget":
                assert r.cost > int(r.reason_params["remaining_budget"])
            if r.reason_code == "funded":
                assert r.cost <= int(r.reason_params.get("remaining_budget", r.cost))


# The repository's root conftest has function-scoped autouse fixtures (media root); they do not
# interact with these pure functions.
SUPPRESS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
PROFILE = settings(max_examples=120, deadline=None, suppress_health_check=SUPPRESS)


@PROFILE
@given(t=elections("approval"))
def test_approval_equals_pabutools(t: TallyInput, oracle) -> None:
    _check_invariants(t)
    assert list(greedy(t).selected) == _pabutools(t, "greedy", oracle)
    assert list(equal_shares(t).selected) == _pabutools(t, "mes", oracle)


@PROFILE
@given(t=elections("cumulative"))
def test_cumulative_equals_pabutools(t: TallyInput, oracle) -> None:
    _check_invariants(t)
    assert list(greedy(t).selected) == _pabutools(t, "greedy", oracle)
    assert list(equal_shares(t).selected) == _pabutools(t, "mes", oracle)


@settings(max_examples=80, deadline=None, suppress_health_check=SUPPRESS)
@given(t=elections("approval"), rnd=st.randoms(use_true_random=False), seed=st.text(max_size=4))
def test_project_and_ballot_order_do_not_matter(t: TallyInput, rnd, seed: str) -> None:
    t = replace(t, tie_break="cost_votes_lot", lot_seed=seed)
    projects = list(t.projects)
    ballots = list(t.ballots)
    rnd.shuffle(projects)
    rnd.shuffle(ballots)
    shuffled = replace(t, projects=tuple(projects), ballots=tuple(ballots))
    for rule in RULES.values():
        assert rule(t).selected == rule(shuffled).selected


@settings(max_examples=80, deadline=None, suppress_health_check=SUPPRESS)
@given(t=elections("approval"), threshold=st.integers(0, 4))
def test_no_skip_and_threshold_variants(t: TallyInput, threshold: int) -> None:
    costs = {p.id: p.cost for p in t.projects}
    no_skip = greedy(replace(t, greedy_no_skip=True, min_project_score=threshold))
    ranked = sorted(no_skip.results, key=lambda r: r.rank)
    eligible = [r for r in ranked if r.reason_code != "below_threshold"]
    # funded projects are exactly the eligible ones before the first that did not fit
    first_miss = next(
        (i for i, r in enumerate(eligible) if r.reason_code == "not_enough_budget"), len(eligible)
    )
    assert [r.project_id for r in eligible[:first_miss]] == list(no_skip.selected)
    assert all(r.reason_code == "not_reached_no_skip" for r in eligible[first_miss + 1 :])
    assert all(int(r.score) < threshold for r in ranked if r.reason_code == "below_threshold")
    assert sum(costs[p] for p in no_skip.selected) <= t.budget
