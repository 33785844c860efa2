"""Denied requests change nothing: 403 for residents without the right, login for anonymous."""

import pytest
from django.urls import reverse

from budgeting.models import AuditEvent
from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Proposal
from proposals.models import Report
from tests.proposals.factories import CommentFactory

pytestmark = pytest.mark.django_db


def _login(client, request, actor):
    user = request.getfixturevalue(actor)
    if user.is_authenticated:
        client.force_login(user)
    return user


def _snapshot(proposal):
    proposal.refresh_from_db()
    return (
        proposal.title,
        proposal.status,
        proposal.version,
        Proposal.objects.count(),
        Endorsement.objects.count(),
        Comment.objects.count(),
        Report.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("_case", "actor", "action", "expected_status"),
    [
        ("anonymous edits", "anonymous_user", "edit", 302),
        ("other resident edits", "resident", "edit", 403),
        ("council member edits", "council_member", "edit", 403),
        ("staff edits", "staff_user", "edit", 403),
        ("anonymous withdraws", "anonymous_user", "withdraw", 302),
        ("other resident withdraws", "resident", "withdraw", 403),
        ("staff withdraws", "staff_user", "withdraw", 403),
        ("anonymous endorses", "anonymous_user", "endorse", 302),
        ("author endorses own", "author", "endorse", 403),
        ("council member endorses", "council_member", "endorse", 403),
        ("anonymous comments", "anonymous_user", "comment", 302),
        ("resident without profile comments", "user_without_profile", "comment", 302),
        ("anonymous reports", "anonymous_user", "report", 302),
        ("resident hides", "resident", "hide", 403),
        ("council member hides", "council_member", "hide", 403),
    ],
)
def test_denied_post_changes_nothing(
    _case, actor, action, expected_status, client, request, proposal, proposal_form_data
):
    _login(client, request, actor)
    before = _snapshot(proposal)
    url, data = {
        "edit": (
            reverse("proposals:proposal-edit", args=[proposal.pk]),
            {**proposal_form_data, "version": proposal.version, "title": "남의 제안 바꾸기"},
        ),
        "withdraw": (reverse("proposals:proposal-withdraw", args=[proposal.pk]), {}),
        "endorse": (reverse("proposals:proposal-endorse", args=[proposal.pk]), {}),
        "comment": (reverse("proposals:comment-create", args=[proposal.pk]), {"body": "안녕"}),
        "report": (reverse("proposals:proposal-report", args=[proposal.pk]), {"reason": "x"}),
        "hide": (
            reverse("proposals:moderation-hide-proposal", args=[proposal.pk]),
            {"reason": "x"},
        ),
    }[action]
    response = client.post(url, data)
    assert response.status_code == expected_status
    assert _snapshot(proposal) == before


def test_unverified_resident_cannot_submit_when_cycle_requires_it(
    client, unverified_resident, cycle, proposal_form_data
):
    cycle.requires_verification = True
    cycle.save(update_fields=["requires_verification"])
    client.force_login(unverified_resident)
    response = client.post(
        reverse("proposals:proposal-create", args=[cycle.slug]), proposal_form_data
    )
    assert response.status_code == 403
    assert Proposal.objects.exists() is False


def test_other_residents_comment_cannot_be_edited(client, resident, proposal):
    comment = CommentFactory(proposal=proposal, body="원래 댓글")
    client.force_login(resident)
    response = client.post(
        reverse("proposals:comment-edit", args=[comment.pk]), {"body": "바꿔치기"}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "원래 댓글"
    assert comment.edited_at is None


def test_drafts_are_not_found_for_others(client, resident, draft_proposal):
    client.force_login(resident)
    assert client.get(draft_proposal.get_absolute_url()).status_code == 404
    response = client.post(reverse("proposals:proposal-endorse", args=[draft_proposal.pk]))
    assert response.status_code == 404
    assert Endorsement.objects.exists() is False


def test_staff_pages_need_staff(client, resident, staff_user):
    client.force_login(resident)
    assert client.get(reverse("proposals:moderation-queue")).status_code == 403
    client.force_login(staff_user)
    assert client.get(reverse("proposals:moderation-queue")).status_code == 200


def test_drafts_are_private_from_staff_too(client, staff_user, draft_proposal):
    client.force_login(staff_user)
    assert client.get(draft_proposal.get_absolute_url()).status_code == 404
