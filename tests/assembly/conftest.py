"""Fixtures of the assembly tests: a district pot in voting with a shortlist, an open assembly."""

import pytest

from assembly.models import Assembly
from budgeting.phases import Phase
from proposals.models import Proposal
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory


@pytest.fixture
def shortlist(cycle, district_scope):
    return [
        ProposalFactory(
            cycle=cycle,
            scope=district_scope,
            title=title,
            cost_estimate_won=10_000_000,
            status=Proposal.Status.ON_BALLOT,
        )
        for title in ("경로당 냉방", "골목 가로등", "어린이 놀이터")
    ]


@pytest.fixture
def assembly(cycle, district_scope, shortlist):
    cycle = cycle_in_phase(cycle, Phase.VOTING)
    return Assembly.objects.create(
        cycle=cycle,
        title="2027 주민총회",
        starts_at=cycle.voting_start_at,
        place="부평구청 대강당",
        online_url="https://meet.example.org/chonghoe",
        status=Assembly.Status.VOTING,
    )
