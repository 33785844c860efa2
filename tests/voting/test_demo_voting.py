"""The demo: resident@demo.chamyeo.kr votes under each of the four rules."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from budgeting.models import Ballot
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from demo.voting import VOTING_CYCLES
from proposals.models import Proposal

pytestmark = pytest.mark.django_db


def test_demo_resident_votes_under_each_rule_and_reseeding_keeps_voting_open(client):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    resident = User.objects.get(email="resident@demo.chamyeo.kr")
    client.force_login(resident)
    for slug, _, _, rules in VOTING_CYCLES:
        cycle = BudgetCycle.objects.get(slug=slug)
        assert cycle.phase == "voting"
        assert cycle.ballot_rule == rules["ballot_rule"]
        page = client.get(cycle.get_absolute_url()).content.decode()
        scopes = list(cycle.scopes.all())
        assert len(scopes) == 2
        for scope in scopes:
            assert (
                reverse("voting:ballot-form", kwargs={"slug": slug, "scope_pk": scope.pk}) in page
            )
            projects = list(Proposal.objects.filter(scope=scope, status="on_ballot").order_by("pk"))
            assert len(projects) == 5
            if cycle.ballot_rule == "cumulative":
                data = {f"points_{projects[0].pk}": "4", f"points_{projects[1].pk}": "3"}
            elif cycle.ballot_rule == "ranked":
                data = {f"rank_{projects[2].pk}": "1", f"rank_{projects[0].pk}": "2"}
            else:
                data = {"proposals": [projects[0].pk, projects[2].pk]}
            url = reverse("voting:ballot-submit", kwargs={"slug": slug, "scope_pk": scope.pk})
            assert client.post(url, data).status_code == 302
    slugs = [slug for slug, *_ in VOTING_CYCLES]
    mine = Participation.objects.filter(
        user=resident, scope__cycle__slug__in=slugs, voted_at__isnull=False
    )
    assert mine.count() == 2 * len(slugs) == 8
    # besides hers, only the demo's walk-in paper ballots (people without an account)
    walk_ins = Participation.objects.filter(
        scope__cycle__slug__in=slugs, user__isnull=True, voted_at__isnull=False
    ).count()
    assert Ballot.objects.filter(scope__cycle__slug__in=slugs).count() == 8 + walk_ins
