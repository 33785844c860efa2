"""The proposal pages open for the public and show what a visitor expects."""

import pytest
from django.urls import reverse

from proposals.models import Proposal
from tests.factories import ProposalFactory

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


def test_nothing(district_scope):
    ProposalFactory(scope=district_scope)
