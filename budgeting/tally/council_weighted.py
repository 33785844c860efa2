"""Council-weighted greedy (Seoul-style 시민참여예산).

In plain words: each project gets a weighted score

    score = public_weight x (its public votes / all public votes)
          + council_weight x (its council votes / all council votes)

computed with exact fractions (no rounding; the two-source case of ``weighted.py``), where
"public votes" are ballot points (votes for approval ballots) and "council votes" are
``ProjectInput.council_votes``. If nobody voted on one side, that side's share is 0 for
every project.
Then projects are funded greedily by that score:
best first, skipping what no longer fits. Equal scores go to the tie-break (``ties.py``); the
``min_project_score`` threshold applies to public points; ``greedy_no_skip`` works as in greedy.

``score`` in the results is the exact fraction as a string (e.g. ``"7/20"``). ``rank`` is the
position in the score order.
"""

from __future__ import annotations

from fractions import Fraction

from budgeting.tally.greedy import greedy_by_scores
from budgeting.tally.types import ProjectInput
from budgeting.tally.types import TallyInput
from budgeting.tally.types import TallyOutcome
from budgeting.tally.types import prepare
from budgeting.tally.weighted import combined_scores


def weighted_scores(
    projects: tuple[ProjectInput, ...],
    public_points: list[int],
    public_weight: Fraction | int,
    council_weight: Fraction | int,
) -> list[Fraction]:
    """Exact weighted score of every project (see the module docstring)."""
    if len(public_points) != len(projects):
        raise ValueError("one public score per project needed")
    return combined_scores(
        [
            (Fraction(public_weight), public_points),
            (Fraction(council_weight), [p.council_votes for p in projects]),
        ],
        len(projects),
    )


def council_weighted(t: TallyInput) -> TallyOutcome:
    """Greedy by the council-weighted score (see the module docstring)."""
    prep = prepare(t)
    scores = weighted_scores(t.projects, prep.scores, t.public_weight, t.council_weight)
    return greedy_by_scores(t, prep, rule="council_weighted", scores=scores, free_last=False)
