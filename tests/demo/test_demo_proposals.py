"""The demo city has about forty proposals in Korean and English, with discussion.

Builds only the city and the current cycle (the seed_demo command's own steps), so this test
is about ``seed_demo_proposals``; tests/budgeting/test_seed_demo.py runs the whole command.
"""

import pytest

from budgeting.models import AuditEvent
from demo.management.commands.seed_demo import Command
from demo.proposals import seed_demo_proposals
from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_cycle():
    command = Command()
    districts = command.seed_districts()
    areas = command.seed_policy_areas()
    cycle = command.seed_current_cycle(districts, areas)
    command.seed_accounts(districts, cycle)
    return cycle


def test_demo_proposals(demo_cycle):
    cycle = demo_cycle
    assert seed_demo_proposals(cycle) == 40
    counts = (Proposal.objects.count(), Endorsement.objects.count(), Comment.objects.count())
    assert seed_demo_proposals(cycle) == 0
    assert (Proposal.objects.count(), Endorsement.objects.count(), Comment.objects.count()) == (
        counts
    )

    mine = Proposal.objects.filter(cycle=cycle)
    assert mine.count() == 40
    assert mine.filter(status="withdrawn").count() == 1
    assert mine.filter(scope__district__isnull=True).count() >= 8
    districts = mine.exclude(scope__district__isnull=True).values("scope__district").distinct()
    assert districts.count() == 10
    assert mine.values("policy_area").distinct().count() >= 10
    assert mine.filter(title__regex=r"^[A-Za-z]").count() == 7
    assert mine.filter(latitude__isnull=False).count() >= 25
    events = AuditEvent.objects.filter(cycle=cycle)
    assert events.filter(event_type="proposal_submitted").count() == 40
    assert events.filter(event_type="proposal_withdrawn").count() == 1
    assert events.filter(event_type="endorsement_threshold_reached").count() == 1
    assert Comment.objects.filter(proposal__cycle=cycle, parent__isnull=False).count() == 3
    assert mine.filter(author__email="resident@demo.chamyeo.kr").count() == 1


def test_demo_proposals_wait_for_the_proposal_phase(demo_cycle):
    from budgeting.phases import Phase
    from tests.helpers import cycle_in_phase

    cycle_in_phase(demo_cycle, Phase.REVIEW)
    assert seed_demo_proposals(demo_cycle) == 0
    assert Proposal.objects.exists() is False
