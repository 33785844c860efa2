"""The proposal pages open for the public and show what a visitor expects."""

import pytest
from django.urls import reverse

from proposals.models import Proposal

pytestmark = pytest.mark.django_db


def test_list_shows_submitted_not_drafts(client, proposal, draft_proposal):
    response = client.get(reverse("proposals:proposal-list", args=[proposal.cycle.slug]))
    assert response.status_code == 200
    assert proposal.title in response.text
    assert draft_proposal.title not in response.text


def test_detail_renders_markdown_and_history(client, proposal):
    response = client.get(proposal.get_absolute_url())
    assert response.status_code == 200
    assert "<strong>어르신들</strong>" in response.text


def test_map_page_lists_places(client, proposal):
    Proposal.objects.filter(pk=proposal.pk).update(latitude="37.489500", longitude="126.723600")
    response = client.get(reverse("proposals:proposal-map", args=[proposal.cycle.slug]))
    assert response.status_code == 200
    assert '"lat": 37.4895' in response.text


def test_create_page_opens_for_resident(client, resident, cycle, district_scope, policy_area):
    client.force_login(resident)
    response = client.get(reverse("proposals:proposal-create", args=[cycle.slug]))
    assert response.status_code == 200


def test_proposals_nav_goes_to_the_cycle_collecting_proposals(client, cycle):
    from budgeting.phases import Phase
    from tests.budgeting.factories import BudgetCycleFactory
    from tests.helpers import cycle_in_phase

    cycle_in_phase(BudgetCycleFactory(), Phase.VOTING)
    response = client.get(reverse("proposals:proposal-index"))
    assert response["Location"] == reverse("proposals:proposal-list", args=[cycle.slug])
    cycle_in_phase(cycle, Phase.REVIEW)
    chooser = client.get(reverse("proposals:proposal-index"))
    assert chooser.status_code == 200
    assert cycle.get_absolute_url().rstrip("/") + "/proposals/" in chooser.text


def test_author_cannot_withdraw_after_the_phase(client, author, proposal):
    from budgeting.phases import Phase
    from tests.helpers import cycle_in_phase

    cycle_in_phase(proposal.cycle, Phase.REVIEW)
    client.force_login(author)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("proposals:proposal-withdraw", args=[proposal.pk]))
    assert response.status_code == 400
    assert "The proposal phase of this cycle is closed" in response.text
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED


def test_my_proposals_lists_drafts_and_submitted(client, author, proposal, draft_proposal):
    client.force_login(author)
    response = client.get(reverse("proposals:my-proposals"))
    assert [p.title for p in response.context["proposals"]] == [
        draft_proposal.title,
        proposal.title,
    ]
    assert reverse("proposals:proposal-edit", args=[draft_proposal.pk]) in response.text
