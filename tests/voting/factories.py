"""Factories and helpers for the voting tests."""

from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from proposals.models import Proposal
from tests.accounts.factories import ResidentProfileFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory


def open_voting(cycle: BudgetCycle, *, rule: str = "approval", **rules) -> BudgetCycle:
    """Put ``cycle`` in the voting phase (open now) under ``rule``."""
    BudgetCycle.objects.filter(pk=cycle.pk).update(ballot_rule=rule, **rules)
    return cycle_in_phase(cycle, Phase.VOTING)


def put_on_ballot(scope, costs: list[int]) -> list[Proposal]:
    """Proposals on ``scope``'s ballot with these reviewed costs, in creation order."""
    return [
        ProposalFactory(
            scope=scope,
            cycle=scope.cycle,
            status=Proposal.Status.ON_BALLOT,
            cost_estimate_won=cost,
            reviewed_cost_won=cost,
            title=f"사업 {index} (Project {index})",
            address=f"부평대로 {index}",
        )
        for index, cost in enumerate(costs, start=1)
    ]


def ballot_form_data(rule: str, choices: dict[int, int]) -> dict:
    """What the ballot page posts for ``choices`` (proposal pk -> points, or rank when ranked)."""
    if rule == "cumulative":
        return {f"points_{pk}": points for pk, points in choices.items()}
    if rule == "ranked":
        return {f"rank_{pk}": rank for pk, rank in choices.items()}
    return {"proposals": list(choices)}


def ranked(pks) -> dict[int, int]:
    """``pks`` ranked in this order: {first: 1, second: 2, ...}."""
    return {pk: rank for rank, pk in enumerate(pks, start=1)}


def make_residents(district, count: int, **kwargs) -> list:
    return [ResidentProfileFactory(district=district, **kwargs).user for _ in range(count)]
