"""The demo's review cycle: seeded through the services, idempotent, usable by the demo council."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from demo.review import REVIEW_SLUG
from proposals.models import CouncilScore
from proposals.models import Proposal
from proposals.models import RubricCriterion

pytestmark = pytest.mark.django_db


def snapshot():
    cycle = BudgetCycle.objects.get(slug=REVIEW_SLUG)
    statuses = sorted(cycle.proposals.values_list("status", flat=True))
    return (
        cycle.phase,
        statuses,
        RubricCriterion.objects.count(),
        CouncilScore.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_demo_creates_a_cycle_in_review_once(client):
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first
    phase, statuses, _rubric, scores, _events = first
    assert phase == "review"
    assert statuses == [
        "infeasible",
        "infeasible",
        "merged",
        "on_ballot",
        "on_ballot",
        "rejected",
        "submitted",
        "submitted",
        "submitted",
    ]
    assert scores > 0
    merged = Proposal.objects.get(cycle__slug=REVIEW_SLUG, status="merged")
    assert merged.merged_into.status == "on_ballot"

    council = User.objects.get(email="council@demo.chamyeo.kr")
    client.force_login(council)
    response = client.get(reverse("proposals:review-queue", kwargs={"slug": REVIEW_SLUG}))
    assert response.status_code == 200
    queue = list(response.context["proposals"])
    assert len(queue) == 8  # all but the merged one
    assert (queue[0].title, queue[0].must_answer) == ("시내버스 정류장 실시간 도착 안내 확대", True)
    assert sum(p.must_answer for p in queue) == 1
    cycle_page = client.get(reverse("budgeting:cycle-detail", kwargs={"slug": REVIEW_SLUG}))
    assert "funnel-heading" in cycle_page.content.decode()
