"""Greedy by votes: the rule most cities use.

In plain words: sort the projects by their score (number of votes for approval and choose-1
ballots, total points for cumulative ballots, 3-2-1 rank points for Kraków-style ordinal
ballots), best first; go down the list and fund each project that still fits in what is left of
the budget; a project that does not fit is skipped and the next one is tried.

Variants (options of :class:`~budgeting.tally.types.TallyInput`):

* ``min_project_score`` (Pabulib ``greedy-threshold``): projects scoring below it are not eligible.
* ``greedy_no_skip`` (Pabulib ``greedy-no-skip``): stop at the first project that does not fit.

Equal scores are ordered by the tie-break (see ``ties.py``). Projects nobody voted for, and free
projects (cost 0), come last but are still funded if they fit: that is exactly pabutools'
``greedy_utilitarian_welfare(sat_class=Cost_Sat)`` (its "satisfaction density" is
points x cost / cost = points, and 0 for a free project), which this rule reproduces.

Ranks: ``rank`` is the position in the sorted list (1 = highest score), eligible or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from budgeting.tally.ties import tie_ranks
from budgeting.tally.types import Prepared
from budgeting.tally.types import ProjectResult
from budgeting.tally.types import TallyInput
from budgeting.tally.types import TallyOutcome
from budgeting.tally.types import prepare


def density_order(
    scores: Sequence[int | Fraction],
    costs: Sequence[int],
    ranks: np.ndarray,
    *,
    free_last: bool = True,
) -> list[int]:
    """Project positions ordered as pabutools' additive greedy does: higher score first, then
    the tie-break rank.

    With ``free_last`` a free project (cost 0) counts as score 0, like in pabutools, whose
    density is points x cost / cost and is 0 when the cost is 0. Free projects are still funded
    when their turn comes (they always fit).
    """

    def key(i: int) -> tuple[int | Fraction, int]:
        score = 0 if free_last and costs[i] == 0 else scores[i]
        return (-score, int(ranks[i]))

    return sorted(range(len(costs)), key=key)


def greedy_pass(
    order: Sequence[int],
    costs: Sequence[int],
    remaining: int,
    eligible: Sequence[bool],
    *,
    no_skip: bool = False,
    ids: Sequence[str] = (),
) -> tuple[list[int], dict[int, tuple[str, dict[str, int | str]]]]:
    """Walk ``order`` and fund what fits. Returns the funded positions and a reason per project.

    Reasons: ``funded`` (with the ``remaining_budget`` just before), ``not_enough_budget`` (with
    ``remaining_budget`` at its turn), ``below_threshold`` is left to the caller (ineligible
    projects are not given a reason here), ``not_reached_no_skip``.
    """
    funded: list[int] = []
    reasons: dict[int, tuple[str, dict[str, int | str]]] = {}
    stopped_at: int | None = None
    for i in order:
        if not eligible[i]:
            continue
        if stopped_at is not None:
            reasons[i] = (
                "not_reached_no_skip",
                {"remaining_budget": remaining, "stopped_at": ids[stopped_at]},
            )
            continue
        if costs[i] <= remaining:
            reasons[i] = ("funded", {"remaining_budget": remaining})
            funded.append(i)
            remaining -= costs[i]
        else:
            reasons[i] = ("not_enough_budget", {"remaining_budget": remaining})
            if no_skip:
                stopped_at = i
    return funded, reasons


def eligibility(prep: Prepared, min_project_score: int, min_project_votes: int = 0) -> list[bool]:
    """A project is eligible unless its score is below ``min_project_score`` or fewer than
    ``min_project_votes`` ballots support it (the cycle's minimum support)."""
    if min_project_score <= 0 and min_project_votes <= 0:
        return [True] * prep.n_projects
    return [
        s >= min_project_score and v >= min_project_votes
        for s, v in zip(prep.scores, prep.votes, strict=True)
    ]


def ineligibility_reason(t: TallyInput, prep: Prepared, i: int) -> tuple[str, dict[str, int | str]]:
    """Why project ``i`` was not eligible: too few supporters, or a score below the threshold."""
    if prep.votes[i] < t.min_project_votes:
        return "below_minimum_support", {"votes": prep.votes[i], "minimum": t.min_project_votes}
    return "below_threshold", {"score": prep.scores[i], "threshold": t.min_project_score}


def greedy(t: TallyInput) -> TallyOutcome:
    """Greedy by score (see the module docstring)."""
    prep = prepare(t)
    return greedy_by_scores(t, prep, rule="greedy", scores=prep.scores, free_last=True)


def greedy_by_scores(
    t: TallyInput, prep: Prepared, *, rule: str, scores: Sequence[int | Fraction], free_last: bool
) -> TallyOutcome:
    """Fund projects in order of ``scores`` per cost (ties by ``t.tie_break``) while they fit.

    Shared by greedy (scores = votes or points) and council-weighted (scores = weighted shares).
    The threshold always applies to the public score, ``prep.scores``.
    """
    ranks = tie_ranks(t.tie_break, t.lot_seed, prep.ids, prep.costs, prep.votes)
    order = density_order(scores, prep.costs, ranks, free_last=free_last)
    eligible = eligibility(prep, t.min_project_score, t.min_project_votes)
    funded, reasons = greedy_pass(
        order, prep.costs, t.budget, eligible, no_skip=t.greedy_no_skip, ids=prep.ids
    )
    funded_set = set(funded)
    results = []
    for position, i in enumerate(order, start=1):
        code, params = reasons[i] if eligible[i] else ineligibility_reason(t, prep, i)
        results.append(
            ProjectResult(
                project_id=prep.ids[i],
                votes=prep.votes[i],
                score=str(scores[i]),
                cost=prep.costs[i],
                funded=i in funded_set,
                rank=position,
                reason_code=code,
                reason_params=params,
            )
        )
    return TallyOutcome(
        rule=rule, selected=tuple(prep.ids[i] for i in funded), results=tuple(results)
    )
