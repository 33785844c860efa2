"""Rubric scores are audited: who scored which proposal, kept from the public record."""

import pytest
from django.urls import reverse

from budgeting.models import AuditEvent
from budgeting.phases import Phase
from budgeting.services.cycles import advance_phase
from proposals.review.services import score_proposal
from proposals.services import ProposalError
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import CouncilMembershipFactory
from tests.proposals.review.review_factories import RubricCriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(cycle):
    return (
        RubricCriterionFactory(cycle=cycle, name_en="Public benefit", max_points=5),
        RubricCriterionFactory(cycle=cycle, name_en="Urgency", max_points=10),
    )


def score_events():
    return list(AuditEvent.objects.filter(event_type=AuditEvent.Type.RUBRIC_SCORED).order_by("pk"))


def test_first_scores_and_each_change_are_audited_but_not_public(
    in_review, cycle, proposal, council_member, criteria
):
    benefit, urgency = criteria
    score_proposal(proposal=proposal, member=council_member, points={benefit.pk: 4, urgency.pk: 7})
    score_proposal(proposal=proposal, member=council_member, points={benefit.pk: 4, urgency.pk: 9})
    first, change = score_events()
    assert (first.cycle, first.subject, first.actor) == (cycle, proposal, council_member)
    assert first.parameters == {
        "first_time": True,
        "changes": {str(benefit.pk): [None, 4], str(urgency.pk): [None, 7]},
    }
    assert change.parameters == {"first_time": False, "changes": {str(urgency.pk): [7, 9]}}
    assert (first.is_public, change.is_public) == (False, False)


def test_the_same_scores_again_record_nothing(in_review, proposal, council_member, criteria):
    benefit, _urgency = criteria
    score_proposal(proposal=proposal, member=council_member, points={benefit.pk: 3})
    score_proposal(proposal=proposal, member=council_member, points={benefit.pk: 3})
    assert len(score_events()) == 1


def test_each_member_scoring_is_a_separate_event(
    in_review, proposal, council_member, criteria, cycle
):
    other = ResidentProfileFactory().user
    CouncilMembershipFactory(cycle=cycle, user=other)
    benefit, _urgency = criteria
    score_proposal(proposal=proposal, member=council_member, points={benefit.pk: 3})
    score_proposal(proposal=proposal, member=other, points={benefit.pk: 3})
    assert [event.actor for event in score_events()] == [council_member, other]


def test_a_refused_score_writes_no_event(in_review, proposal, council_member, criteria):
    benefit, urgency = criteria
    with pytest.raises(ProposalError):  # the second criterion is out of range: nothing is kept
        score_proposal(
            proposal=proposal, member=council_member, points={benefit.pk: 2, urgency.pk: 11}
        )
    with pytest.raises(ProposalError):  # an author may not score
        score_proposal(proposal=proposal, member=proposal.co_authors.get(), points={benefit.pk: 1})
    assert score_events() == []


def test_scoring_through_the_page_is_audited(client, in_review, proposal, council_member, criteria):
    benefit, urgency = criteria
    client.force_login(council_member)
    response = client.post(
        reverse("proposals:review-score", kwargs={"pk": proposal.pk}),
        {f"criterion_{benefit.pk}": "5", f"criterion_{urgency.pk}": "2"},
    )
    assert response.status_code == 302
    [event] = score_events()
    assert event.actor == council_member
    assert event.parameters["changes"] == {str(benefit.pk): [None, 5], str(urgency.pk): [None, 2]}


def test_the_public_record_never_shows_the_scoring_events_nor_the_points(
    client, in_review, cycle, proposal, council_member, criteria
):
    """During the review nobody outside the council learns the scores from the record; after it
    the scores are public on the proposal page, and the record still only shows public events."""
    benefit, urgency = criteria
    score_proposal(proposal=proposal, member=council_member, points={benefit.pk: 4, urgency.pk: 7})
    score_proposal(proposal=proposal, member=council_member, points={benefit.pk: 2, urgency.pk: 7})
    api = "/api/v1/audit-events"

    def public_record():
        body = client.get(cycle.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        record = body.split('id="audit-heading"', 1)[1].split("</section>", 1)[0]
        listed = client.get(api, {"cycle": cycle.slug}).json()["items"]
        return record, {item["type"] for item in listed}

    record, types = public_record()
    assert "scored on the rubric" not in record
    assert AuditEvent.Type.RUBRIC_SCORED not in types
    page = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Public benefit" not in page

    assert advance_phase(cycle=cycle, to=Phase.VOTING)
    record, types = public_record()
    assert "Phase changed" in record  # the record is shown, with the public events only
    assert "scored on the rubric" not in record
    assert AuditEvent.Type.RUBRIC_SCORED not in types
    page = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Public benefit" in page  # the scores themselves are public now, on the proposal
    assert "2.0" in page


def test_staff_read_the_scoring_events_in_the_admin(
    client, in_review, proposal, council_member, staff_user, criteria
):
    benefit, _urgency = criteria
    score_proposal(proposal=proposal, member=council_member, points={benefit.pk: 4})
    client.force_login(staff_user)
    response = client.get(
        reverse("admin:budgeting_auditevent_changelist"),
        {"event_type": "rubric_scored"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Proposal scored on the rubric" in response.content.decode()
