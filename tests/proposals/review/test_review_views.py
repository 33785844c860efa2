"""The review desk's forms: bad input re-renders with errors and the typed text kept."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgeting.phases import Phase
from proposals.models import CouncilDecision
from proposals.models import CouncilScore
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.review.services import record_council_decision
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.proposals.review.review_factories import EndorsementFactory
from tests.proposals.review.review_factories import RubricCriterionFactory

pytestmark = pytest.mark.django_db

TYPED = "주민 의견을 반영한 긴 사유입니다"


def url(name, proposal):
    return reverse(f"proposals:{name}", kwargs={"pk": proposal.pk})


@pytest.fixture
def member_client(client, council_member):
    client.force_login(council_member)
    return client


@pytest.mark.parametrize(
    ("_case", "cost", "error"),
    [
        ("non-numeric", "삼천만원", "Enter a whole number of won"),
        ("negative", "-5000", "greater than or equal to 1"),
        ("decimal", "1000.5", "Enter a whole number of won"),
        ("too large", "99999999999999999999", "less than or equal to"),
    ],
)
def test_bad_reviewed_cost_is_shown_again(_case, cost, error, member_client, in_review, proposal):
    response = member_client.post(
        url("review-feasibility", proposal),
        {"verdict": "feasible", "reviewed_cost_won": cost, "technical_notes": TYPED},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert TYPED in response.content.decode()
    assert f'value="{cost}"' in response.content.decode()
    assert FeasibilityReview.objects.exists() is False


@pytest.mark.parametrize(
    ("_case", "cost", "expected"),
    [
        ("commas", "12,500,000", 12_500_000),
        ("won sign", "₩3,000,000", 3_000_000),
        ("원", "7000000원", 7_000_000),
    ],
)
def test_reviewed_cost_accepts_how_people_write_won(
    _case, cost, expected, member_client, in_review, proposal
):
    response = member_client.post(
        url("review-feasibility", proposal), {"verdict": "feasible", "reviewed_cost_won": cost}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).reviewed_cost_won == expected


def test_infeasible_without_reason_is_shown_again(member_client, in_review, proposal):
    response = member_client.post(
        url("review-feasibility", proposal),
        {"verdict": "infeasible", "legal_notes": TYPED},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "choose at least one reason" in response.content.decode()
    assert TYPED in response.content.decode()
    assert FeasibilityReview.objects.exists() is False


def test_decision_without_reason_is_shown_again(member_client, in_review, proposal):
    response = member_client.post(
        url("review-decide", proposal),
        {"decision": "rejected", "public_reason": "   ", "expected_revision": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert re.search(r'value="rejected"[^>]*checked', body)  # the choice is kept
    assert CouncilDecision.objects.exists() is False


def test_on_ballot_without_review_is_shown_again(member_client, in_review, proposal):
    response = member_client.post(
        url("review-decide", proposal),
        {"decision": "on_ballot", "public_reason": TYPED, "expected_revision": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "latest review finds feasible" in response.content.decode()
    assert TYPED in response.content.decode()


def test_stale_decision_shows_the_current_one_and_keeps_the_text(
    member_client, staff_user, in_review, proposal
):
    record_council_decision(
        proposal=proposal, decided_by=staff_user, decision="rejected", public_reason="먼저 결정"
    )
    response = member_client.post(
        url("review-decide", proposal),
        {"decision": "rejected", "public_reason": TYPED, "expected_revision": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "after you opened this page" in body
    assert TYPED in body
    assert "먼저 결정" in body  # the current decision is shown
    assert 'name="expected_revision" value="1"' in body  # submitting again is now possible
    assert CouncilDecision.objects.get().public_reason == "먼저 결정"


def test_review_posted_after_the_phase_ended_keeps_the_text(member_client, cycle, proposal):
    cycle_in_phase(cycle, Phase.VOTING)
    response = member_client.post(
        url("review-feasibility", proposal),
        {"verdict": "feasible", "reviewed_cost_won": "1000", "technical_notes": TYPED},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "review phase has not begun or has ended" in response.content.decode()
    assert TYPED in response.content.decode()
    assert FeasibilityReview.objects.exists() is False


def test_merge_without_choice_is_shown_again(member_client, in_review, proposal, duplicate):
    response = member_client.post(url("review-merge", proposal), {"public_reason": TYPED})
    assert response.status_code == 400
    assert TYPED in response.content.decode()
    assert Proposal.objects.filter(status="merged").exists() is False


def test_merge_form_offers_only_same_ballot_proposals(
    member_client, in_review, proposal, duplicate, citywide_scope
):

    ProposalFactory(scope=citywide_scope, title="시 전체 제안")
    response = member_client.get(url("review-merge", proposal))
    assert list(response.context["form"].fields["duplicates"].queryset) == [duplicate]


def test_score_form_saves_and_refuses_out_of_range(member_client, in_review, cycle, proposal):
    criterion = RubricCriterionFactory(cycle=cycle, max_points=5)
    response = member_client.post(url("review-score", proposal), {f"criterion_{criterion.pk}": "9"})
    assert response.status_code == 400
    assert CouncilScore.objects.exists() is False
    response = member_client.post(url("review-score", proposal), {f"criterion_{criterion.pk}": "4"})
    assert response.status_code == 302
    assert CouncilScore.objects.get().points == 4


def test_queue_marks_proposals_the_council_must_answer(
    member_client, in_review, cycle, proposal, duplicate
):
    cycle.endorsement_threshold = 2
    cycle.save()
    EndorsementFactory(proposal=duplicate)
    EndorsementFactory(proposal=duplicate)
    response = member_client.get(
        reverse("proposals:review-queue", kwargs={"slug": cycle.slug}), HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = list(response.context["proposals"])
    assert [(p.pk, p.must_answer, p.endorsement_count) for p in rows] == [
        (duplicate.pk, True, 2),
        (proposal.pk, False, 0),
    ]
    assert response.content.decode().count("Council must answer") == 1


def test_subcommittee_member_sees_their_area_by_default(
    client, in_review, cycle, proposal, district_scope
):
    from tests.accounts.factories import ResidentProfileFactory
    from tests.accounts.factories import activate_totp
    from tests.budgeting.factories import CouncilMembershipFactory
    from tests.budgeting.factories import PolicyAreaFactory

    welfare = PolicyAreaFactory(slug="welfare")
    cycle.policy_areas.add(welfare, proposal.policy_area)
    welfare_proposal = ProposalFactory(scope=district_scope, policy_area=welfare)
    member = ResidentProfileFactory().user
    CouncilMembershipFactory(cycle=cycle, user=member, policy_area=welfare)
    activate_totp(member)
    client.force_login(member)
    queue = reverse("proposals:review-queue", kwargs={"slug": cycle.slug})
    assert list(client.get(queue).context["proposals"]) == [welfare_proposal]
    assert len(client.get(queue, {"area": ""}).context["proposals"]) == 2


def test_review_then_decide_through_the_pages(member_client, in_review, proposal, author):
    member_client.post(
        url("review-feasibility", proposal),
        {"verdict": "feasible", "reviewed_cost_won": "30000000"},
    )
    form = member_client.get(url("review-decide", proposal)).context["form"]
    assert form.initial["expected_revision"] == 0
    response = member_client.post(
        url("review-decide", proposal),
        {"decision": "on_ballot", "public_reason": "필요성 높음", "expected_revision": "0"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reviewed_cost_won) == ("on_ballot", 30_000_000)


@pytest.mark.parametrize(
    ("_case", "revision", "status"),
    [("tampered", "abc", 400), ("negative", "-1", 400), ("missing (no stale check)", None, 302)],
)
def test_decision_form_revision_field(_case, revision, status, member_client, in_review, proposal):
    data = {"decision": "rejected", "public_reason": TYPED}
    if revision is not None:
        data["expected_revision"] = revision
    response = member_client.post(url("review-decide", proposal), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    if status == 400:
        assert "The page was incomplete" in response.content.decode()
        assert TYPED in response.content.decode()
        assert CouncilDecision.objects.exists() is False
    else:
        assert CouncilDecision.objects.get().public_reason == TYPED


def test_cycle_page_publishes_the_rubric(client, cycle):
    RubricCriterionFactory(cycle=cycle, name_en="Public benefit", description_en="Who gains")
    body = client.get(cycle.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How the council scores proposals" in body
    assert "Public benefit" in body
    assert "up to 5 points" in body


def test_queue_and_cycle_page_queries_do_not_grow_with_proposals(
    member_client, in_review, cycle, district_scope, area
):
    queue = reverse("proposals:review-queue", kwargs={"slug": cycle.slug})

    def count(path):
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(path).status_code == 200
        return len(captured)

    ProposalFactory.create_batch(2, scope=district_scope, policy_area=area)
    few = (count(queue), count(cycle.get_absolute_url()))
    ProposalFactory.create_batch(10, scope=district_scope, policy_area=area)
    assert (count(queue), count(cycle.get_absolute_url())) == few


def test_score_page_without_a_rubric_says_so(member_client, in_review, proposal):
    response = member_client.get(url("review-score", proposal), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "no published rubric yet" in response.content.decode()
    assert '<form method="post"' not in response.content.decode().split("<main")[1]
