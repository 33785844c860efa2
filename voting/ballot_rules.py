"""What makes a ballot valid under each rule: pure functions, no Django.

The service refuses with them, the form checks with them, and the meter's server-rendered state
comes from ``measure_ballot``, so the page, the JavaScript meter and the server agree.

``choices`` maps a proposal id to a whole number: 1 for an approval or knapsack choice, the points
given on a cumulative ballot, and on a ranked ballot the rank (1 = first choice). A ranked ballot
is counted as a Pabulib ordinal ballot: with at most ``k`` ranks, rank ``r`` gives ``k + 1 - r``
points (Kraków's 3, 2, 1); see ``rank_points``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

APPROVAL = "approval"
KNAPSACK = "knapsack"
CUMULATIVE = "cumulative"
RANKED = "ranked"
RULES = (APPROVAL, KNAPSACK, CUMULATIVE, RANKED)


class BallotRuleError(Exception):
    """A ballot that breaks its rule. ``code`` says which way; ``params`` carry the numbers."""

    def __init__(self, code: str, **params: int):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class BallotLimits:
    """The limits of one scope's ballot. ``costs`` maps every proposal on the ballot to its cost."""

    rule: str
    costs: Mapping[int, int] = field(default_factory=dict)
    budget_won: int = 0
    min_choices: int = 1
    max_choices: int = 1
    points: int = 1
    max_points_per_project: int = 1
    max_ranks: int = 3


def rank_points(rank: int, max_ranks: int) -> int:
    """The Borda-style points of ``rank`` on a ballot of at most ``max_ranks`` ranks."""
    return max_ranks + 1 - rank


@dataclass(frozen=True, slots=True)
class Meter:
    """Used against allowed, in the rule's unit: ``won``, ``projects`` or ``points``."""

    unit: str
    used: int
    allowed: int
    minimum: int = 0

    @property
    def is_over(self) -> bool:
        return self.used > self.allowed

    @property
    def left(self) -> int:
        return self.allowed - self.used


def measure_ballot(limits: BallotLimits, choices: Mapping[int, int]) -> Meter:
    """How much of the allowance ``choices`` uses (proposal id -> points)."""
    if limits.rule == APPROVAL:
        return Meter("projects", len(choices), limits.max_choices, limits.min_choices)
    if limits.rule == KNAPSACK:
        used = sum(limits.costs.get(proposal_id, 0) for proposal_id in choices)
        return Meter("won", used, limits.budget_won)
    if limits.rule == CUMULATIVE:
        return Meter("points", sum(choices.values()), limits.points)
    if limits.rule == RANKED:
        return Meter("ranks", len(choices), limits.max_ranks, 1)
    raise BallotRuleError("unknown_rule")


def check_ballot(limits: BallotLimits, choices: Mapping[int, int]) -> None:
    """Raise ``BallotRuleError`` unless ``choices`` (proposal id -> points) is a valid ballot."""
    if limits.rule not in RULES:
        raise BallotRuleError("unknown_rule")
    if not choices:
        raise BallotRuleError("empty")
    unknown = [proposal_id for proposal_id in choices if proposal_id not in limits.costs]
    if unknown:
        raise BallotRuleError("not_on_ballot", count=len(unknown))
    if limits.rule not in (CUMULATIVE, RANKED) and any(points != 1 for points in choices.values()):
        raise BallotRuleError("points_not_allowed")
    meter = measure_ballot(limits, choices)
    _CHECKS[limits.rule](limits, choices, meter)


def _check_approval(limits: BallotLimits, choices: Mapping[int, int], meter: Meter) -> None:
    if meter.used > limits.max_choices:
        raise BallotRuleError("too_many", used=meter.used, allowed=limits.max_choices)
    if meter.used < limits.min_choices:
        raise BallotRuleError("too_few", used=meter.used, minimum=limits.min_choices)


def _check_knapsack(limits: BallotLimits, choices: Mapping[int, int], meter: Meter) -> None:
    if meter.used > limits.budget_won:
        raise BallotRuleError("over_budget", used=meter.used, allowed=limits.budget_won)


def _check_cumulative(limits: BallotLimits, choices: Mapping[int, int], meter: Meter) -> None:
    if any(points < 1 for points in choices.values()):
        raise BallotRuleError("points_not_positive")
    most = max(choices.values())
    if most > limits.max_points_per_project:
        raise BallotRuleError(
            "too_many_points_on_one", used=most, allowed=limits.max_points_per_project
        )
    if meter.used > limits.points:
        raise BallotRuleError("too_many_points", used=meter.used, allowed=limits.points)


def _check_ranked(limits: BallotLimits, choices: Mapping[int, int], meter: Meter) -> None:
    """Ranks 1, 2, ... m without a gap or a repeat, m at most ``max_ranks``."""
    ranks = sorted(choices.values())
    if ranks[0] < 1 or ranks[-1] > limits.max_ranks:
        raise BallotRuleError("rank_out_of_range", allowed=limits.max_ranks)
    for expected, rank in enumerate(ranks, start=1):
        if rank < expected:
            raise BallotRuleError("rank_repeated", rank=rank)
        if rank > expected:
            raise BallotRuleError("rank_missing", rank=expected)


_CHECKS = {
    APPROVAL: _check_approval,
    KNAPSACK: _check_knapsack,
    CUMULATIVE: _check_cumulative,
    RANKED: _check_ranked,
}
