"""The demo city has about forty proposals in Korean and English, with discussion."""

import pytest
from django.core.management import call_command

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Proposal

pytestmark = pytest.mark.django_db


def test_demo_proposals():
    call_command("seed_demo")
    counts = (Proposal.objects.count(), Endorsement.objects.count(), Comment.objects.count())
    call_command("seed_demo")
    assert (Proposal.objects.count(), Endorsement.objects.count(), Comment.objects.count()) == (
        counts
    )

    cycle = BudgetCycle.objects.get(slug="incheon-2027")
    mine = Proposal.objects.filter(cycle=cycle)
    assert mine.count() == 40
    assert mine.filter(status="withdrawn").count() == 1
    assert mine.filter(scope__district__isnull=True).count() >= 8
    assert (
        mine.exclude(scope__district__isnull=True).values("scope__district").distinct().count()
        == 10
    )
    assert mine.values("policy_area").distinct().count() >= 10
    assert mine.filter(title__regex=r"^[A-Za-z]").count() == 7
    assert mine.filter(latitude__isnull=False).count() >= 25
    assert AuditEvent.objects.filter(cycle=cycle, event_type="proposal_submitted").count() == 40
    assert (
        AuditEvent.objects.filter(cycle=cycle, event_type="endorsement_threshold_reached").count()
        == 1
    )
    assert Comment.objects.filter(proposal__cycle=cycle, parent__isnull=False).count() == 3
    assert mine.filter(author__email="resident@demo.chamyeo.kr").count() == 1
