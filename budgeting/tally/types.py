"""Plain data types shared by every tally rule.

Everything here is immutable (frozen, slotted dataclasses) and free of Django, so a tally can be
recomputed from a published ``.pb`` file by anyone.

Ballots come in two shapes:

* ``tuple[BallotInput, ...]``: one object per ballot (or per group of identical ballots, with
  ``weight``). Convenient for small elections and tests.
* :class:`BallotMatrix`: the same data as numpy arrays in compressed-sparse-row form. Use it for
  big elections (a million ballots is a few tens of megabytes instead of a gigabyte of Python
  objects). Build it with :meth:`BallotMatrix.from_lists` or :meth:`TallyInput.from_arrays`.

Points: an approval (and choose-1) ballot gives 1 point to each chosen project; a cumulative
ballot gives the points the voter distributed; an ordinal ballot of at most ``k`` ranks gives
``k`` points to the first choice, ``k - 1`` to the second and so on (Kraków-style 3, 2, 1). A
choice with 0 points is ignored (it is not support).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from fractions import Fraction
from typing import Any

import numpy as np

VOTE_TYPES = ("approval", "cumulative", "choose-1", "ordinal")
TIE_BREAKS = ("lexico", "cost_votes_lot")
MES_COMPLETIONS = ("greedy", "none")
# The sources the weighted rule can combine, in the order they are shown (see ``weighted.py``).
SOURCES = ("online", "committee", "assembly", "budget_school", "survey")


class TallyInputError(ValueError):
    """The tally input is inconsistent (unknown project, negative cost, bad option...)."""


@dataclass(frozen=True, slots=True)
class ProjectInput:
    """A project on the ballot.

    ``id`` is the stable identifier used everywhere (ballots, results, ``.pb`` files); ``cost`` is
    in whole currency units (원, zł...); ``council_votes`` is only used by the council-weighted
    rule.
    """

    id: str
    cost: int
    council_votes: int = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class SourceInput:
    """One source: its weight (a fraction of 1) and each project's number, in project order.

    ``counts`` is ``None`` for the online vote: its numbers are the points of the tally input's
    own ballots.
    """

    name: str
    weight: Fraction
    counts: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.name not in SOURCES:
            raise TallyInputError(f"unknown source {self.name!r}; expected {SOURCES}")
        if Fraction(self.weight) < 0:
            raise TallyInputError("weights must not be negative")
        if self.counts is not None and any(c < 0 for c in self.counts):
            raise TallyInputError(f"source {self.name!r}: counts must not be negative")


@dataclass(frozen=True, slots=True)
class BallotInput:
    """One ballot: ``choices`` maps project id to points, in the order the voter gave them.

    ``weight`` lets one object stand for ``weight`` identical ballots.
    """

    choices: tuple[tuple[str, int], ...]
    weight: int = 1


# What ``_merged_arrays`` computes once per ballot matrix: the number of projects, the merged rows
# (indptr, project_index, points, weights), the same entries by project (col_ptr, col_rows,
# col_pts), each project's score and voter count, and the longest row.
_Merged = tuple[
    int,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    list[int],
    list[int],
    int,
]


@dataclass(frozen=True, slots=True, eq=False)
class BallotMatrix:
    """Ballots as numpy arrays (compressed sparse rows).

    Row ``i`` (a ballot, or ``weights[i]`` identical ballots) holds the entries
    ``indptr[i]:indptr[i + 1]`` of ``project_index`` (positions in ``TallyInput.projects``) and
    ``points``. Entries keep the voter's order (that matters for ordinal ballots only when the
    ballot is written back to a ``.pb`` file). Empty rows are allowed: an empty ballot still counts
    as a voter (it matters for the equal shares of the Method of Equal Shares).
    """

    indptr: np.ndarray
    project_index: np.ndarray
    points: np.ndarray
    weights: np.ndarray
    # ``prepare``'s canonical, merged rows of these (read-only) arrays, computed once: the
    # pipeline writes the ``.pb`` text and runs two rules on the same matrix.
    merged: _Merged | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        indptr = np.ascontiguousarray(self.indptr, dtype=np.int64)
        project_index = np.ascontiguousarray(self.project_index, dtype=np.int64)
        points = np.ascontiguousarray(self.points, dtype=np.int64)
        weights = np.ascontiguousarray(self.weights, dtype=np.int64)
        if indptr.ndim != 1 or len(indptr) < 1 or indptr[0] != 0:
            raise TallyInputError("indptr must be a 1-D array starting at 0")
        if len(weights) != len(indptr) - 1:
            raise TallyInputError("weights must have one entry per row")
        if len(project_index) != indptr[-1] or len(points) != indptr[-1]:
            raise TallyInputError("project_index and points must have indptr[-1] entries")
        if np.any(np.diff(indptr) < 0):
            raise TallyInputError("indptr must be non-decreasing")
        if len(weights) and weights.min() < 1:
            raise TallyInputError("ballot weights must be positive")
        if len(points) and points.min() < 0:
            raise TallyInputError("points must not be negative")
        for name, value in (
            ("indptr", indptr),
            ("project_index", project_index),
            ("points", points),
            ("weights", weights),
        ):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @property
    def n_rows(self) -> int:
        return len(self.weights)

    @property
    def n_voters(self) -> int:
        return int(self.weights.sum())

    @classmethod
    def from_lists(
        cls,
        rows: list[list[int]] | list[tuple[int, ...]],
        points: list[list[int]] | list[tuple[int, ...]] | None = None,
        weights: list[int] | np.ndarray | None = None,
    ) -> BallotMatrix:
        """Build from per-row lists of project positions (and optional points, default 1)."""
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        flat = np.fromiter((p for r in rows for p in r), dtype=np.int64, count=int(indptr[-1]))
        if points is None:
            pts = np.ones(len(flat), dtype=np.int64)
        else:
            pts = np.fromiter((x for r in points for x in r), dtype=np.int64, count=len(flat))
        w = np.ones(len(rows), dtype=np.int64) if weights is None else np.asarray(weights)
        return cls(indptr, flat, pts, w)

    @classmethod
    def from_padded(
        cls,
        choices: np.ndarray,
        points: np.ndarray | None = None,
        weights: np.ndarray | None = None,
    ) -> BallotMatrix:
        """Build from a 2-D array of project positions padded with -1 (one row per ballot)."""
        choices = np.asarray(choices)
        mask = choices >= 0
        lengths = mask.sum(axis=1)
        indptr = np.zeros(len(choices) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        flat = choices[mask]
        pts = np.ones(len(flat), dtype=np.int64) if points is None else np.asarray(points)[mask]
        w = np.ones(len(choices), dtype=np.int64) if weights is None else weights
        return cls(indptr, flat, pts, w)


@dataclass(frozen=True, slots=True)
class TallyInput:
    """Everything a rule needs to compute an outcome.

    * ``budget``: the amount to spend, in whole currency units.
    * ``vote_type``: ``approval``, ``cumulative``, ``choose-1`` or ``ordinal`` (points already in
      the ballots; see the module docstring).
    * ``tie_break``: ``lexico`` (pabutools' default: smaller project id as a string first; used to
      compare with pabutools) or ``cost_votes_lot`` (the documented default for cities: cheaper
      project first, then more supporters, then a lot drawn with ``lot_seed``). See ``ties.py``.
    * ``council_weight`` / ``public_weight``: weights of the council-weighted rule.
    * ``sources``: the weighted rule's sources with their weights (``weighted.py``).
    * ``min_project_score``: projects whose score (points) is below this are not eligible under any
      rule (Pabulib's ``greedy-threshold``; 0 = no threshold).
    * ``min_project_votes``: projects supported by fewer ballots than this are not eligible under
      any rule (a cycle's minimum support; META ``min_project_support`` in our ``.pb`` files;
      0 = none). Ineligible projects are simply left out of the instance.
    * ``greedy_no_skip``: the greedy rule stops at the first project that does not fit instead of
      trying cheaper ones (Pabulib's ``greedy-no-skip``).
    * ``mes_completion``: ``greedy`` (default; what Pabulib and equalshares.net call Add1 followed
      by greedy completion) or ``none`` (Add1 only).
    * ``mes_budget_increment``: the per-voter increment of the Add1 loop, in currency units.
    """

    budget: int
    projects: tuple[ProjectInput, ...]
    ballots: tuple[BallotInput, ...] | BallotMatrix
    vote_type: str = "approval"
    tie_break: str = "cost_votes_lot"
    lot_seed: str = ""
    council_weight: Fraction | int = 0
    public_weight: Fraction | int = 1
    sources: tuple[SourceInput, ...] = ()
    min_project_score: int = 0
    min_project_votes: int = 0
    greedy_no_skip: bool = False
    mes_completion: str = "greedy"
    mes_budget_increment: int = 1

    def __post_init__(self) -> None:  # noqa: PLR0912
        if self.vote_type not in VOTE_TYPES:
            raise TallyInputError(f"unknown vote_type {self.vote_type!r}; expected {VOTE_TYPES}")
        if self.tie_break not in TIE_BREAKS:
            raise TallyInputError(f"unknown tie_break {self.tie_break!r}; expected {TIE_BREAKS}")
        if self.mes_completion not in MES_COMPLETIONS:
            raise TallyInputError(f"unknown mes_completion {self.mes_completion!r}")
        if not isinstance(self.budget, int) or self.budget < 0:
            raise TallyInputError("budget must be a non-negative integer")
        if self.mes_budget_increment < 1:
            raise TallyInputError("mes_budget_increment must be at least 1")
        seen: set[str] = set()
        for p in self.projects:
            if p.id in seen:
                raise TallyInputError(f"duplicate project id {p.id!r}")
            seen.add(p.id)
            if not isinstance(p.cost, int) or p.cost < 0:
                raise TallyInputError(f"project {p.id!r}: cost must be a non-negative integer")
            if p.council_votes < 0:
                raise TallyInputError(f"project {p.id!r}: council_votes must not be negative")
        if Fraction(self.council_weight) < 0 or Fraction(self.public_weight) < 0:
            raise TallyInputError("weights must not be negative")
        if isinstance(self.ballots, BallotMatrix):
            pi = self.ballots.project_index
            if len(pi) and (pi.min() < 0 or pi.max() >= len(self.projects)):
                raise TallyInputError("ballot matrix refers to a project position out of range")
        else:
            object.__setattr__(self, "ballots", tuple(self.ballots))

    @classmethod
    def from_arrays(
        cls,
        budget: int,
        projects: tuple[ProjectInput, ...],
        indptr: np.ndarray,
        project_index: np.ndarray,
        *,
        points: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        **options: Any,
    ) -> TallyInput:
        """Compact constructor for big elections (see :class:`BallotMatrix`)."""
        n_rows = len(indptr) - 1
        matrix = BallotMatrix(
            indptr,
            project_index,
            np.ones(len(project_index), dtype=np.int64) if points is None else points,
            np.ones(n_rows, dtype=np.int64) if weights is None else weights,
        )
        return cls(budget=budget, projects=tuple(projects), ballots=matrix, **options)


@dataclass(frozen=True, slots=True)
class ProjectResult:
    """How one project fared.

    * ``votes``: number of supporters (ballots giving it at least one point).
    * ``score``: total points for greedy/MES, the weighted score for ``council_weighted``; an exact
      number written as a string (``"1234"`` or a fraction ``"7/12"``).
    * ``rank``: 1-based position in the rule's results table (see each rule's docstring).
    * ``reason_code`` / ``reason_params``: why it was (not) funded, with the numbers a citizen
      needs (all values are ``int`` or ``str``, so they serialise to JSON as they are):

      - ``funded``: selected by the rule's main pass.
      - ``funded_in_completion``: selected by the greedy completion after the Method of Equal
        Shares.
      - ``not_enough_budget``: it was its turn but only ``remaining_budget`` was left.
      - ``below_threshold``: its ``score`` was below ``threshold``.
      - ``below_minimum_support``: fewer than ``minimum`` ballots supported it (``votes``).
      - ``not_reached_no_skip``: greedy-no-skip stopped at an earlier project that did not fit.
      - ``supporters_could_not_pay``: (MES) its supporters' remaining shares
        (``supporters_money``, rounded down) were less than its cost; if the greedy completion
        then looked at it, ``remaining_budget`` says what was left.
    """

    project_id: str
    votes: int
    score: str
    cost: int
    funded: bool
    rank: int
    reason_code: str
    reason_params: dict[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TallyOutcome:
    """The outcome of one rule: ``selected`` in selection order, ``results`` in rank order."""

    rule: str
    selected: tuple[str, ...]
    results: tuple[ProjectResult, ...]

    @property
    def total_cost(self) -> int:
        return sum(r.cost for r in self.results if r.funded)

    def result(self, project_id: str) -> ProjectResult:
        for r in self.results:
            if r.project_id == project_id:
                return r
        raise KeyError(project_id)


# --------------------------------------------------------------------------------------------
# Internal: the arrays every rule works on.
# --------------------------------------------------------------------------------------------

_MERGE_MAX_CELLS = 60_000_000
# Rows (and (row, project) pairs) are sorted as single int64 keys when those stay below this;
# otherwise by the equivalent, slower lexsort.
_SORT_KEY_LIMIT = 2**62


@dataclass(slots=True)
class Prepared:
    """Ballots as merged compressed rows (groups of identical ballots) plus per-project totals.

    Internal to the tally package. ``row_*`` arrays are sorted by project inside each row and
    contain only positive points; ``col_*`` arrays are the same entries grouped by project.
    """

    ids: list[str]
    costs: list[int]
    n_voters: int
    row_ptr: np.ndarray
    row_proj: np.ndarray
    row_pts: np.ndarray
    weights: np.ndarray
    col_ptr: np.ndarray
    col_rows: np.ndarray
    col_pts: np.ndarray
    scores: list[int]
    votes: list[int]
    max_row_len: int

    @property
    def n_projects(self) -> int:
        return len(self.ids)


def _ballots_to_arrays(
    t: TallyInput,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(t.ballots, BallotMatrix):
        m = t.ballots
        return m.indptr, m.project_index, m.points, m.weights
    position = {p.id: i for i, p in enumerate(t.projects)}
    merged: dict[tuple[tuple[int, int], ...], int] = {}
    for ballot in t.ballots:
        if ballot.weight < 1:
            raise TallyInputError("ballot weights must be positive")
        entries: dict[int, int] = {}
        for pid, pts in ballot.choices:
            pos = position.get(pid)
            if pos is None:
                raise TallyInputError(f"ballot refers to unknown project {pid!r}")
            if not isinstance(pts, int) or pts < 0:
                raise TallyInputError(f"points for {pid!r} must be a non-negative integer")
            if pos in entries:
                raise TallyInputError(f"ballot lists project {pid!r} twice")
            if pts:
                entries[pos] = pts
        key = tuple(sorted(entries.items()))
        merged[key] = merged.get(key, 0) + ballot.weight
    keys = list(merged)
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    indptr = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    total = int(indptr[-1])
    proj = np.fromiter((e[0] for k in keys for e in k), dtype=np.int64, count=total)
    points = np.fromiter((e[1] for k in keys for e in k), dtype=np.int64, count=total)
    weights = np.fromiter(merged.values(), dtype=np.int64, count=len(keys))
    return indptr, proj, points, weights


def _canonical_rows(
    indptr: np.ndarray, proj: np.ndarray, pts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop zero-point entries and sort each row by project (vectorised)."""
    n_rows = len(indptr) - 1
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(indptr))
    keep = pts > 0
    row_of, proj, pts = row_of[keep], proj[keep], pts[keep]
    same_row = row_of[1:] == row_of[:-1]
    if not np.all(proj[1:][same_row] > proj[:-1][same_row]):
        # Not yet sorted inside every row (already-sorted input, the usual case, skips this).
        # One int64 key sorted stably gives the same order as lexsort((proj, row_of)).
        span = int(proj.max()) + 1
        if n_rows * span < _SORT_KEY_LIMIT:
            order = np.argsort(row_of * span + proj, kind="stable")
        else:
            order = np.lexsort((proj, row_of))
        row_of, proj, pts = row_of[order], proj[order], pts[order]
        if len(proj) > 1:
            dup = (row_of[1:] == row_of[:-1]) & (proj[1:] == proj[:-1])
            if dup.any():
                raise TallyInputError("a ballot lists the same project twice")
    new_ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of, minlength=n_rows), out=new_ptr[1:])
    return new_ptr, proj, pts


def _merge_identical(
    indptr: np.ndarray, proj: np.ndarray, pts: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge identical rows (same projects with same points), summing their weights."""
    n_rows = len(indptr) - 1
    lengths = np.diff(indptr)
    max_len = int(lengths.max()) if n_rows else 0
    if n_rows < 2 or n_rows * (max_len + 1) > _MERGE_MAX_CELLS:
        return indptr, proj, pts, weights
    code = proj * (int(pts.max()) + 1 if len(pts) else 1) + pts
    col = np.arange(len(proj), dtype=np.int64) - np.repeat(indptr[:-1], lengths)
    base = int(code.max()) + 2 if len(code) else 1
    new_group = np.ones(n_rows, dtype=bool)
    if max_len and base**max_len < _SORT_KEY_LIMIT:
        # Each row as one integer: digits ``code + 1`` (0 = padding) in base ``base``, first entry
        # most significant. Integer order is then the lexicographic order of the padded rows, so a
        # stable argsort gives exactly the order of the lexsort below, much faster.
        digits = np.zeros((n_rows, max_len), dtype=np.int64)
        digits[np.repeat(np.arange(n_rows), lengths), col] = code + 1
        powers = np.array([base ** (max_len - 1 - j) for j in range(max_len)], dtype=np.int64)
        key = (digits * powers).sum(axis=1)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        new_group[1:] = sorted_key[1:] != sorted_key[:-1]
    else:
        padded = np.full((n_rows, max_len), -1, dtype=np.int64)
        padded[np.repeat(np.arange(n_rows), lengths), col] = code
        order = np.lexsort(padded.T[::-1]) if max_len else np.arange(n_rows)
        sorted_rows = padded[order]
        if max_len:
            new_group[1:] = np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1)
        else:
            new_group[1:] = False
    group_id = np.cumsum(new_group) - 1
    n_groups = int(group_id[-1]) + 1
    if n_groups == n_rows:
        return indptr, proj, pts, weights
    merged_w = np.zeros(n_groups, dtype=np.int64)
    np.add.at(merged_w, group_id, weights[order])
    reps = order[new_group]
    rep_len = lengths[reps]
    new_ptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(rep_len, out=new_ptr[1:])
    src = np.repeat(indptr[reps], rep_len) + (
        np.arange(int(new_ptr[-1]), dtype=np.int64) - np.repeat(new_ptr[:-1], rep_len)
    )
    return new_ptr, proj[src], pts[src], merged_w


def _segment_sum(values: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """Exact int64 sums of ``values[ptr[i]:ptr[i+1]]`` (0 for empty segments)."""
    csum = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=csum[1:])
    sums: np.ndarray = csum[ptr[1:]] - csum[ptr[:-1]]
    return sums


def _merged_arrays(t: TallyInput) -> _Merged:
    """Canonical rows (sorted, no zero points) with identical rows merged, and the same entries
    by project; computed once per ballot matrix (cached on it)."""
    n_projects = len(t.projects)
    cached = t.ballots.merged if isinstance(t.ballots, BallotMatrix) else None
    if cached is not None and cached[0] == n_projects:
        return cached
    indptr, proj, pts, weights = _ballots_to_arrays(t)
    indptr, proj, pts = _canonical_rows(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(proj, dtype=np.int64),
        np.asarray(pts, dtype=np.int64),
    )
    weights = np.asarray(weights, dtype=np.int64)
    indptr, proj, pts, weights = _merge_identical(indptr, proj, pts, weights)
    lengths = np.diff(indptr)
    row_of = np.repeat(np.arange(len(weights), dtype=np.int64), lengths)
    order = np.argsort(proj, kind="stable")
    col_rows = row_of[order]
    col_pts = pts[order]
    col_ptr = np.zeros(n_projects + 1, dtype=np.int64)
    np.cumsum(np.bincount(proj, minlength=n_projects), out=col_ptr[1:])
    col_w = weights[col_rows]
    arrays = (indptr, proj, pts, weights, col_ptr, col_rows, col_pts)
    for array in arrays:
        array.flags.writeable = False
    merged = (
        n_projects,
        *arrays,
        [int(x) for x in _segment_sum(col_pts * col_w, col_ptr)],
        [int(x) for x in _segment_sum(col_w, col_ptr)],
        int(lengths.max()) if len(lengths) else 0,
    )
    if isinstance(t.ballots, BallotMatrix):
        object.__setattr__(t.ballots, "merged", merged)
    return merged


def prepare(t: TallyInput) -> Prepared:
    """Turn a :class:`TallyInput` into merged arrays (identical ballots become one weighted row)."""
    (_, indptr, proj, pts, weights, col_ptr, col_rows, col_pts, scores, votes, max_row_len) = (
        _merged_arrays(t)
    )
    return Prepared(
        ids=[p.id for p in t.projects],
        costs=[p.cost for p in t.projects],
        n_voters=int(weights.sum()),
        row_ptr=indptr,
        row_proj=proj,
        row_pts=pts,
        weights=weights,
        col_ptr=col_ptr,
        col_rows=col_rows,
        col_pts=col_pts,
        scores=list(scores),
        votes=list(votes),
        max_row_len=max_row_len,
    )
