"""Co-author invitations: the author invites, the invitee accepts, and is then blocked on the
review desk as a co-author."""

import pytest
from django.urls import reverse

from proposals.models import CoAuthorInvitation
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_the_author_invites_and_the_invitee_accepts(
    client, district_scope, resident, other_district_resident
):
    proposal = ProposalFactory(scope=district_scope, author=resident)
    client.force_login(resident)
    url = reverse("proposals:co-authors", kwargs={"pk": proposal.pk})
    assert client.post(url, {"email": "nobody@example.org"}).status_code == 400
    assert client.post(url, {"email": other_district_resident.email}).status_code == 302
    invitation = CoAuthorInvitation.objects.get(proposal=proposal)
    assert not proposal.co_authors.exists()  # not before they accept

    client.force_login(other_district_resident)
    assert client.get(url).status_code == 403  # only the author manages co-authors
    page = client.get(reverse("proposals:invitations"))
    assert proposal.title in page.content.decode()
    client.post(reverse("proposals:invitations"), {"invitation": invitation.pk, "answer": "accept"})
    assert list(proposal.co_authors.all()) == [other_district_resident]
    invitation.refresh_from_db()
    assert invitation.status == CoAuthorInvitation.Status.ACCEPTED


def test_someone_else_cannot_answer_an_invitation(
    client, district_scope, resident, other_district_resident, council_member
):
    proposal = ProposalFactory(scope=district_scope, author=resident)
    invitation = CoAuthorInvitation.objects.create(
        proposal=proposal, invitee=other_district_resident
    )
    client.force_login(council_member)
    response = client.post(
        reverse("proposals:invitations"), {"invitation": invitation.pk, "answer": "accept"}
    )
    assert response.status_code == 404
    assert not proposal.co_authors.exists()
