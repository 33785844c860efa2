"""Reads for counting and publication: the anonymised tally input of a scope, its results.

``get_tally_input(scope=...)`` is the one place ballots are turned into the pure tally package's
:class:`~budgeting.tally.TallyInput`. On PostgreSQL each ballot's choices are aggregated in SQL
(one row per ballot, from the choices table alone, concatenated into one row) and parsed by numpy;
identical ballots are then merged in numpy by the tally package. Merging them in SQL as well
(``GROUP BY`` the choice list) was measured 4-5 times slower on 1,000,000 ballots (30 s against
6 s), because PostgreSQL sorts or hashes a million text or array keys, while numpy's lexsort of
integer rows takes a fraction of a second. Elsewhere (the SQLite demo) a portable path does the
same in Python. Neither path reads who voted: ballots carry no user.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from django.conf import settings
from django.db import connection
from django.db import transaction
from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import QuerySet
from django.db.models import Sum
from django.utils import timezone

from assembly.selectors import count_assembly_approvals
from assembly.selectors import count_survey
from budgeting.models import Allocation
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CountedReceipt
from budgeting.models import ExportFile
from budgeting.models import ImportedElection
from budgeting.models import TallyRun
from budgeting.tally import MIN_SUPPORT_META
from budgeting.tally import ProjectInput
from budgeting.tally import TallyInput
from budgeting.tally import meta_rule_options
from budgeting.tally.shares import ShareAccount
from budgeting.tally.shares import SharePayment
from budgeting.tally.shares import read_purchases
from budgeting.tally.shares import spend_share
from budgeting.tally.types import SourceInput
from proposals.models import Proposal
from voting.selectors import get_own_ballot
from voting.selectors import get_own_choices

# How each ballot rule is written in a Pabulib file (knapsack ballots are approval sets).
VOTE_TYPE_OF_BALLOT_RULE: dict[str, str] = {
    BudgetCycle.BallotRule.APPROVAL: "approval",
    BudgetCycle.BallotRule.KNAPSACK: "approval",
    BudgetCycle.BallotRule.CUMULATIVE: "cumulative",
    BudgetCycle.BallotRule.RANKED: "ordinal",
}


@dataclass(frozen=True)
class ScopeTallyInput:
    """The tally input of a scope with the META of its canonical ``.pb`` file."""

    tally_input: TallyInput
    meta: dict[str, str]
    proposals: dict[str, Proposal]  # project id (the proposal pk as text) -> proposal

    @property
    def ballot_count(self) -> int:
        ballots = self.tally_input.ballots
        if isinstance(ballots, tuple):
            return sum(b.weight for b in ballots)
        return ballots.n_voters


def list_tally_proposals(*, scope: BallotScope) -> QuerySet[Proposal]:
    """The projects counted on ``scope``: its proposals on the ballot, by id."""
    return (
        Proposal.objects.filter(scope=scope, status=Proposal.Status.ON_BALLOT)
        .annotate(council_points=Sum("council_scores__points"))
        .order_by("pk")
    )


def get_pb_meta(*, scope: BallotScope) -> dict[str, str]:
    """META of the scope's ``.pb`` file. Only stable, language-independent values (it is hashed)."""
    cycle = scope.cycle
    return {
        "description": f"Chamyeo participatory budget {cycle.slug}",
        "country": "South Korea",
        "unit": settings.CHAMYEO_CITY_NAME or "Chamyeo",
        "subunit": scope.slug,
        "instance": str(cycle.year),
        "date_begin": timezone.localtime(cycle.voting_start_at).strftime("%d.%m.%Y"),
        "date_end": timezone.localtime(cycle.voting_end_at).strftime("%d.%m.%Y"),
        "currency": "KRW",
        "language": "ko",
    }


def get_tally_input(*, scope: BallotScope) -> ScopeTallyInput:
    """The anonymised input of ``scope``'s count under its cycle's rules."""
    cycle = scope.cycle
    imported = ImportedElection.objects.filter(cycle=cycle).first()
    proposals = list(list_tally_proposals(scope=scope))
    ids = {p.pk: str(p.pk) for p in proposals}
    if imported is not None:  # counted as the city counted it, with the file's project ids
        ids = {p.pk: imported.project_ids.get(str(p.pk), str(p.pk)) for p in proposals}
    projects = tuple(
        ProjectInput(
            id=ids[p.pk],
            cost=int(p.ballot_cost_won),
            council_votes=int(p.council_points or 0),  # type: ignore[attr-defined]  # annotate()d
            name=" ".join(p.title.split()),
        )
        for p in proposals
    )
    pks = [p.pk for p in proposals]
    if connection.vendor == "postgresql":
        indptr, project_index, points, weights = _ballot_arrays_postgresql(scope.pk, pks)
    else:
        indptr, project_index, points, weights = _ballot_arrays_portable(scope.pk, pks)
    if cycle.ballot_rule == BudgetCycle.BallotRule.RANKED:
        # A ranked choice stores its rank (1 = first); Pabulib's ordinal ballots count rank r
        # of at most k as k + 1 - r points (Kraków's 3, 2, 1).
        points = (scope.max_choices or cycle.ranked_max_ranks) + 1 - points
    options: dict = {
        "vote_type": VOTE_TYPE_OF_BALLOT_RULE[cycle.ballot_rule],
        "tie_break": "cost_votes_lot",
        "lot_seed": cycle.tie_break_seed,
        "mes_budget_increment": mes_budget_increment(
            budget_won=int(scope.budget_won), ballot_count=int(weights.sum())
        ),
    }
    if cycle.tally_rule == BudgetCycle.TallyRule.COUNCIL_WEIGHTED:
        options["council_weight"] = Fraction(cycle.council_weight_percent, 100)
        options["public_weight"] = Fraction(cycle.public_weight_percent, 100)
        # the same two sources, so the count stores and publishes them like the weighted rule's
        options["sources"] = (
            SourceInput(name="online", weight=options["public_weight"]),
            SourceInput(
                name="committee",
                weight=options["council_weight"],
                counts=tuple(p.council_votes for p in projects),
            ),
        )
    if cycle.tally_rule == BudgetCycle.TallyRule.WEIGHTED:
        options["sources"] = get_weighted_sources(scope=scope, proposals=proposals)
    meta = get_pb_meta(scope=scope)
    if imported is None:
        # The cycle's minimum support (never for an imported election: counted as the city did)
        minimum = cycle.minimum_support_for(ballot_count=int(weights.sum()))
        if minimum > 0:
            options["min_project_votes"] = minimum
            meta[MIN_SUPPORT_META] = str(minimum)
    if imported is not None:
        options.update(imported_rule_options(imported))
        meta = {k: str(v) for k, v in imported.meta.items() if k not in PB_COMPUTED_META}
        if imported.amount_scale != 1:  # amounts are in 1 / amount_scale of the currency
            meta["amount_scale"] = str(imported.amount_scale)
    tally_input = TallyInput.from_arrays(
        budget=int(scope.budget_won),
        projects=projects,
        indptr=indptr,
        project_index=project_index,
        points=points,
        weights=weights,
        **options,
    )
    return ScopeTallyInput(
        tally_input=tally_input,
        meta=meta,
        proposals={ids[p.pk]: p for p in proposals},
    )


def get_weighted_sources(
    *, scope: BallotScope, proposals: list[Proposal]
) -> tuple[SourceInput, ...]:
    """The weighted rule's sources of ``scope`` with the cycle's weights, in project order.

    ``proposals`` must be annotated with ``council_points`` (``list_tally_proposals``)."""
    readers = {
        "committee": lambda: {p.pk: int(p.council_points or 0) for p in proposals},  # type: ignore[attr-defined]
        "assembly": lambda: count_assembly_approvals(scope=scope),
        "budget_school": lambda: count_school_points(scope=scope),
        "survey": lambda: count_survey(scope=scope),
    }
    sources = []
    for name, percent in scope.cycle.weighted_sources:  # only the sources with a weight are read
        counts = None  # the online vote: the ballots themselves
        if name != "online":
            by_pk = readers[name]()
            counts = tuple(by_pk.get(p.pk, 0) for p in proposals)
        sources.append(SourceInput(name=name, weight=Fraction(percent, 100), counts=counts))
    return tuple(sources)


def count_school_points(*, scope: BallotScope) -> dict[int, int]:
    """The budget-school source of ``scope``: points per proposal on the ballots tagged as cast
    by a budget-school graduate (ranked choices as the count turns them into points)."""
    cycle = scope.cycle
    rows = (
        BallotChoice.objects.filter(ballot__scope=scope, ballot__from_school_graduate=True)
        .values("proposal_id")
        .annotate(points=Sum("points"), n=Count("pk"))
        .values_list("proposal_id", "points", "n")
    )
    if cycle.ballot_rule == BudgetCycle.BallotRule.RANKED:
        return {pk: n * (cycle.ranked_max_ranks + 1) - pts for pk, pts, n in rows}
    return {pk: pts for pk, pts, _n in rows}


def list_school_ballot_rows(*, scope: BallotScope) -> list[list[tuple[int, int]]]:
    """The tagged ballots of ``scope`` as (proposal id, points) rows, anonymous and sorted."""
    cycle = scope.cycle
    rows: dict = {
        pk: []
        for pk in Ballot.objects.filter(scope=scope, from_school_graduate=True).values_list(
            "pk", flat=True
        )
    }
    for ballot_id, proposal_id, points in BallotChoice.objects.filter(
        ballot_id__in=list(rows)
    ).values_list("ballot_id", "proposal_id", "points"):
        if cycle.ballot_rule == BudgetCycle.BallotRule.RANKED:
            rows[ballot_id].append((proposal_id, cycle.ranked_max_ranks + 1 - points))
        else:
            rows[ballot_id].append((proposal_id, points))
    return sorted(sorted(r) for r in rows.values())


# META keys the .pb writer computes itself.
PB_COMPUTED_META = frozenset({"num_projects", "num_votes", "budget", "vote_type", "max_length"})


def get_minimum_support(*, run: TallyRun) -> int:
    """The supporting ballots a project needed to be funded in ``run`` (0: no minimum): the
    cycle's frozen minimum support for the run's ballot count; none for an imported election."""
    cycle = run.scope.cycle
    if ImportedElection.objects.filter(cycle=cycle).exists():
        return 0
    return cycle.minimum_support_for(ballot_count=run.ballot_count)


def imported_rule_options(imported: ImportedElection) -> dict:
    """TallyInput options for an imported election: its vote type, pabutools' tie-break, Add1's
    step of one currency unit (``amount_scale`` stored units) and the variant its META ``rule``
    names (as ``PbElection.to_tally_input(follow_meta_rule=True)``).
    """
    meta = {k: str(v) for k, v in imported.meta.items()}
    return {
        "vote_type": meta.get("vote_type", "approval"),
        "tie_break": "lexico",
        "mes_budget_increment": imported.amount_scale,
        **meta_rule_options(meta),
    }


def mes_budget_increment(*, budget_won: int, ballot_count: int) -> int:
    """How much each voter's share grows per step of Equal Shares' Add1 loop, in won.

    Pabulib's elections (zł, €) grow it 1 unit at a time; with won budgets that would mean
    millions of rounds, so the step is the power of ten three digits below the first share
    (a share of 4,761,904원 grows 10,000원 at a time; a share under 1,000원 grows 1원 at a time).
    It is published with the results (pabutools' ``voter_budget_increment``), so anyone can
    redo the count.
    """
    share = budget_won // ballot_count if ballot_count else 0
    return 10 ** max(0, len(str(share)) - 3)


def _position_lookup(pks: list[int]) -> np.ndarray:
    lookup = np.full((max(pks) + 1) if pks else 1, -1, dtype=np.int64)
    lookup[np.asarray(pks, dtype=np.int64)] = np.arange(len(pks), dtype=np.int64)
    return lookup


def _ballot_arrays_postgresql(
    scope_id: int, pks: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every ballot's choices, aggregated in SQL and fetched as three texts of integers.

    The inner query makes one row per ballot (its number of choices, its proposal ids, its
    points); the outer one concatenates each column over all ballots in the same order, so the
    whole scope arrives as one row of three space-separated lists that numpy parses at once
    (a million separate rows would cost seconds of per-row work in the driver). Ballots without
    a choice on this ballot's projects are counted separately and become one empty row (they
    still count as voters).
    """
    choice = BallotChoice._meta.db_table
    ids = ",".join(str(int(pk)) for pk in pks) or "NULL"
    # Only integers are interpolated (proposal ids), never user input. A project belongs to one
    # scope, so its choices are on ballots of that scope: no join with the ballots table.
    sql = f"""
        SELECT string_agg(n, ' '), string_agg(proposals, ' '), string_agg(points, ' ')
        FROM (
            SELECT count(*)::text AS n,
                   string_agg(proposal_id::text, ' ') AS proposals,
                   string_agg(points::text, ' ') AS points
            FROM {choice}
            WHERE proposal_id IN ({ids})
            GROUP BY ballot_id
        ) AS per_ballot
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Reading a big scope's choices in ballot order through the ballot index jumps all over
        # the table (ballots are stored shuffled): scanning it and grouping is ~2x faster.
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(sql)
        lengths_text, proposals_text, points_text = cursor.fetchone()

    def parse(text: str | None) -> np.ndarray:
        if not text:
            return np.zeros(0, dtype=np.int64)
        return np.fromstring(text, dtype=np.int64, sep=" ")

    lengths_arr = parse(lengths_text)
    proposal_ids, points = parse(proposals_text), parse(points_text)
    weights = np.ones(len(lengths_arr), dtype=np.int64)
    empty = Ballot.objects.filter(scope_id=scope_id).count() - len(lengths_arr)
    if empty > 0:
        lengths_arr = np.append(lengths_arr, 0)
        weights = np.append(weights, empty)
    indptr = np.zeros(len(lengths_arr) + 1, dtype=np.int64)
    np.cumsum(lengths_arr, out=indptr[1:])
    project_index = _position_lookup(pks)[proposal_ids] if len(proposal_ids) else proposal_ids
    return indptr, project_index, points, weights


def _ballot_arrays_portable(
    scope_id: int, pks: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The same as the PostgreSQL path, in Python (for SQLite)."""
    position = {pk: i for i, pk in enumerate(pks)}
    ballot_ids = Ballot.objects.filter(scope_id=scope_id).values_list("pk", flat=True)
    per_ballot: dict = {ballot_id: [] for ballot_id in ballot_ids}
    rows = BallotChoice.objects.filter(ballot__scope_id=scope_id, proposal_id__in=pks).values_list(
        "ballot_id", "proposal_id", "points"
    )
    for ballot_id, proposal_id, choice_points in rows:
        per_ballot[ballot_id].append((position[proposal_id], choice_points))
    groups = Counter(tuple(sorted(choices)) for choices in per_ballot.values())
    indptr = [0]
    project_index: list[int] = []
    points: list[int] = []
    weights: list[int] = []
    for choices, weight in sorted(groups.items()):
        project_index.extend(p for p, _ in choices)
        points.extend(x for _, x in choices)
        indptr.append(len(project_index))
        weights.append(weight)
    return (
        np.asarray(indptr, dtype=np.int64),
        np.asarray(project_index, dtype=np.int64),
        np.asarray(points, dtype=np.int64),
        np.asarray(weights, dtype=np.int64),
    )


# --- runs and results ---------------------------------------------------------------------------
def get_latest_run(*, scope: BallotScope, rule: str, is_official: bool = True) -> TallyRun | None:
    """The newest counted run of ``scope`` under ``rule``."""
    return (
        TallyRun.objects.defer("canonical_pb_gz")
        .filter(scope=scope, rule=rule, is_official=is_official, status=TallyRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def get_published_run(*, scope: BallotScope) -> TallyRun | None:
    """The official run published for ``scope`` (None before publication)."""
    return (
        TallyRun.objects.defer("canonical_pb_gz")
        .filter(scope=scope, is_official=True, published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .first()
    )


def get_comparison_run(*, run: TallyRun) -> TallyRun | None:
    """The greedy count of the same ballots, when the official rule is not greedy."""
    if run.rule == BudgetCycle.TallyRule.GREEDY:
        return None
    return (
        TallyRun.objects.defer("canonical_pb_gz")
        .filter(
            scope_id=run.scope_id,
            rule=BudgetCycle.TallyRule.GREEDY,
            fingerprint=run.fingerprint,
            status=TallyRun.Status.SUCCEEDED,
        )
        .first()
    )


def list_allocations(*, run: TallyRun) -> QuerySet[Allocation]:
    return run.allocations.select_related("proposal").order_by("rank")


def list_published_runs(*, cycle: BudgetCycle) -> list[TallyRun]:
    """The published official run of every scope of ``cycle`` that has one, in scope order."""
    runs = (
        TallyRun.objects.defer("canonical_pb_gz")
        .filter(scope__cycle=cycle, is_official=True, published_at__isnull=False)
        .select_related("scope__district")
        .prefetch_related(Prefetch("exports", queryset=ExportFile.objects.order_by("kind")))
        .order_by("scope__district__order", "scope_id", "-published_at")
    )
    seen: set[int] = set()
    result = []
    for run in runs:
        if run.scope_id not in seen:
            seen.add(run.scope_id)
            result.append(run)
    return result


def list_scope_tally_status(*, cycle: BudgetCycle) -> list[dict]:
    """For staff: every scope with its runs (newest first) and ballot count."""
    scopes = list(
        cycle.scopes.select_related("district")
        .annotate(ballot_total=Count("ballots", distinct=True))
        .order_by("district__order", "pk")
    )
    runs_by_scope: dict[int, list[TallyRun]] = {s.pk: [] for s in scopes}
    runs = TallyRun.objects.defer("canonical_pb_gz").filter(scope__cycle=cycle)
    for run in runs.order_by("-created_at", "-pk"):
        runs_by_scope[run.scope_id].append(run)
    return [
        {
            "scope": scope,
            "ballot_count": scope.ballot_total,
            "runs": runs_by_scope[scope.pk],
            "official": next(
                (
                    r
                    for r in runs_by_scope[scope.pk]
                    if r.is_official
                    and r.rule == cycle.tally_rule
                    and r.status == TallyRun.Status.SUCCEEDED
                ),
                None,
            ),
        }
        for scope in scopes
    ]


def get_funded_allocation(*, proposal: Proposal) -> Allocation | None:
    """The proposal's line in its scope's published result (None before publication)."""
    return (
        Allocation.objects.filter(
            proposal=proposal, tally_run__is_official=True, tally_run__published_at__isnull=False
        )
        .select_related("tally_run__scope__cycle")
        .order_by("-tally_run__published_at")
        .first()
    )


# --- "how my share was spent" (Equal Shares) ----------------------------------------------------
@dataclass(frozen=True)
class ShareLine:
    """One project on the voter's own ballot and what became of it (and of their money)."""

    allocation: Allocation
    points: int
    payment: SharePayment | None  # None: their share paid nothing towards it


@dataclass(frozen=True)
class ShareExplanation:
    """A voter's equal share under a published Equal Shares count, from their own ballot.

    Computed on each request from the ballot and the published run; never stored.
    """

    run: TallyRun
    account: ShareAccount
    first_share: Fraction  # the budget divided by the number of ballots, before Add1
    lines: list[ShareLine]

    @property
    def raised_by(self) -> Fraction:
        return self.account.share - self.first_share

    @property
    def paid_lines(self) -> list[ShareLine]:
        """The projects their share paid something towards, in the order they were bought."""
        paid = [line for line in self.lines if line.payment is not None and line.payment.amount]
        return sorted(paid, key=lambda line: line.payment.round if line.payment else 0)

    @property
    def other_lines(self) -> list[ShareLine]:
        """The other projects on their ballot (funded without their money, or not funded)."""
        return [line for line in self.lines if line.payment is None or not line.payment.amount]


def explain_my_share(*, user, run: TallyRun) -> ShareExplanation | None:
    """How the requesting voter's share was spent in the published Equal Shares ``run``.

    Only ``user``'s own ballot is read (found by their voter key). None if they have no
    ballot on the run's scope. Raises ``ShareInputError`` if ``run`` is not an Equal Shares
    count with shares.
    """
    ballot = get_own_ballot(user=user, scope=run.scope)
    if ballot is None:
        return None
    allocations = list(list_allocations(run=run))
    share, purchases = read_purchases(
        (str(a.proposal_id), a.reason_code, a.reason_params) for a in allocations
    )
    points = {str(pk): n for pk, n in get_own_choices(ballot=ballot).items() if n > 0}
    cycle = run.scope.cycle
    if cycle.ballot_rule == BudgetCycle.BallotRule.RANKED:
        # as the count read them (get_tally_input): rank r of at most k is k + 1 - r points
        points = {pk: cycle.ranked_max_ranks + 1 - rank for pk, rank in points.items()}
    counted = {str(a.proposal_id) for a in allocations}
    points = {pk: n for pk, n in points.items() if pk in counted}
    account = spend_share(share=share, purchases=purchases, points=points)
    lines = [
        ShareLine(
            allocation=a,
            points=points[str(a.proposal_id)],
            payment=account.payment(str(a.proposal_id)),
        )
        for a in allocations
        if str(a.proposal_id) in points
    ]
    return ShareExplanation(
        run=run,
        account=account,
        first_share=Fraction(run.budget_won, run.ballot_count) if run.ballot_count else share,
        lines=lines,
    )


# --- counted receipts ---------------------------------------------------------------------------
def count_counted_receipts(*, scope: BallotScope) -> int:
    return CountedReceipt.objects.filter(scope=scope).count()


def is_receipt_counted(*, scope: BallotScope, code: str) -> bool:
    return CountedReceipt.objects.filter(scope=scope, code=code).exists()


def iter_counted_receipts(*, scope: BallotScope, chunk_size: int = 5000):
    """Every counted code of ``scope`` in code order (the order says nothing about a ballot)."""
    return (
        CountedReceipt.objects.filter(scope=scope)
        .order_by("code")
        .values_list("code", flat=True)
        .iterator(chunk_size=chunk_size)
    )


# --- the weighted rule's sources ----------------------------------------------------------------
WEIGHTED_RULES = frozenset({BudgetCycle.TallyRule.WEIGHTED, BudgetCycle.TallyRule.COUNCIL_WEIGHTED})
# Sources whose ballots are published as a .pb file of their own (the online one is the run's).
BALLOT_SOURCES = ("online", "assembly", "budget_school")


@dataclass(frozen=True)
class SourceCell:
    """One source's part in one project's combined score."""

    name: str
    weight_percent: Fraction
    count: int
    total: int
    label: str = ""  # the source's name in the reader's language (set by the view)

    @property
    def share(self) -> Fraction:
        return Fraction(self.count, self.total) if self.total else Fraction(0)

    @property
    def share_percent(self) -> str:
        return f"{float(self.share * 100):.2f}"

    @property
    def contribution_percent(self) -> str:
        """weight x share, in points of the combined score (out of 100)."""
        return f"{float(self.share * self.weight_percent):.2f}"


def weighted_breakdown(*, run: TallyRun) -> dict[int, list[SourceCell]]:
    """Per proposal id: every source of ``run`` (weight, number, total), in the stored order."""
    result: dict[int, list[SourceCell]] = {}
    for name, source in (run.sources or {}).items():
        weight = Fraction(source["weight_percent"])
        for project_id, count in source["counts"].items():
            result.setdefault(int(project_id), []).append(
                SourceCell(name=name, weight_percent=weight, count=count, total=source["total"])
            )
    return result


def build_sources_document(*, run: TallyRun, files: dict[str, str]) -> dict:
    """The published ``sources.json`` of a weighted count: everything ``recompute_weighted.py``
    needs besides the ballot files (``files``: source name -> the .pb file's name)."""
    allocations = list(list_allocations(run=run))
    cycle = run.scope.cycle
    return {
        "format": "chamyeo-weighted-sources/1",
        "cycle": cycle.slug,
        "scope": run.scope.slug,
        "rule": run.rule,
        "budget": run.budget_won,
        "tie_break": "cost_votes_lot",
        "lot_seed": cycle.tie_break_seed,
        "fingerprint_sha256": run.fingerprint,
        "projects": [
            {
                "id": str(a.proposal_id),
                "cost": a.cost_won,
                "online_supporters": a.votes,
                "name": a.proposal.title,
            }
            for a in sorted(allocations, key=lambda a: a.proposal_id)
        ],
        "sources": {
            name: {**source, "file": files.get(name)} for name, source in run.sources.items()
        },
        "outcome": {
            "selected": [str(a.proposal_id) for a in allocations if a.is_funded],
            "scores": {str(a.proposal_id): a.score for a in allocations},
        },
    }
