"""Reads for implementation tracking: what happened to each funded project and to the money.

"Selected" is a project's cost in its ballot's published result; "funded" is what is left of it
after the city council's cuts; "spent" is the latest update's money spent so far.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import QuerySet
from django.db.models import Subquery

from budgeting.models import Allocation
from budgeting.models import BudgetCut
from budgeting.models import BudgetCycle
from budgeting.models import ImplementationPhoto
from budgeting.models import ImplementationStatus
from budgeting.models import ImplementationUpdate
from budgeting.models import Participation
from budgeting.models import ProjectFollow
from proposals.models import Proposal
from results.selectors import list_published_runs

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class ProjectState:
    """One funded project's money and progress."""

    allocation: Allocation
    cuts: list[BudgetCut] = field(default_factory=list)
    latest: ImplementationUpdate | None = None

    @property
    def proposal(self) -> Proposal:
        return self.allocation.proposal

    @property
    def selected_won(self) -> int:
        return self.allocation.cost_won

    @property
    def cut_won(self) -> int:
        return sum(c.amount_won for c in self.cuts)

    @property
    def funded_won(self) -> int:
        return max(0, self.selected_won - self.cut_won)

    @property
    def spent_won(self) -> int:
        return self.latest.spent_won if self.latest else 0

    @property
    def percent_done(self) -> int:
        return self.latest.percent_done if self.latest else 0

    @property
    def status(self) -> str:
        """Cancelled once cut entirely; otherwise the latest update's status (planned before)."""
        if self.cuts and self.funded_won == 0:
            return ImplementationStatus.CANCELLED
        return self.latest.status if self.latest else ImplementationStatus.PLANNED

    @property
    def status_label(self) -> StrOrPromise:
        return ImplementationStatus(self.status).label

    @property
    def is_done(self) -> bool:
        return self.status == ImplementationStatus.DONE


@dataclass
class MoneyLine:
    """Selected vs funded vs spent vs done for a group of projects (a ballot, a policy area)."""

    label: str
    projects: int = 0
    selected_won: int = 0
    cut_won: int = 0
    funded_won: int = 0
    spent_won: int = 0
    done: int = 0
    cancelled: int = 0

    def add(self, state: ProjectState) -> None:
        self.projects += 1
        self.selected_won += state.selected_won
        self.cut_won += state.cut_won
        self.funded_won += state.funded_won
        self.spent_won += state.spent_won
        self.done += state.is_done
        self.cancelled += state.status == ImplementationStatus.CANCELLED

    @property
    def spent_percent(self) -> int:
        return self.spent_won * 100 // self.funded_won if self.funded_won else 0


@dataclass
class CycleAccountability:
    cycle: BudgetCycle
    projects: list[ProjectState]
    total: MoneyLine
    by_scope: list[MoneyLine]
    by_policy_area: list[MoneyLine]
    cuts: list[BudgetCut]


def _latest_updates(proposal_ids: list[int]) -> dict[int, ImplementationUpdate]:
    latest_pk = (
        ImplementationUpdate.objects.filter(proposal=OuterRef("proposal"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    updates = ImplementationUpdate.objects.filter(proposal_id__in=proposal_ids).filter(
        pk=Subquery(latest_pk)
    )
    return {u.proposal_id: u for u in updates}


def list_funded_allocations(*, cycle: BudgetCycle) -> list[Allocation]:
    """The funded lines of every published official result of ``cycle``, ballot by ballot."""
    runs = list_published_runs(cycle=cycle)
    order = {run.pk: n for n, run in enumerate(runs)}
    allocations = (
        Allocation.objects.filter(tally_run__in=runs, is_funded=True)
        .select_related("proposal__policy_area", "proposal__scope__district", "tally_run")
        .order_by("rank")
    )
    return sorted(allocations, key=lambda a: (order[a.tally_run_id], a.rank))


def _states(allocations: list[Allocation]) -> list[ProjectState]:
    ids = [a.proposal_id for a in allocations]
    cuts: dict[int, list[BudgetCut]] = defaultdict(list)
    for cut in BudgetCut.objects.filter(proposal_id__in=ids).order_by("created_at", "pk"):
        cuts[cut.proposal_id].append(cut)
    latest = _latest_updates(ids)
    for allocation in allocations:
        for cut in cuts[allocation.proposal_id]:
            cut.proposal = allocation.proposal  # no query per cut for its title
    return [
        ProjectState(allocation=a, cuts=cuts[a.proposal_id], latest=latest.get(a.proposal_id))
        for a in allocations
    ]


def get_cycle_accountability(*, cycle: BudgetCycle) -> CycleAccountability:
    """Where the money of ``cycle`` went: totals per ballot and policy area, every cut."""
    states = _states(list_funded_allocations(cycle=cycle))
    total = MoneyLine(label="")
    by_scope: dict[int, MoneyLine] = {}
    by_area: dict[tuple[int, int], MoneyLine] = {}
    for state in states:
        proposal = state.proposal
        area = proposal.policy_area
        total.add(state)
        by_scope.setdefault(proposal.scope_id, MoneyLine(label=proposal.scope.name)).add(state)
        by_area.setdefault((area.order, area.pk), MoneyLine(label=area.name)).add(state)
    cuts = [cut for state in states for cut in state.cuts]
    cuts.sort(key=lambda c: (c.created_at, c.pk))
    return CycleAccountability(
        cycle=cycle,
        projects=states,
        total=total,
        by_scope=list(by_scope.values()),
        by_policy_area=[by_area[key] for key in sorted(by_area)],
        cuts=cuts,
    )


def get_funded_project_state(*, proposal: Proposal) -> ProjectState | None:
    """The money and progress of ``proposal`` if a published result funded it, else None."""
    allocation = (
        Allocation.objects.filter(
            proposal=proposal,
            is_funded=True,
            tally_run__is_official=True,
            tally_run__published_at__isnull=False,
        )
        .select_related("proposal__scope", "tally_run")
        .order_by("-tally_run__published_at")
        .first()
    )
    if allocation is None:
        return None
    return _states([allocation])[0]


def list_implementation_updates(*, proposal: Proposal) -> QuerySet[ImplementationUpdate]:
    """The project's updates, newest first, with their photos."""
    return ImplementationUpdate.objects.filter(proposal=proposal).prefetch_related(
        Prefetch("photos", queryset=ImplementationPhoto.objects.order_by("order", "pk"))
    )


def list_budget_cuts(*, proposal: Proposal) -> QuerySet[BudgetCut]:
    return BudgetCut.objects.filter(proposal=proposal).order_by("created_at", "pk")


def list_followed_projects(*, user) -> list[tuple[Proposal, ProjectState | None]]:
    """The projects ``user`` follows, most recently followed first, each with its money and
    progress (None if no published result funds it)."""
    follows = ProjectFollow.objects.filter(user=user).select_related("proposal__cycle")
    return [
        (follow.proposal, get_funded_project_state(proposal=follow.proposal))
        for follow in follows.order_by("-created_at", "-pk")
    ]


def is_following(*, user, proposal: Proposal) -> bool:
    return (
        user.is_authenticated
        and ProjectFollow.objects.filter(user=user, proposal=proposal).exists()
    )


def took_part_in_project(*, user, proposal: Proposal) -> bool:
    """Voted on the project's ballot (whatever they chose: a ballot is never read), endorsed
    it, or wrote it."""
    if not user.is_authenticated:
        return False
    if proposal.author_id == user.pk or proposal.co_authors.filter(pk=user.pk).exists():
        return True
    if proposal.endorsements.filter(user=user).exists():
        return True
    return Participation.objects.filter(
        user=user, scope_id=proposal.scope_id, voted_at__isnull=False
    ).exists()


def is_funded_project(*, proposal: Proposal) -> bool:
    """Whether a published official result funded ``proposal`` (one query)."""
    return Allocation.objects.filter(
        proposal=proposal,
        is_funded=True,
        tally_run__is_official=True,
        tally_run__published_at__isnull=False,
    ).exists()
