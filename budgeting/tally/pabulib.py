"""Read and write Pabulib ``.pb`` files (our own code; pabutools is only a test oracle).

A ``.pb`` file is UTF-8 text with three ``;``-separated sections, each starting with its name on a
line of its own and a header row:

* ``META`` (``key;value``): at least ``budget`` and ``vote_type``;
* ``PROJECTS`` (``project_id;cost;...``): one row per project;
* ``VOTES`` (``voter_id;vote;...``): one row per voter; ``vote`` is a comma-separated list of
  project ids (in rank order for ordinal ballots) and cumulative ballots add a ``points`` column.

Supported vote types: ``approval``, ``choose-1`` (approval of at most one project),
``cumulative`` and ``ordinal`` (a ballot of at most ``k`` ranks gives ``k, k-1, ...`` points,
where ``k`` is META ``max_length`` or, if absent, the longest ballot). Others (``scoring``...)
raise :class:`UnsupportedVoteType`; malformed files raise :class:`PbFormatError` with the line
number.

:func:`write_pb` writes the canonical text of a :class:`~budgeting.tally.types.TallyInput`:
ballots sorted by their choice tuple, voter ids ``1..n`` in that order (never any other id), so the
same election always gives byte-identical text (see ``fingerprint.py``).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING
from typing import TextIO

import numpy as np

from budgeting.tally.types import _SORT_KEY_LIMIT
from budgeting.tally.types import BallotInput
from budgeting.tally.types import BallotMatrix
from budgeting.tally.types import Prepared
from budgeting.tally.types import ProjectInput
from budgeting.tally.types import TallyInput
from budgeting.tally.types import prepare

if TYPE_CHECKING:
    from _csv import Writer

SUPPORTED_VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal")
_SECTIONS = ("meta", "projects", "votes")


class PbFormatError(ValueError):
    """The file is not a valid ``.pb`` file; the message names the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class UnsupportedVoteType(PbFormatError):  # noqa: N818 - the name the callers use
    """The file is well-formed but uses a vote type we do not tally (e.g. ``scoring``)."""


@dataclass(slots=True)
class PbElection:
    """A parsed ``.pb`` file.

    ``projects`` maps project id to its row (all columns as strings, in file order); ``votes`` is
    the compact :class:`BallotMatrix` (project positions follow ``projects``' order, points as
    described in the module docstring, one row per voter, weight 1).
    """

    meta: dict[str, str]
    projects: dict[str, dict[str, str]]
    votes: BallotMatrix
    voter_ids: list[str] = field(default_factory=list)

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @property
    def budget(self) -> int:
        return _parse_int(self.meta["budget"], "budget", None)

    @property
    def official_selected(self) -> set[str]:
        """Projects whose ``selected`` column is ``1`` (the city's official outcome)."""
        return {pid for pid, row in self.projects.items() if row.get("selected", "").strip() == "1"}

    def to_tally_input(
        self,
        tie_break: str = "lexico",
        *,
        follow_meta_rule: bool = False,
        lot_seed: str = "",
    ) -> TallyInput:
        """A :class:`TallyInput` for this election.

        ``tie_break`` defaults to ``lexico`` because Pabulib outcomes are compared with pabutools.
        With ``follow_meta_rule`` the META ``rule`` sets the variant: ``greedy-threshold`` sets
        ``min_project_score`` from ``min_project_score_threshold``, ``greedy-no-skip`` sets
        ``greedy_no_skip`` and ``equalshares/add1`` means no greedy completion. Without it the
        plain rules are used (what pabutools computes).
        """
        projects = tuple(
            ProjectInput(
                id=pid, cost=_parse_int(row["cost"], "cost", None), name=row.get("name", "")
            )
            for pid, row in self.projects.items()
        )
        options: dict[str, object] = {}
        if follow_meta_rule:
            rule = self.meta.get("rule", "").strip()
            if rule == "greedy-threshold":
                options["min_project_score"] = _parse_int(
                    self.meta.get("min_project_score_threshold", "0"), "threshold", None
                )
            elif rule == "greedy-no-skip":
                options["greedy_no_skip"] = True
            elif rule == "equalshares/add1":
                options["mes_completion"] = "none"
        return TallyInput(
            budget=self.budget,
            projects=projects,
            ballots=self.votes,
            vote_type=self.vote_type,
            tie_break=tie_break,
            lot_seed=lot_seed,
            **options,  # type: ignore[arg-type]
        )


def _parse_int(text: str, what: str, line: int | None) -> int:
    s = text.strip().replace(",", ".")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise PbFormatError(f"{what} {text!r} is not a number", line) from None
    if not value.is_finite() or value != value.to_integral_value() or value < 0:
        raise PbFormatError(f"{what} {text!r} is not a non-negative whole number", line)
    return int(value)


def _rows(text_io: TextIO) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(text_io, delimiter=";")
    for row in reader:
        yield reader.line_num, row


def read_pb(source: str | os.PathLike[str] | TextIO) -> PbElection:
    """Parse a ``.pb`` file from a path or an open text stream."""
    if isinstance(source, str | os.PathLike):
        with Path(source).open(encoding="utf-8-sig", newline="") as fh:
            return _read(fh)
    return _read(source)


def read_pb_text(text: str) -> PbElection:
    """Parse ``.pb`` content given as a string."""
    return _read(io.StringIO(text.removeprefix("\ufeff"), newline=""))


def _read(fh: TextIO) -> PbElection:  # noqa: PLR0912, PLR0915
    meta: dict[str, str] = {}
    projects: dict[str, dict[str, str]] = {}
    positions: dict[str, int] = {}
    voter_ids: list[str] = []
    indptr: list[int] = [0]
    flat_proj: list[int] = []
    flat_pts: list[int] = []
    seen_sections: list[str] = []
    section = ""
    header: list[str] = []
    expect_header = False
    vote_type = ""
    vote_col = points_col = -1
    ordinal_k: int | None = None
    ordinal_rows: list[tuple[int, int]] = []  # (row start, length) to fill in points later
    for line, row in _rows(fh):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        first = row[0].strip().lower()
        if len(row) == 1 and first in _SECTIONS:
            if first in seen_sections:
                raise PbFormatError(f"section {first.upper()} appears twice", line)
            expected = _SECTIONS[len(seen_sections)]
            if first != expected:
                raise PbFormatError(
                    f"expected section {expected.upper()}, found {first.upper()}", line
                )
            seen_sections.append(first)
            section = first
            expect_header = True
            if section == "projects":
                for key in ("budget", "vote_type"):
                    if key not in meta:
                        raise PbFormatError(f"META has no {key!r}", line)
                vote_type = meta["vote_type"].strip()
                if vote_type not in SUPPORTED_VOTE_TYPES:
                    raise UnsupportedVoteType(f"vote type {vote_type!r} is not supported", line)
                _parse_int(meta["budget"], "budget", None)
            continue
        if not section:
            raise PbFormatError("content before the META section", line)
        if expect_header:
            header = [h.strip() for h in row]
            expect_header = False
            if section == "projects" and ("project_id" not in header or "cost" not in header):
                raise PbFormatError("PROJECTS header needs project_id and cost", line)
            if section == "votes":
                if "vote" not in header:
                    raise PbFormatError("VOTES header needs a vote column", line)
                vote_col = header.index("vote")
                if vote_type == "cumulative":
                    if "points" not in header:
                        raise PbFormatError("cumulative VOTES need a points column", line)
                    points_col = header.index("points")
                if vote_type == "ordinal" and "max_length" in meta:
                    ordinal_k = _parse_int(meta["max_length"], "max_length", None)
            continue
        if section == "meta":
            if len(row) < 2:
                raise PbFormatError("META rows need a key and a value", line)
            meta[row[0].strip()] = row[1].strip()
        elif section == "projects":
            if len(row) != len(header):
                raise PbFormatError(
                    f"project row has {len(row)} fields, header has {len(header)}", line
                )
            record = {h: v.strip() for h, v in zip(header, row, strict=True)}
            pid = record["project_id"]
            if not pid:
                raise PbFormatError("empty project_id", line)
            if pid in projects:
                raise PbFormatError(f"duplicate project {pid!r}", line)
            _parse_int(record["cost"], f"cost of project {pid!r}", line)
            positions[pid] = len(projects)
            projects[pid] = record
        else:
            if len(row) != len(header):
                raise PbFormatError(
                    f"vote row has {len(row)} fields, header has {len(header)}", line
                )
            voter_ids.append(row[0].strip())
            text = row[vote_col].strip()
            names = [n.strip() for n in text.split(",")] if text else []
            chosen: list[int] = []
            for name in names:
                pos = positions.get(name)
                if pos is None:
                    raise PbFormatError(f"vote for unknown project {name!r}", line)
                chosen.append(pos)
            if len(set(chosen)) != len(chosen):
                raise PbFormatError("a vote lists the same project twice", line)
            if vote_type == "choose-1" and len(chosen) > 1:
                raise PbFormatError("a choose-1 vote lists more than one project", line)
            if vote_type == "cumulative":
                ptext = row[points_col].strip()
                pts_raw = [p.strip() for p in ptext.split(",")] if ptext else []
                if len(pts_raw) != len(chosen):
                    raise PbFormatError("vote and points have different lengths", line)
                flat_pts.extend(_parse_int(p, "points", line) for p in pts_raw)
            elif vote_type == "ordinal":
                if ordinal_k is not None and len(chosen) > ordinal_k:
                    raise PbFormatError(
                        f"ordinal vote has {len(chosen)} ranks, max_length is {ordinal_k}", line
                    )
                ordinal_rows.append((len(flat_proj), len(chosen)))
                flat_pts.extend([0] * len(chosen))
            else:
                flat_pts.extend([1] * len(chosen))
            flat_proj.extend(chosen)
            indptr.append(len(flat_proj))
    for name in _SECTIONS:
        if name not in seen_sections:
            raise PbFormatError(f"missing section {name.upper()}")
    if vote_type == "ordinal":
        k = ordinal_k if ordinal_k is not None else max((n for _, n in ordinal_rows), default=0)
        for start, n in ordinal_rows:
            for j in range(n):
                flat_pts[start + j] = k - j
    matrix = BallotMatrix(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(flat_proj, dtype=np.int64),
        np.asarray(flat_pts, dtype=np.int64),
        np.ones(len(voter_ids), dtype=np.int64),
    )
    return PbElection(meta=meta, projects=projects, votes=matrix, voter_ids=voter_ids)


# --------------------------------------------------------------------------------------------
# Writer
# --------------------------------------------------------------------------------------------

_META_ORDER = (
    "description",
    "country",
    "unit",
    "subunit",
    "district",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "min_project_score_threshold",
    "language",
    "currency",
)


def _ballot_choices(t: TallyInput) -> Iterable[tuple[tuple[tuple[str, int], ...], int]]:
    """Every ballot as (choices with positive points, weight); ids, not positions."""
    if isinstance(t.ballots, BallotMatrix):
        m = t.ballots
        ids = [p.id for p in t.projects]
        ptr = m.indptr.tolist()
        proj = m.project_index.tolist()
        pts = m.points.tolist()
        weights = m.weights.tolist()
        for i, w in enumerate(weights):
            s, e = ptr[i], ptr[i + 1]
            yield tuple((ids[proj[j]], pts[j]) for j in range(s, e) if pts[j] > 0), w
    else:
        for b in t.ballots:
            yield tuple((pid, pts) for pid, pts in b.choices if pts > 0), b.weight


def canonical_ballots(t: TallyInput) -> list[tuple[tuple[str, int], ...]]:
    """All ballots (weights expanded), each as its choice tuple, sorted.

    A choice tuple lists ``(project_id, points)``: by project id for approval, choose-1 and
    cumulative ballots, by rank (most points first, then project id) for ordinal ballots.
    """
    ids = [p.id for p in t.projects]
    groups = _canonical_groups(t, prepare(t))
    ptr, proj, pts = groups.ptr.tolist(), groups.proj.tolist(), groups.pts.tolist()
    out: list[tuple[tuple[str, int], ...]] = []
    for g, weight in enumerate(groups.weights.tolist()):
        s, e = ptr[g], ptr[g + 1]
        out.extend([tuple((ids[q], x) for q, x in zip(proj[s:e], pts[s:e], strict=True))] * weight)
    return out


@dataclass(slots=True)
class _Groups:
    """Merged ballots in canonical order: the ``g``-th stands for ``weights[g]`` ballots and its
    entries are ``ptr[g]:ptr[g + 1]`` of ``proj`` and ``pts``, in the written order."""

    weights: np.ndarray
    ptr: np.ndarray
    proj: np.ndarray
    pts: np.ndarray


def _canonical_groups(t: TallyInput, prep: Prepared) -> _Groups:
    """Sort the merged ballots as their choice tuples would sort, without building the tuples.

    A choice tuple is a sequence of ``(project id, points)`` pairs compared pair by pair (ids as
    strings), a shorter tuple first when it is a prefix of a longer one. With ``rank[q]`` the
    position of project ``q``'s id among the sorted ids, the pair is the integer
    ``rank * (max points + 1) + points`` and a row is padded with -1: numeric order of the
    padded rows is the order of the tuples.
    """
    n_rows = len(prep.weights)
    lengths = np.diff(prep.row_ptr)
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    rank = np.empty(len(prep.ids), dtype=np.int64)
    rank[sorted(range(len(prep.ids)), key=prep.ids.__getitem__)] = np.arange(len(prep.ids))
    proj, pts = prep.row_proj, prep.row_pts
    entry_rank = rank[proj]
    if t.vote_type == "ordinal":  # by rank: most points first, then project id
        inner = np.lexsort((entry_rank, -pts, row_of))
    else:
        inner = np.lexsort((entry_rank, row_of))
    proj, pts, entry_rank = proj[inner], pts[inner], entry_rank[inner]
    max_len = int(lengths.max()) if n_rows else 0
    if not max_len:
        return _Groups(weights=prep.weights, ptr=prep.row_ptr, proj=proj, pts=pts)
    code = entry_rank * (int(pts.max()) + 1) + pts
    col = np.arange(len(proj), dtype=np.int64) - np.repeat(prep.row_ptr[:-1], lengths)
    base = int(code.max()) + 2
    padded = np.full((n_rows, max_len), -1, dtype=np.int64)
    padded[row_of, col] = code
    if base**max_len < _SORT_KEY_LIMIT:  # each row as one integer in base ``base`` (digits code+1)
        powers = np.array([base ** (max_len - 1 - j) for j in range(max_len)], dtype=np.int64)
        order = np.argsort(((padded + 1) * powers).sum(axis=1), kind="stable")
    else:
        order = np.lexsort(padded.T[::-1])
    new_len = lengths[order]
    new_ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(new_len, out=new_ptr[1:])
    src = np.repeat(prep.row_ptr[order] - new_ptr[:-1], new_len) + np.arange(int(new_ptr[-1]))
    return _Groups(weights=prep.weights[order], ptr=new_ptr, proj=proj[src], pts=pts[src])


_NEEDS_QUOTES = frozenset(';"\r\n')


def write_pb(t: TallyInput, meta: dict[str, str] | None = None, out: TextIO | None = None) -> str:
    """The canonical ``.pb`` text of an election (also written to ``out`` if given).

    META: ``meta`` plus the computed ``num_projects``, ``num_votes``, ``budget``, ``vote_type``
    (and ``max_length`` for ordinal ballots), known keys in Pabulib's usual order, then the rest
    alphabetically. PROJECTS: sorted by id, with ``votes`` and ``score`` computed from the ballots
    (and ``council_votes`` if any project has some). VOTES: see :func:`canonical_ballots`; voter
    ids are ``1..n``.

    Identical ballots are handled once (as merged groups, sorted with numpy); only the voter
    numbers are written per ballot.
    """
    meta = {k: str(v) for k, v in (meta or {}).items()}
    prep = prepare(t)
    groups = _canonical_groups(t, prep)
    meta["num_projects"] = str(len(t.projects))
    meta["num_votes"] = str(prep.n_voters)
    meta["budget"] = str(t.budget)
    meta["vote_type"] = t.vote_type
    for p in t.projects:
        if "," in p.id or p.id != p.id.strip() or not p.id:
            raise ValueError(f"project id {p.id!r} cannot be written to a .pb file")
    # ``groups`` lists every ballot's entries in written order (ordinal: most points first)
    pts_arr = groups.pts
    if t.vote_type in ("approval", "choose-1") and len(pts_arr) and (pts_arr != 1).any():
        raise ValueError("approval ballots must give exactly 1 point per chosen project")
    if t.vote_type == "ordinal":
        k = int(pts_arr.max()) if len(pts_arr) else 0
        ptr = groups.ptr
        position = np.arange(len(pts_arr), dtype=np.int64) - np.repeat(ptr[:-1], np.diff(ptr))
        if len(pts_arr) and (pts_arr != k - position).any():
            raise ValueError("ordinal ballots must give k, k-1, ... points by rank")
        meta["max_length"] = str(k)
    keys = [k for k in _META_ORDER if k in meta] + sorted(k for k in meta if k not in _META_ORDER)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["META"])
    w.writerow(["key", "value"])
    for key in keys:
        w.writerow([key, meta[key]])
    w.writerow(["PROJECTS"])
    with_council = any(p.council_votes for p in t.projects)
    head = ["project_id", "cost", "votes", "score", "name"]
    w.writerow([*head, "council_votes"] if with_council else head)
    position_of = {pid: i for i, pid in enumerate(prep.ids)}
    for p in sorted(t.projects, key=lambda p: p.id):
        i = position_of[p.id]
        row = [p.id, str(p.cost), str(prep.votes[i]), str(prep.scores[i]), p.name]
        w.writerow([*row, str(p.council_votes)] if with_council else row)
    w.writerow(["VOTES"])
    cumulative = t.vote_type == "cumulative"
    w.writerow(["voter_id", "vote", "points"] if cumulative else ["voter_id", "vote"])
    _write_votes(w, buf, t, groups, cumulative=cumulative)
    text = buf.getvalue()
    if out is not None:
        out.write(text)
    return text


def _write_votes(
    w: Writer, buf: io.StringIO, t: TallyInput, groups: _Groups, *, cumulative: bool
) -> None:
    """The VOTES rows: one line per ballot, voter ids ``1..n`` in canonical order.

    Each group's ``vote`` (and ``points``) field is joined once; a line is then only the voter
    number and that text. Ids that ``csv`` would quote (none of Pabulib's) take the csv writer.
    """
    ids = [p.id for p in t.projects]
    ptr = groups.ptr.tolist()
    columns = [_joined_fields([ids[q] for q in groups.proj.tolist()], ptr)]
    if cumulative:
        columns.append(_joined_fields(list(map(str, groups.pts.tolist())), ptr))
    weights = groups.weights.tolist()
    if any(_NEEDS_QUOTES.intersection(pid) for pid in ids):
        n = 0
        for *row, weight in zip(*columns, weights, strict=True):
            for _ in range(weight):
                n += 1
                w.writerow([str(n), *row])
        return
    fields = columns[0] if not cumulative else [f"{v};{p}" for v, p in zip(*columns, strict=True)]
    if any(x > 1 for x in weights):
        fields = [fields[g] for g in np.repeat(np.arange(len(fields)), weights).tolist()]
    buf.write("".join([f"{n};{f}\n" for n, f in enumerate(fields, start=1)]))


def _joined_fields(values: list[str], ptr: list[int]) -> list[str]:
    """``",".join(values[ptr[g]:ptr[g + 1]])`` for every group ``g``."""
    return [",".join(values[s:e]) for s, e in itertools.pairwise(ptr)]


def ballots_from_matrix(t: TallyInput) -> tuple[BallotInput, ...]:
    """Expand a matrix-backed input into ``BallotInput`` objects (for small elections/tests)."""
    return tuple(BallotInput(choices=c, weight=w) for c, w in _ballot_choices(t))
