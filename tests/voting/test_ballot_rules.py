"""The pure rule check shared by the form, the service and the meter."""

import pytest

from voting.ballot_rules import BallotLimits
from voting.ballot_rules import BallotRuleError
from voting.ballot_rules import check_ballot
from voting.ballot_rules import measure_ballot

COSTS = {1: 100, 2: 200, 3: 300}
APPROVAL = BallotLimits(rule="approval", costs=COSTS, min_choices=1, max_choices=2)
KNAPSACK = BallotLimits(rule="knapsack", costs=COSTS, budget_won=400)
APPROVAL_AT_LEAST_2 = BallotLimits(rule="approval", costs=COSTS, min_choices=2, max_choices=3)
CUMULATIVE = BallotLimits(rule="cumulative", costs=COSTS, points=5, max_points_per_project=3)


@pytest.mark.parametrize(
    ("_case", "limits", "choices"),
    [
        ("approval one", APPROVAL, {1: 1}),
        ("approval at most k", APPROVAL, {1: 1, 3: 1}),
        ("knapsack exactly the budget", KNAPSACK, {1: 1, 3: 1}),
        ("knapsack under", KNAPSACK, {2: 1}),
        ("cumulative all points", CUMULATIVE, {1: 3, 2: 2}),
        ("cumulative fewer points", CUMULATIVE, {3: 1}),
    ],
)
def test_valid_ballots_pass(_case, limits, choices):
    assert check_ballot(limits, choices) is None


@pytest.mark.parametrize(
    ("_case", "limits", "choices", "code"),
    [
        ("empty", APPROVAL, {}, "empty"),
        ("approval above k", APPROVAL, {1: 1, 2: 1, 3: 1}, "too_many"),
        ("approval below m", APPROVAL_AT_LEAST_2, {1: 1}, "too_few"),
        ("approval with points", APPROVAL, {1: 2}, "points_not_allowed"),
        ("not on this ballot", APPROVAL, {99: 1}, "not_on_ballot"),
        ("knapsack over budget", KNAPSACK, {2: 1, 3: 1}, "over_budget"),
        ("cumulative above cap", CUMULATIVE, {1: 4}, "too_many_points_on_one"),
        ("cumulative above total", CUMULATIVE, {1: 3, 2: 3}, "too_many_points"),
        ("cumulative zero", CUMULATIVE, {1: 0}, "points_not_positive"),
        ("unknown rule", BallotLimits(rule="borda", costs=COSTS), {1: 1}, "unknown_rule"),
    ],
)
def test_invalid_ballots_are_refused_with_their_reason(_case, limits, choices, code):
    with pytest.raises(BallotRuleError) as error:
        check_ballot(limits, choices)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("_case", "limits", "choices", "expected"),
    [
        ("approval counts projects", APPROVAL, {1: 1, 2: 1}, ("projects", 2, 2, 0)),
        ("knapsack adds costs", KNAPSACK, {2: 1, 3: 1}, ("won", 500, 400, -100)),
        ("cumulative adds points", CUMULATIVE, {1: 3, 3: 1}, ("points", 4, 5, 1)),
    ],
)
def test_meter_shows_used_against_allowed(_case, limits, choices, expected):
    meter = measure_ballot(limits, choices)
    assert (meter.unit, meter.used, meter.allowed, meter.left) == expected
