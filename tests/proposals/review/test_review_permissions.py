"""Permission matrix: who may review, decide and merge, before, during and after the review.

Denied requests change nothing: no review, decision, merge, audit event or e-mail.
"""

from functools import partial

import pytest
import rules
from django.urls import reverse

from budgeting.models import AuditEvent
from notifications.models import OutboxMessage
from proposals.models import CouncilDecision
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.review.predicates import ReviewRefusal
from proposals.review.predicates import get_review_refusal
from proposals.review.services import record_feasibility_review
from proposals.review.services import score_proposal
from proposals.services import ProposalError

pytestmark = pytest.mark.django_db

ROLES = [
    # role fixture, may act during the review
    ("anonymous_user", False),
    ("unverified_resident", False),
    ("resident", False),
    ("author", False),
    ("other_district_resident", False),
    ("council_member", True),
    ("council_author", False),
    ("staff_user", True),
]
WHEN = ["before", "during", "after"]
MATRIX = [
    (f"{role} {when}", role, when, allowed and when == "during")
    for role, allowed in ROLES
    for when in WHEN
]


def changes(proposal):
    """Everything a review action could change, to compare before and after."""
    proposal.refresh_from_db()
    return (
        FeasibilityReview.objects.count(),
        CouncilDecision.objects.count(),
        Proposal.objects.filter(status=Proposal.Status.MERGED).count(),
        proposal.status,
        proposal.reviewed_cost_won,
        AuditEvent.objects.exclude(event_type=AuditEvent.Type.PHASE_ADVANCED).count(),
        OutboxMessage.objects.count(),
    )


def post_action(client, user, action, proposal, duplicate):
    data = {
        "review-feasibility": {"verdict": "feasible", "reviewed_cost_won": "28,000,000"},
        "review-decide": {
            "decision": "rejected",
            "public_reason": "예산 중복",
            "expected_revision": "0",
        },
        "review-merge": {"duplicates": [duplicate.pk], "public_reason": "같은 정류장"},
    }[action]
    if user.is_authenticated:
        client.force_login(user)
    return client.post(reverse(f"proposals:{action}", kwargs={"pk": proposal.pk}), data)


@pytest.mark.parametrize("action", ["review-feasibility", "review-decide", "review-merge"])
@pytest.mark.parametrize(("_case", "role", "when", "allowed"), MATRIX)
def test_review_actions_permission_matrix(
    _case, role, when, allowed, action, client, actor, set_phase, proposal, duplicate
):
    set_phase(when)
    user = actor(role)
    before = changes(proposal)
    response = post_action(client, user, action, proposal, duplicate)
    if allowed:
        assert response.status_code == 302
        assert response["Location"] == reverse("proposals:review-proposal", args=[proposal.pk])
        assert changes(proposal) != before
    else:
        if role == "anonymous_user":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == 403
        assert changes(proposal) == before


@pytest.mark.parametrize(
    "permission",
    [
        "proposals.review_proposal",
        "proposals.decide_proposal",
        "proposals.merge_proposal",
        "proposals.score_proposal",
    ],
)
@pytest.mark.parametrize(("_case", "role", "when", "allowed"), MATRIX)
def test_rules_agree_with_the_matrix(
    _case, role, when, allowed, permission, actor, set_phase, proposal
):
    set_phase(when)
    proposal.refresh_from_db()
    if permission == "proposals.score_proposal" and role == "staff_user":
        allowed = False  # rubric scores are the council's own votes
    assert rules.has_perm(permission, actor(role), proposal) is allowed


@pytest.mark.parametrize(
    "permission",
    [
        "proposals.view_review_desk",
        "proposals.review_proposal",
        "proposals.decide_proposal",
        "proposals.merge_proposal",
        "proposals.score_proposal",
        "proposals.view_review_details",
    ],
)
def test_perm_exists(permission):
    assert rules.perm_exists(permission)


@pytest.mark.parametrize(
    ("_case", "role", "status"),
    [
        ("anonymous", "anonymous_user", 302),
        ("resident", "resident", 403),
        ("author", "author", 403),
        ("council member", "council_member", 200),
        ("council member who co-wrote it (reads, may not act)", "council_author", 200),
        ("staff", "staff_user", 200),
    ],
)
def test_review_desk_pages_open_for_the_council_and_staff(
    _case, role, status, client, actor, in_review, proposal
):
    user = actor(role)
    if user.is_authenticated:
        client.force_login(user)
    for url in [
        reverse("proposals:review-queue", kwargs={"slug": in_review.slug}),
        reverse("proposals:review-proposal", kwargs={"pk": proposal.pk}),
    ]:
        assert client.get(url).status_code == status


def test_council_home_lists_the_members_cycle(client, council_member, in_review):
    client.force_login(council_member)
    response = client.get(reverse("proposals:council-home"))
    assert response.status_code == 200
    assert list(response.context["cycles"]) == [in_review]


def test_council_home_refuses_residents(client, resident):
    client.force_login(resident)
    assert client.get(reverse("proposals:council-home")).status_code == 403


@pytest.mark.parametrize(("_case", "role", "when", "_acts"), MATRIX)
def test_who_sees_review_notes_and_scores(_case, role, when, _acts, actor, set_phase, proposal):
    set_phase(when)
    proposal.refresh_from_db()
    expected = when == "after" or role in ("council_member", "staff_user")
    assert rules.has_perm("proposals.view_review_details", actor(role), proposal) is expected


# The one refusal rule: who is refused, with which code, before, during and after the review.
ROLE_REFUSAL = {
    "anonymous_user": ReviewRefusal.LOGIN,
    "unverified_resident": ReviewRefusal.NOT_REVIEWER,
    "resident": ReviewRefusal.NOT_REVIEWER,
    "author": ReviewRefusal.NOT_REVIEWER,
    "other_district_resident": ReviewRefusal.NOT_REVIEWER,
    "council_author": ReviewRefusal.AUTHOR,
    "council_member": None,
    "staff_user": None,
}


@pytest.mark.parametrize("council_only", [False, True], ids=["act", "score"])
@pytest.mark.parametrize(("_case", "role", "when", "_acts"), MATRIX)
def test_refusal_code_for_each_role_and_phase(
    _case, role, when, _acts, council_only, actor, set_phase, proposal
):
    set_phase(when)
    proposal.refresh_from_db()
    expected = ROLE_REFUSAL[role]
    if council_only and (role == "staff_user" or expected == ReviewRefusal.NOT_REVIEWER):
        expected = ReviewRefusal.NOT_COUNCIL  # scoring is for council members only
    if expected is None and when != "during":
        expected = ReviewRefusal.PHASE
    refusal = get_review_refusal(user=actor(role), proposal=proposal, council_only=council_only)
    assert (refusal.code if refusal else None) == expected


def test_refusal_of_a_proposal_no_longer_under_review(council_member, set_phase, proposal):
    set_phase("during")
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.WITHDRAWN)
    proposal.refresh_from_db()
    refusal = get_review_refusal(user=council_member, proposal=proposal)
    assert refusal.code == ReviewRefusal.STATUS
    assert rules.has_perm("proposals.review_proposal", council_member, proposal) is False


@pytest.mark.parametrize(
    ("_case", "role", "when"),
    [
        ("resident", "resident", "during"),
        ("co-author on the council", "council_author", "during"),
        ("council member after the review", "council_member", "after"),
        ("staff scoring", "staff_user", "during"),
    ],
)
def test_services_refuse_with_the_same_code_and_message(
    _case, role, when, actor, set_phase, proposal
):
    set_phase(when)
    proposal.refresh_from_db()
    user = actor(role)
    council_only = role == "staff_user"
    refusal = get_review_refusal(user=user, proposal=proposal, council_only=council_only)
    if council_only:
        act = partial(score_proposal, proposal=proposal, member=user, points={})
    else:
        act = partial(
            record_feasibility_review,
            proposal=proposal,
            reviewer=user,
            verdict="feasible",
            reviewed_cost_won=1000,
        )
    with pytest.raises(ProposalError) as exc:
        act()
    assert (exc.value.code, exc.value.message) == (refusal.code, refusal.message)
    assert FeasibilityReview.objects.exists() is False


@pytest.mark.parametrize(("_case", "role", "when", "_acts"), MATRIX)
def test_who_opens_the_review_desk(_case, role, when, _acts, actor, set_phase, proposal, cycle):
    """The cycle's council (co-authors too: they read, never act) and staff, in every phase."""
    set_phase(when)
    proposal.refresh_from_db()
    expected = role in ("council_member", "council_author", "staff_user")
    for obj in (cycle, proposal):
        assert rules.has_perm("proposals.view_review_desk", actor(role), obj) is expected
