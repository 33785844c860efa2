"""A published result with two funded projects and one that was not funded, and the people
around them (a voter of the ballot, an endorser, a resident who did not take part)."""

import pytest
from django.utils import timezone
from django.utils import translation

from budgeting.models import Allocation
from budgeting.models import Participation
from budgeting.models import TallyRun
from budgeting.phases import Phase
from proposals.models import Endorsement
from proposals.models import Proposal
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are read in English (the site's default language is Korean)."""
    with translation.override("en"):
        yield


@pytest.fixture
def published_cycle(cycle, district_scope):
    return cycle_in_phase(cycle, Phase.PUBLISHED)


@pytest.fixture
def areas(db):
    return (
        PolicyAreaFactory(slug="parks", name_ko="공원", name_en="Parks", order=1),
        PolicyAreaFactory(slug="roads", name_ko="도로", name_en="Roads", order=2),
    )


@pytest.fixture
def result(published_cycle, district_scope, areas):
    """Funded: 공원 쉼터 (100,000,000원, parks) and 골목 조명 (50,000,000원, roads)."""

    def proposal(title, cost, area):
        return ProposalFactory(
            scope=district_scope,
            policy_area=area,
            title=title,
            cost_estimate_won=cost,
            status=Proposal.Status.ON_BALLOT,
        )

    park = proposal("공원 쉼터", 100_000_000, areas[0])
    lights = proposal("골목 조명", 50_000_000, areas[1])
    pool = proposal("수영장", 400_000_000, areas[0])
    run = TallyRun.objects.create(
        scope=district_scope,
        rule="greedy",
        fingerprint="f" * 64,
        status=TallyRun.Status.SUCCEEDED,
        ballot_count=10,
        budget_won=300_000_000,
        allocated_won=150_000_000,
        published_at=timezone.now(),
    )
    for rank, (p, funded) in enumerate([(park, True), (lights, True), (pool, False)], start=1):
        Allocation.objects.create(
            tally_run=run, proposal=p, cost_won=p.cost_estimate_won, is_funded=funded, rank=rank
        )
    return {"park": park, "lights": lights, "pool": pool, "run": run}


@pytest.fixture
def project(result):
    return result["park"]


@pytest.fixture
def voter(district, district_scope):
    """Voted on the ballot (a Participation: who voted, never what)."""
    user = ResidentProfileFactory(district=district, display_name="투표자").user
    Participation.objects.create(user=user, scope=district_scope, voted_at=timezone.now())
    return user


@pytest.fixture
def endorser(district, project):
    user = ResidentProfileFactory(district=district, display_name="공감자").user
    Endorsement.objects.create(user=user, proposal=project)
    return user
