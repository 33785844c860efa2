"""Weighted final score from several sources (Seoul 2015/2018, Seocho, Incheon).

In plain words: each source gives every project a number (its votes or points in that source);
a project's share of a source is its number divided by the source's total; its combined score is

    score = sum over sources of  weight(source) x (its number in the source / source total)

computed with exact fractions (no rounding). Weights are fractions that sum to 1 (the cycle's
percentages / 100). A source nobody took part in (total 0) gives every project 0. The sources:

* ``online``: the public vote (online and paper ballots of the scope): ballot points, as the
  greedy rule counts them (votes on approval ballots);
* ``committee``: the committee's rubric points (sum of every member's scores);
* ``assembly``: approvals at the general assembly (총회);
* ``budget_school``: points on the ballots of budget-school graduates (the ballot carries the
  tag, never the person);
* ``survey``: a share entered by staff per project (e.g. survey responses).

Then projects are funded greedily by the combined score: best first, skipping what no longer
fits. Equal scores go to the tie-break (``ties.py``, on the online supporters); the
``min_project_score`` threshold applies to the online points, as in greedy.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from budgeting.tally.greedy import greedy_by_scores
from budgeting.tally.types import SourceInput
from budgeting.tally.types import TallyInput
from budgeting.tally.types import TallyInputError
from budgeting.tally.types import TallyOutcome
from budgeting.tally.types import prepare


def combined_scores(
    sources: Sequence[tuple[Fraction, Sequence[int]]], n_projects: int
) -> list[Fraction]:
    """sum of weight x share over ``sources`` (pairs of weight and per-project numbers)."""
    scores = [Fraction(0)] * n_projects
    for weight, counts in sources:
        total = sum(counts)
        if not total or not weight:
            continue
        for i, count in enumerate(counts):
            if count:
                scores[i] += Fraction(weight) * Fraction(count, total)
    return scores


# An input that names no source (a file read from Pabulib, a count before any weight was set) is
# the public vote alone: the combined score is then each project's share of the ballots' points.
ONLINE_ONLY = (SourceInput(name="online", weight=Fraction(1)),)


def sources_of(t: TallyInput) -> tuple[SourceInput, ...]:
    return t.sources or ONLINE_ONLY


def source_counts(t: TallyInput, online_points: Sequence[int]) -> list[tuple[str, list[int]]]:
    """Every source of ``t`` with its per-project numbers (the online one from the ballots)."""
    result = []
    for source in sources_of(t):
        if source.counts is None:
            counts = list(online_points)
        else:
            if len(source.counts) != len(t.projects):
                raise TallyInputError(f"source {source.name!r}: one count per project needed")
            counts = list(source.counts)
        result.append((source.name, counts))
    return result


def weighted(t: TallyInput) -> TallyOutcome:
    """Greedy by the combined score of ``t.sources`` (see the module docstring)."""
    sources = sources_of(t)
    if sum((Fraction(s.weight) for s in sources), Fraction(0)) != 1:
        raise TallyInputError("the weights of the sources must sum to 100 %")
    prep = prepare(t)
    counts = dict(source_counts(t, prep.scores))
    scores = combined_scores(
        [(Fraction(s.weight), counts[s.name]) for s in sources], len(t.projects)
    )
    return greedy_by_scores(t, prep, rule="weighted", scores=scores, free_last=False)


def describe_sources(t: TallyInput) -> dict[str, dict[str, object]]:
    """What a weighted count stores and publishes per source: its weight (percent, exact as a
    string), its total and each project's number (by project id)."""
    prep = prepare(t)
    ids = [p.id for p in t.projects]
    weights = {s.name: Fraction(s.weight) for s in sources_of(t)}
    result = {}
    for name, counts in source_counts(t, prep.scores):
        result[name] = {
            "weight_percent": str(weights[name] * 100),
            "total": sum(counts),
            "counts": dict(zip(ids, counts, strict=True)),
        }
    return result
