"""The 분과 as an authority boundary on the review desk: who may review, score, decide and
recommend a transport proposal, through the real pages; a refused post changes nothing."""

import pytest
import rules
from django.urls import reverse

from budgeting.models import AuditEvent
from proposals.models import CouncilDecision
from proposals.models import CouncilScore
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.models import RubricCriterion
from proposals.models import SubcommitteeRecommendation
from proposals.review.predicates import Action
from proposals.review.predicates import ReviewRefusal
from proposals.review.predicates import get_review_refusal
from proposals.review.services import step_aside

pytestmark = pytest.mark.django_db

ACTIONS = ["review-feasibility", "review-score", "review-decide", "review-recommend"]
#            review  score  decide recommend
ALLOWED = {
    "member_in": (True, True, True, False),
    "member_out": (False, False, False, False),
    "chair": (True, True, True, True),
    "expert": (True, True, False, False),
    "recused": (False, False, False, False),
    "interested": (False, False, False, False),
    "staff_user": (True, False, True, False),
    "other_district_resident": (False, False, False, False),
}
CASES = [
    pytest.param(role, action, allowed[i], id=f"{role}-{action}")
    for role, allowed in ALLOWED.items()
    for i, action in enumerate(ACTIONS)
]


def snapshot(proposal):
    proposal.refresh_from_db()
    return (
        list(FeasibilityReview.objects.values_list("reviewer_id", "verdict", "reviewed_cost_won")),
        list(CouncilScore.objects.values_list("member_id", "points")),
        list(CouncilDecision.objects.values_list("decision", "public_reason")),
        list(SubcommitteeRecommendation.objects.values_list("recommendation", "reason")),
        proposal.status,
        proposal.reviewed_cost_won,
        AuditEvent.objects.exclude(event_type=AuditEvent.Type.PHASE_ADVANCED).count(),
    )


def user_for(role, board, request):
    if role in board:
        return board[role]
    return request.getfixturevalue(role)


def post(client, action, proposal):
    criterion = RubricCriterion.objects.get(cycle=proposal.cycle)
    data = {
        "review-feasibility": {
            "verdict": "infeasible",
            "reason_codes": ["legal"],
            "reviewed_cost_won": "31,000,000",
        },
        "review-score": {f"criterion_{criterion.pk}": "4"},
        "review-decide": {
            "decision": "rejected",
            "public_reason": "예산 중복",
            "expected_revision": "0",
        },
        "review-recommend": {"recommendation": "on_ballot", "reason": "교통분과 추천"},
    }[action]
    return client.post(reverse(f"proposals:{action}", kwargs={"pk": proposal.pk}), data)


@pytest.mark.parametrize(("role", "action", "allowed"), CASES)
def test_subcommittee_permission_matrix(role, action, allowed, board, client, request):
    proposal = board["proposal"]
    step_aside(proposal=proposal, member=board["recused"], reason="제 가족이 운영하는 정류장입니다")
    user = user_for(role, board, request)
    client.force_login(user)
    before = snapshot(proposal)
    response = post(client, action, proposal)
    if allowed:
        assert response.status_code == 302, response.content.decode()[:500]
        assert snapshot(proposal) != before
    else:
        assert response.status_code == 403
        assert snapshot(proposal) == before


@pytest.mark.parametrize(
    ("role", "action", "code"),
    [
        ("member_out", Action.REVIEW, ReviewRefusal.SUBCOMMITTEE),
        ("expert", Action.DECIDE, ReviewRefusal.EXPERT),
        ("member_in", Action.RECOMMEND, ReviewRefusal.NOT_CHAIR),
        ("recused", Action.SCORE, ReviewRefusal.RECUSED),
        ("interested", Action.REVIEW, ReviewRefusal.INTEREST),
    ],
)
def test_each_refusal_says_why(role, action, code, board):
    step_aside(proposal=board["proposal"], member=board["recused"], reason="가족 관련")
    refusal = get_review_refusal(user=board[role], proposal=board["proposal"], action=action)
    assert refusal is not None
    assert refusal.code == code


def test_the_queue_shows_only_the_members_subcommittee(board, client):
    client.force_login(board["member_out"])
    page = client.get(reverse("proposals:review-queue", kwargs={"slug": board["cycle"].slug}))
    assert page.status_code == 200
    assert "부평 버스 쉼터" not in page.content.decode()
    client.force_login(board["member_in"])
    page = client.get(reverse("proposals:review-queue", kwargs={"slug": board["cycle"].slug}))
    assert "부평 버스 쉼터" in page.content.decode()


def test_the_desk_page_of_another_subcommittees_proposal_is_refused(board, client):
    url = reverse("proposals:review-proposal", kwargs={"pk": board["proposal"].pk})
    client.force_login(board["member_out"])
    assert client.get(url).status_code == 403
    client.force_login(board["expert"])
    assert client.get(url).status_code == 200


def test_staff_reassign_a_member_and_the_boundary_follows(board):
    from committee.services import assign_seat

    proposal = board["proposal"]
    member = board["member_out"]
    assert not rules.has_perm("proposals.review_proposal", member, proposal)
    assign_seat(subcommittee=board["traffic"], user=member, role="member")
    assert rules.has_perm("proposals.review_proposal", member, proposal)


def test_step_aside_is_public_with_the_decision(board, client):
    proposal = board["proposal"]
    step_aside(proposal=proposal, member=board["recused"], reason="가족이 운영하는 정류장")
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "가족이 운영하는 정류장" not in page  # not before the decision
    client.force_login(board["chair"])
    response = post(client, "review-decide", proposal)
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.REJECTED
    client.logout()
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "가족이 운영하는 정류장" in page
