"""The weighted final score of several sources (pure): shares, weights, greedy, ties."""

from fractions import Fraction

import pytest

from budgeting.tally import BallotInput
from budgeting.tally import ProjectInput
from budgeting.tally import TallyInput
from budgeting.tally import TallyInputError
from budgeting.tally.council_weighted import council_weighted
from budgeting.tally.types import SourceInput
from budgeting.tally.weighted import describe_sources
from budgeting.tally.weighted import weighted

PROJECTS = (ProjectInput("1", 60), ProjectInput("2", 50), ProjectInput("3", 40))
BALLOTS = (BallotInput((("1", 1),)), BallotInput((("2", 1), ("3", 1)), weight=2))


def _input(*sources: SourceInput, budget: int = 100) -> TallyInput:
    return TallyInput(budget=budget, projects=PROJECTS, ballots=BALLOTS, sources=sources)


def test_seocho_style_70_vote_30_assembly_scores_and_funds_by_the_combined_score():
    # online points 1, 2, 2 (of 5); assembly approvals 5, 0, 5 (of 10)
    outcome = weighted(
        _input(
            SourceInput("online", Fraction(70, 100)),
            SourceInput("assembly", Fraction(30, 100), (5, 0, 5)),
        )
    )
    scores = {r.project_id: Fraction(r.score) for r in outcome.results}
    # 0.7 x 1/5 + 0.3 x 1/2 = 29/100; 0.7 x 2/5 = 7/25; 0.7 x 2/5 + 0.3 x 1/2 = 43/100
    assert scores == {"1": Fraction(29, 100), "2": Fraction(7, 25), "3": Fraction(43, 100)}
    # best first: 3 (40) fits, 1 (60) fits, 2 (50) no longer does; by online votes alone 2 would
    # have beaten 1
    assert outcome.selected == ("3", "1")
    assert outcome.result("2").reason_code == "not_enough_budget"


def test_a_source_nobody_took_part_in_gives_nobody_a_share():
    outcome = weighted(
        _input(
            SourceInput("online", Fraction(1, 2)),
            SourceInput("survey", Fraction(1, 2), (0, 0, 0)),
        )
    )
    assert Fraction(outcome.result("1").score) == Fraction(1, 10)


def test_weights_must_sum_to_one_hundred_percent():
    with pytest.raises(TallyInputError, match="100"):
        weighted(_input(SourceInput("online", Fraction(1, 2))))


def test_unknown_source_is_refused():
    with pytest.raises(TallyInputError, match="unknown source"):
        SourceInput("lottery", Fraction(1))


def test_council_weighted_is_the_two_source_case():
    projects = tuple(
        ProjectInput(str(i), cost, council_votes=cv)
        for i, (cost, cv) in enumerate([(30, 4), (50, 9), (20, 0), (40, 7)], start=1)
    )
    ballots = (
        BallotInput((("1", 1), ("3", 1)), weight=7),
        BallotInput((("2", 1),), weight=3),
        BallotInput((("4", 1), ("3", 1)), weight=5),
    )
    two = TallyInput(
        budget=100,
        projects=projects,
        ballots=ballots,
        council_weight=Fraction(2, 5),
        public_weight=Fraction(3, 5),
    )
    many = TallyInput(
        budget=100,
        projects=projects,
        ballots=ballots,
        sources=(
            SourceInput("online", Fraction(3, 5)),
            SourceInput("committee", Fraction(2, 5), tuple(p.council_votes for p in projects)),
        ),
    )
    expected = council_weighted(two)
    got = weighted(many)
    assert got.selected == expected.selected
    assert [(r.project_id, r.score) for r in got.results] == [
        (r.project_id, r.score) for r in expected.results
    ]


def test_describe_sources_gives_weights_totals_and_counts_per_project():
    described = describe_sources(
        _input(
            SourceInput("online", Fraction(1, 2)),
            SourceInput("committee", Fraction(1, 2), (3, 0, 1)),
        )
    )
    assert described == {
        "online": {"weight_percent": "50", "total": 5, "counts": {"1": 1, "2": 2, "3": 2}},
        "committee": {"weight_percent": "50", "total": 4, "counts": {"1": 3, "2": 0, "3": 1}},
    }
