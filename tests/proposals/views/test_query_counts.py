"""Pages do a bounded number of queries however many proposals or comments there are."""

import pytest
from django.urls import reverse

from tests.accounts.factories import ResidentProfileFactory
from tests.proposals.factories import CommentFactory
from tests.proposals.factories import EndorsementFactory
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_list_page_queries(
    client, resident, cycle, district_scope, policy_area, django_assert_max_num_queries
):
    for proposal in ProposalFactory.create_batch(20, scope=district_scope, policy_area=policy_area):
        EndorsementFactory(proposal=proposal)
        CommentFactory(proposal=proposal)
    client.force_login(resident)
    with django_assert_max_num_queries(14):  # 12 measured
        response = client.get(reverse("proposals:proposal-list", args=[cycle.slug]))
    assert len(response.context["page_obj"].object_list) == 20


def test_detail_page_queries(client, resident, proposal, district, django_assert_max_num_queries):
    people = [ResidentProfileFactory(district=district).user for _ in range(10)]
    for person in people:
        top = CommentFactory(proposal=proposal, author=person)
        CommentFactory(proposal=proposal, author=people[0], parent=top)
    client.force_login(resident)
    with django_assert_max_num_queries(28):  # 26 measured (with the review and departments' trail)
        response = client.get(proposal.get_absolute_url())
    assert response.status_code == 200
