"""Read and write Pabulib ``.pb`` files (our own code; pabutools is only a test oracle).

A ``.pb`` file is UTF-8 text with three ``;``-separated sections, each starting with its name on a
line of its own and a header row:

* ``META`` (``key;value``): at least ``budget`` and ``vote_type``;
* ``PROJECTS`` (``project_id;cost;...``): one row per project;
* ``VOTES`` (``voter_id;vote;...``): one row per voter; ``vote`` is a comma-separated list of
  project ids (in rank order for ordinal ballots) and cumulative ballots add a ``points`` column.

Supported vote types: ``approval``, ``choose-1`` (read as approval), ``cumulative`` and
``ordinal`` (a ballot of at most ``k`` ranks gives ``k, k-1, ...`` points, where ``k`` is META
``max_length`` or, if absent, the longest ballot: Kraków's 3-2-1). Others (``scoring``...) raise
:class:`UnsupportedVoteType`; a file that cannot be read raises :class:`PbFormatError` naming the
line and the rule it breaks.

What real files contain is read as pabutools (``parse_pabulib``) reads it:

* budgets and costs with decimals, with a point or a comma (``1331751.11``, ``1331751,11``), kept
  exact: every amount becomes an integer number of ``1 / amount_scale`` units, where
  ``amount_scale`` is ``10 ** d`` for the most decimal places ``d`` in the file (grosze for a
  zł file with grosze), never a float. Scaling every amount alike changes no outcome of greedy or
  Equal Shares; Add1's step stays one currency unit (``amount_scale`` units);
* a project listed twice in one vote: an approval counts once, an ordinal vote keeps its first
  rank, cumulative points keep the last entry (a dict assignment in pabutools), each with a
  :class:`PbWarning` naming the line;
* META keys in any order, a BOM, CRLF line ends, trailing ``;`` (empty cells at the end of a
  row), rows shorter than their header (missing optional columns), ``none`` or empty cells (an
  absent value; a ``none`` vote is an empty ballot), an empty entry left by a trailing comma in
  a vote, a ``points`` column on ordinal votes (ignored, as pabutools does).

:func:`write_pb` writes the canonical text of a :class:`~budgeting.tally.types.TallyInput`:
ballots sorted by their choice tuple, voter ids ``1..n`` in that order (never any other id), so the
same election always gives byte-identical text (see ``fingerprint.py``).
"""

from __future__ import annotations

import csv
import io
import itertools
import math
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
    """The file is not a valid ``.pb`` file; the message names the line and the rule broken."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class UnsupportedVoteType(PbFormatError):  # noqa: N818 - the name the callers use
    """The file is well-formed but uses a vote type we do not tally (e.g. ``scoring``)."""


@dataclass(frozen=True, slots=True)
class PbWarning:
    """Something read the way pabutools reads it, but worth telling (a repeated project...)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


# Rules (META ``rule``) and how :meth:`PbElection.to_tally_input` follows them.
GREEDY_RULES = ("greedy", "greedy-threshold", "greedy-no-skip", "greedy-exclusive")


@dataclass(slots=True)
class PbElection:
    """A parsed ``.pb`` file.

    ``projects`` maps project id to its row (its columns as strings, in file order; ``none`` and
    missing cells are absent); ``votes`` is the compact :class:`BallotMatrix` (project positions
    follow ``projects``' order, points as described in the module docstring, one row per voter,
    weight 1).

    Amounts: ``amount_scale`` is ``10 ** d`` where ``d`` is the most decimal places of the budget
    and the costs (1 for whole amounts); ``budget`` and ``costs`` are exact integers in units of
    ``1 / amount_scale`` (grosze for a zł file with grosze), never floats.
    """

    meta: dict[str, str]
    projects: dict[str, dict[str, str]]
    votes: BallotMatrix
    voter_ids: list[str] = field(default_factory=list)
    amount_scale: int = 1
    budget: int = 0
    costs: dict[str, int] = field(default_factory=dict)
    warnings: list[PbWarning] = field(default_factory=list)

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @property
    def rule(self) -> str:
        return self.meta.get("rule", "").strip()

    @property
    def official_selected(self) -> set[str]:
        """Projects whose ``selected`` column is ``1`` (the city's official outcome)."""
        return {pid for pid, row in self.projects.items() if row.get("selected", "").strip() == "1"}

    def amount(self, units: int) -> Decimal:
        """An amount in the file's currency (``units / amount_scale``), exactly."""
        return Decimal(units) / self.amount_scale

    def to_tally_input(
        self,
        tie_break: str = "lexico",
        *,
        follow_meta_rule: bool = False,
        lot_seed: str = "",
    ) -> TallyInput:
        """A :class:`TallyInput` for this election (amounts in units of ``1 / amount_scale``).

        ``tie_break`` defaults to ``lexico`` because Pabulib outcomes are compared with pabutools.
        Equal Shares' Add1 raises every share by one currency unit per step, as pabutools'
        ``voter_budget_increment=1`` does on the file: ``amount_scale`` units.

        With ``follow_meta_rule`` the META ``rule`` sets the variant (as Pabulib's checker reads
        it): every ``greedy*`` rule applies ``min_project_score_threshold`` when META has one
        (``greedy-threshold`` names it); ``greedy-no-skip`` stops at the first project that does
        not fit; ``greedy-exclusive`` is greedy (the projects the city treated as mutually
        exclusive are only described in the META comment, never machine-readable);
        ``equalshares/add1`` means no greedy completion. Without it the plain rules are used
        (what pabutools computes).
        """
        projects = tuple(
            ProjectInput(id=pid, cost=self.costs[pid], name=row.get("name", ""))
            for pid, row in self.projects.items()
        )
        options = meta_rule_options(self.meta) if follow_meta_rule else {}
        return TallyInput(
            budget=self.budget,
            projects=projects,
            ballots=self.votes,
            vote_type=self.vote_type,
            tie_break=tie_break,
            lot_seed=lot_seed,
            mes_budget_increment=self.amount_scale,
            **options,  # type: ignore[arg-type]
        )


# Not a Pabulib key: Chamyeo's files state a cycle's minimum support (supporting ballots a project
# needs to be eligible, whatever the rule) under it.
MIN_SUPPORT_META = "min_project_support"


def meta_rule_options(meta: dict[str, str]) -> dict[str, int | bool | str]:
    """:class:`TallyInput` options for the variant META ``rule`` names (see ``to_tally_input``)."""
    rule = meta.get("rule", "").strip()
    options: dict[str, int | bool | str] = {}
    threshold = meta.get("min_project_score_threshold", "")
    if rule in GREEDY_RULES and not _is_none(threshold):
        # scores are whole numbers: "score >= 99.5" is "score >= 100"
        options["min_project_score"] = math.ceil(
            _parse_decimal(threshold, "META min_project_score_threshold", None)
        )
    support = meta.get(MIN_SUPPORT_META, "")
    if not _is_none(support):
        # Chamyeo's minimum support, for every rule: fewer supporters, left out of the instance
        options["min_project_votes"] = math.ceil(
            _parse_decimal(support, f"META {MIN_SUPPORT_META}", None)
        )
    if rule == "greedy-no-skip":
        options["greedy_no_skip"] = True
    elif rule == "equalshares/add1":
        options["mes_completion"] = "none"
    return options


_MAX_DECIMALS = 6
_NUMBER_RULE = "a non-negative number, with a point or a comma as the decimal separator"


def _parse_decimal(text: str, what: str, line: int | None) -> Decimal:
    """A non-negative amount, exactly; ``1331751.11`` and ``1331751,11`` are the same."""
    s = text.strip().replace(",", ".", 1)
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise PbFormatError(f"{what} {text!r} is not {_NUMBER_RULE}", line) from None
    if not value.is_finite() or value < 0 or "," in s:
        raise PbFormatError(f"{what} {text!r} is not {_NUMBER_RULE}", line)
    return value


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _parse_int(text: str, what: str, line: int | None) -> int:
    value = _parse_decimal(text, what, line)
    if value != value.to_integral_value():
        raise PbFormatError(f"{what} {text!r} is not a whole number", line)
    return int(value)


def _is_none(cell: str) -> bool:
    """Pabulib writes ``none`` (any case) or nothing for an absent value; pabutools skips it."""
    return not cell or cell.lower() == "none"


def _trim(row: list[str]) -> list[str]:
    """Cells stripped, without the empty cells a trailing separator leaves."""
    cells = [c.strip() for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _rows(text_io: TextIO) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(text_io, delimiter=";")
    first = True
    for row in reader:
        if first and row:
            row[0] = row[0].removeprefix("\ufeff")  # a BOM on an already-open stream
            first = False
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


@dataclass(slots=True)
class _Votes:
    """The VOTES section as it is read: compressed rows, points filled in at the end."""

    vote_type: str
    positions: dict[str, int]
    vote_col: int = -1
    points_col: int = -1
    header_len: int = 0
    ordinal_k: int | None = None
    voter_ids: list[str] = field(default_factory=list)
    indptr: list[int] = field(default_factory=lambda: [0])
    flat_proj: list[int] = field(default_factory=list)
    flat_pts: list[int] = field(default_factory=list)
    ordinal_rows: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[PbWarning] = field(default_factory=list)

    def header(self, header: list[str], meta: dict[str, str], line: int) -> None:
        if "vote" not in header:
            raise PbFormatError("the VOTES header needs a vote column", line)
        self.header_len = len(header)
        self.vote_col = header.index("vote")
        if self.vote_type == "cumulative":
            if "points" not in header:
                raise PbFormatError("cumulative VOTES need a points column", line)
            self.points_col = header.index("points")
        if self.vote_type == "ordinal" and not _is_none(meta.get("max_length", "")):
            self.ordinal_k = _parse_int(meta["max_length"], "META max_length", None)

    def _project(self, name: str, line: int) -> int:
        pos = self.positions.get(name)
        if pos is None:
            raise PbFormatError(
                f"vote for unknown project {name!r} (every voted id must be in PROJECTS)", line
            )
        return pos

    def row(self, row: list[str], line: int) -> None:
        """One voter's row (the hot loop of big files: only the cells needed are stripped)."""
        n = len(row)
        if n > self.header_len and any(c.strip() for c in row[self.header_len :]):
            width = len(_trim(row))
            raise PbFormatError(
                f"vote row has {width} fields, the VOTES header has {self.header_len} "
                "(one value per header column)",
                line,
            )
        self.voter_ids.append(row[0].strip())
        text = row[self.vote_col].strip() if self.vote_col < n else ""
        if text.lower() == "none":
            text = ""
        if self.vote_type == "cumulative":
            names = [name.strip() for name in text.split(",")] if text else []
            ptext = row[self.points_col].strip() if self.points_col < n else ""
            self._cumulative(names, "" if ptext.lower() == "none" else ptext, line)
        else:
            self._listed(text, line)
        self.indptr.append(len(self.flat_proj))

    def _cumulative(self, names: list[str], ptext: str, line: int) -> None:
        if not ptext:  # pabutools: no points, an empty ballot
            names = []
        pts_raw = [p.strip() for p in ptext.split(",")] if ptext else []
        pairs = [(n, p) for n, p in itertools.zip_longest(names, pts_raw) if n or p]
        if any(n is None or p is None or not n or not p for n, p in pairs):
            raise PbFormatError(
                "vote and points have different lengths (one number of points per project)", line
            )
        points: dict[int, int] = {}
        for name, ptext_one in pairs:
            pos = self._project(name, line)
            value = _parse_int(ptext_one, f"points for project {name!r}", line)
            if pos in points:
                self.warnings.append(
                    PbWarning(
                        line,
                        f"project {name!r} is listed more than once in this vote; "
                        f"its last points ({value}) count, as pabutools reads it",
                    )
                )
            points[pos] = value  # a dict keeps the first position and the last value
        self.flat_proj.extend(points)
        self.flat_pts.extend(points.values())

    def _listed(self, text: str, line: int) -> None:
        positions = self.positions
        chosen: dict[int, None] = {}
        for raw in text.split(",") if text else ():
            name = raw.strip()
            if not name:  # a trailing comma
                continue
            pos = positions.get(name)
            if pos is None:
                pos = self._project(name, line)
            if pos in chosen:
                how = "its first rank counts" if self.vote_type == "ordinal" else "it counts once"
                self.warnings.append(
                    PbWarning(
                        line,
                        f"project {name!r} is listed more than once in this vote; "
                        f"{how}, as pabutools reads it",
                    )
                )
            chosen[pos] = None
        if self.vote_type == "choose-1" and len(chosen) > 1:
            self.warnings.append(
                PbWarning(
                    line,
                    f"a choose-1 vote lists {len(chosen)} projects; read as approval of each, "
                    "as pabutools reads it",
                )
            )
        if self.vote_type == "ordinal":
            if self.ordinal_k is not None and len(chosen) > self.ordinal_k:
                raise PbFormatError(
                    f"ordinal vote has {len(chosen)} ranks, META max_length is "
                    f"{self.ordinal_k} (rank points k, k-1, ... need at most k ranks)",
                    line,
                )
            self.ordinal_rows.append((len(self.flat_proj), len(chosen)))
            self.flat_pts.extend([0] * len(chosen))
        else:
            self.flat_pts.extend([1] * len(chosen))
        self.flat_proj.extend(chosen)

    def matrix(self) -> BallotMatrix:
        if self.vote_type == "ordinal":
            k = self.ordinal_k
            if k is None:
                k = max((n for _, n in self.ordinal_rows), default=0)
            for start, n in self.ordinal_rows:
                for j in range(n):
                    self.flat_pts[start + j] = k - j
        return BallotMatrix(
            np.asarray(self.indptr, dtype=np.int64),
            np.asarray(self.flat_proj, dtype=np.int64),
            np.asarray(self.flat_pts, dtype=np.int64),
            np.ones(len(self.voter_ids), dtype=np.int64),
        )


def _meta_row(row: list[str], meta: dict[str, str], lines: dict[str, int], line: int) -> None:
    cells = _trim(row)
    if not cells:
        return
    if len(cells) < 2:
        raise PbFormatError("META rows need a key and a value (key;value)", line)
    # a value with an unquoted ';' (a comment) is kept whole
    value = ";".join(cells[1:])
    meta[cells[0]] = "" if value.lower() == "none" else value
    lines[cells[0]] = line


def _project_row(
    row: list[str], header: list[str], projects: dict[str, dict[str, str]], line: int
) -> tuple[str, Decimal]:
    cells = _trim(row)
    if len(cells) > len(header):
        raise PbFormatError(
            f"project row has {len(cells)} fields, the PROJECTS header has {len(header)} "
            "(one value per header column)",
            line,
        )
    record = {h: v for h, v in zip(header, cells, strict=False) if not _is_none(v)}
    pid = record.get("project_id", "")
    if not pid:
        raise PbFormatError("empty project_id (every project needs an id)", line)
    if "," in pid:
        raise PbFormatError(f"project id {pid!r} contains a comma (votes are comma lists)", line)
    if pid in projects:
        raise PbFormatError(f"duplicate project {pid!r} (project ids are unique)", line)
    if "cost" not in record:
        raise PbFormatError(f"project {pid!r} has no cost (every project needs one)", line)
    cost = _parse_decimal(record["cost"], f"cost of project {pid!r}", line)
    projects[pid] = record
    return pid, cost


def _read(fh: TextIO) -> PbElection:  # noqa: PLR0912, PLR0915
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: dict[str, dict[str, str]] = {}
    costs: dict[str, Decimal] = {}
    votes: _Votes | None = None
    seen_sections: list[str] = []
    section = ""
    header: list[str] = []
    expect_header = False
    for line, row in _rows(fh):
        if votes is not None and not expect_header and len(row) > 1:
            votes.row(row, line)  # VOTES is the last section: no section name can follow
            continue
        cells = _trim(row)
        if not cells:
            continue
        first = cells[0].lower()
        if len(cells) == 1 and first in _SECTIONS:
            if first in seen_sections:
                raise PbFormatError(f"section {first.upper()} appears twice", line)
            expected = _SECTIONS[len(seen_sections)]
            if first != expected:
                raise PbFormatError(
                    f"expected section {expected.upper()}, found {first.upper()} "
                    "(sections come in the order META, PROJECTS, VOTES)",
                    line,
                )
            seen_sections.append(first)
            section = first
            expect_header = True
            if section == "projects":
                _check_meta(meta, meta_lines, line)
            if section == "votes":
                votes = _Votes(
                    vote_type=meta["vote_type"].strip(),
                    positions={pid: i for i, pid in enumerate(projects)},
                )
            continue
        if not section:
            raise PbFormatError("content before the META section", line)
        if expect_header:
            header = cells
            expect_header = False
            if section == "projects" and ("project_id" not in header or "cost" not in header):
                raise PbFormatError("the PROJECTS header needs project_id and cost", line)
            if votes is not None:
                votes.header(header, meta, line)
            continue
        if section == "meta":
            _meta_row(row, meta, meta_lines, line)
        elif section == "projects":
            pid, cost = _project_row(row, header, projects, line)
            costs[pid] = cost
        elif votes is not None:
            votes.row(row, line)
    for name in _SECTIONS:
        if name not in seen_sections:
            raise PbFormatError(f"missing section {name.upper()}")
    assert votes is not None
    scale, budget, units = _whole_units(meta, costs)
    return PbElection(
        meta=meta,
        projects=projects,
        votes=votes.matrix(),
        voter_ids=votes.voter_ids,
        amount_scale=scale,
        budget=budget,
        costs=units,
        warnings=votes.warnings,
    )


def _whole_units(
    meta: dict[str, str], costs: dict[str, Decimal]
) -> tuple[int, int, dict[str, int]]:
    """The scale ``10 ** d`` (``d``: most decimal places of the budget and the costs), and the
    budget and costs as exact whole numbers of ``1 / scale`` units."""
    budget = _parse_decimal(meta["budget"], "META budget", None)
    decimals = max([_decimals(budget), *(_decimals(c) for c in costs.values())])
    if decimals > _MAX_DECIMALS:
        raise PbFormatError(
            f"amounts with {decimals} decimal places (at most {_MAX_DECIMALS} are read exactly)"
        )
    scale = 10**decimals
    return scale, int(budget * scale), {pid: int(cost * scale) for pid, cost in costs.items()}


def _check_meta(meta: dict[str, str], lines: dict[str, int], line: int) -> None:
    for key in ("budget", "vote_type"):
        if not meta.get(key):
            raise PbFormatError(f"META has no {key!r} (it is required)", line)
    vote_type = meta["vote_type"].strip()
    if vote_type not in SUPPORTED_VOTE_TYPES:
        raise UnsupportedVoteType(
            f"vote type {vote_type!r} is not supported (only {', '.join(SUPPORTED_VOTE_TYPES)})",
            lines["vote_type"],
        )
    _parse_decimal(meta["budget"], "META budget", lines["budget"])


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
    MIN_SUPPORT_META,
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
