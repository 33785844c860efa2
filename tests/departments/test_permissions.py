"""Who may route, review, answer and moderate: official of the owning department, of another
department, committee member, expert, staff, resident, author. Denied posts change nothing."""

from datetime import timedelta

import pytest
import rules
from django.urls import reverse
from django.utils import timezone

from departments.models import DepartmentReview
from departments.models import Escalation
from departments.models import EscalationStep
from departments.models import Routing

pytestmark = pytest.mark.django_db

ACTORS = [
    "official",
    "other_official",
    "council_member",
    "expert",
    "staff_user",
    "resident",
    "author",
]


@pytest.fixture
def answer_due(routed, proposal, cycle):
    step = EscalationStep.objects.create(cycle=cycle, threshold=50, action="department_answer")
    now = timezone.now()
    return Escalation.objects.create(
        proposal=proposal, step=step, reached_at=now, supporters=50, due_at=now + timedelta(days=14)
    )


@pytest.fixture
def forum(routed, proposal, cycle):
    step = EscalationStep.objects.create(cycle=cycle, threshold=100, action="forum")
    now = timezone.now()
    return Escalation.objects.create(
        proposal=proposal,
        step=step,
        reached_at=now,
        supporters=100,
        due_at=now + timedelta(days=14),
    )


MATRIX = {
    # actor:            route  review answer moderate
    "official": (False, True, True, False),
    "other_official": (False, False, False, False),
    "council_member": (False, False, False, False),
    "expert": (False, False, False, False),
    "staff_user": (True, False, False, True),
    "resident": (False, False, False, False),
    "author": (False, False, False, False),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(actor, request, routed, answer_due, forum, proposal):
    user = request.getfixturevalue(actor)
    route, review, answer, moderate = MATRIX[actor]
    assert rules.has_perm("departments.route_proposal", user, proposal) is route
    assert rules.has_perm("departments.review_proposal", user, routed) is review
    assert rules.has_perm("departments.answer_escalation", user, answer_due) is answer
    assert rules.has_perm("departments.moderate_forum", user, forum) is moderate


def test_official_without_second_factor_may_not_review(routed, official_without_mfa):
    assert rules.has_perm("departments.review_proposal", official_without_mfa, routed) is False


def test_official_who_wrote_the_proposal_may_not_review_it(routed, proposal, department):
    from departments.models import DepartmentOfficial
    from tests.accounts.factories import activate_totp

    DepartmentOfficial.objects.create(user=proposal.author, department=department)
    activate_totp(proposal.author)
    assert rules.has_perm("departments.review_proposal", proposal.author, routed) is False


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "official"])
def test_denied_review_post_changes_nothing(actor, request, client, routed, proposal):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(
        reverse("departments:review", kwargs={"pk": routed.pk}),
        {"verdict": "feasible", "reviewed_cost_won": "1000"},
    )
    assert response.status_code == 403
    routed.refresh_from_db()
    assert (routed.status, routed.verdict) == ("pending", "")


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "staff_user"])
def test_denied_route_post_changes_nothing(
    actor, request, client, routed, proposal, other_department
):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(
        reverse("departments:route", kwargs={"pk": proposal.pk}),
        {"departments": [other_department.pk], "reason": "이관"},
    )
    assert response.status_code == 403
    assert list(Routing.objects.values_list("department__slug", "removed_at")) == [
        ("transport-policy", None)
    ]


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "official"])
def test_denied_answer_post_changes_nothing(actor, request, client, answer_due):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(
        reverse("departments:answer", kwargs={"pk": answer_due.pk}), {"answer": "답변"}
    )
    assert response.status_code == 403
    answer_due.refresh_from_db()
    assert (answer_due.answer, answer_due.answered_at) == ("", None)


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "staff_user"])
def test_denied_forum_close_changes_nothing(actor, request, client, forum):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(
        reverse("departments:forum", kwargs={"pk": forum.pk}), {"action": "close", "summary": "끝"}
    )
    assert response.status_code == 403
    forum.refresh_from_db()
    assert forum.answered_at is None


def test_official_of_another_department_cannot_export_its_rows(
    client, other_official, routed, cycle, department
):
    client.force_login(other_official)
    url = reverse(
        "departments:export", kwargs={"slug": cycle.slug, "kind": "reviews", "fmt": "csv"}
    )
    assert client.get(url, {"department": department.slug}).status_code == 404
    own = client.get(url).content.decode("utf-8-sig")
    assert routed.proposal.title not in own
    assert DepartmentReview.objects.count() == 1


def test_an_official_without_a_second_factor_is_sent_to_set_one_up(client, official_without_mfa):
    """Officials are staff of their department: the staff pages first ask for an authenticator,
    as for other staff (accounts.middleware), instead of a bare refusal."""
    client.force_login(official_without_mfa)
    response = client.get(reverse("departments:desk"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
