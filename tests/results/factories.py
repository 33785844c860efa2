"""Builders for counting tests: a scope with projects on the ballot and anonymous ballots."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from proposals.models import Proposal
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory


def make_cycle(
    *,
    phase: Phase = Phase.TALLYING,
    tally_rule: str = "greedy",
    ballot_rule: str = "approval",
    **fields,
) -> BudgetCycle:
    cycle = BudgetCycleFactory(tally_rule=tally_rule, ballot_rule=ballot_rule, **fields)
    return cycle_in_phase(cycle, phase)


def make_scope(
    *, cycle: BudgetCycle, budget_won: int, costs: Sequence[int], district_slug: str = "gu"
) -> tuple[BallotScope, list[Proposal]]:
    """A district scope with one proposal on the ballot per cost (titles in Korean)."""
    district = DistrictFactory(slug=f"{district_slug}-{cycle.pk}")
    scope = BallotScopeFactory(cycle=cycle, district=district, budget_won=budget_won)
    proposals = [
        ProposalFactory(
            scope=scope,
            cycle=cycle,
            title=f"사업 {n} 공원 정비",
            cost_estimate_won=cost,
            status=Proposal.Status.ON_BALLOT,
        )
        for n, cost in enumerate(costs, start=1)
    ]
    return scope, proposals


def cast_ballots(
    *,
    scope: BallotScope,
    ballots: Sequence[Sequence[Proposal]] | Sequence[dict[Proposal, int]],
    start: int = 0,
) -> None:
    """Store anonymous ballots directly (the voting service is tested elsewhere)."""
    rows = []
    choices = []
    for n, ballot in enumerate(ballots, start=start):
        key = hashlib.sha256(f"test:{scope.pk}:{n}".encode()).hexdigest()
        row = Ballot(voter_key=key, scope=scope)
        rows.append(row)
        items = ballot.items() if isinstance(ballot, dict) else ((p, 1) for p in ballot)
        choices.extend(BallotChoice(ballot=row, proposal=p, points=pts) for p, pts in items)
    Ballot.objects.bulk_create(rows)
    BallotChoice.objects.bulk_create(choices)
