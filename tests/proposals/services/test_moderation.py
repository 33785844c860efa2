"""Staff hide comments and proposals with a public reason; the reports queue empties."""

import pytest
from django.urls import reverse

from budgeting.models import AuditEvent
from proposals.services import ProposalError
from proposals.services.moderation import dismiss_report
from proposals.services.moderation import hide_comment
from proposals.services.moderation import hide_proposal
from tests.proposals.factories import CommentFactory
from tests.proposals.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_hidden_comment_shows_its_public_reason(client, staff_user, proposal):
    comment = CommentFactory(proposal=proposal, body="욕설이 담긴 댓글")
    report = ReportFactory(proposal=proposal, comment=comment)

    hide_comment(comment=comment, actor=staff_user, reason="욕설 (운영 원칙 3조)")

    report.refresh_from_db()
    assert report.resolved_at is not None
    assert report.resolved_by == staff_user
    event = AuditEvent.objects.get(event_type="comment_hidden")
    assert event.is_public is True
    assert event.reason == "욕설 (운영 원칙 3조)"
    page = client.get(proposal.get_absolute_url())
    assert "욕설이 담긴 댓글" not in page.text
    assert "욕설 (운영 원칙 3조)" in page.text


def test_hidden_proposal_shows_only_the_reason(client, staff_user, proposal):
    hide_proposal(proposal=proposal, actor=staff_user, reason="개인정보 노출")
    client.cookies["django_language"] = "en"
    page = client.get(proposal.get_absolute_url())
    assert page.status_code == 200
    assert "This proposal was hidden by the moderators." in page.text
    assert "개인정보 노출" in page.text
    assert proposal.description not in page.text
    listing = client.get(reverse("proposals:proposal-list", args=[proposal.cycle.slug]))
    assert proposal.title not in listing.text


@pytest.mark.parametrize(
    ("_case", "actor", "reason", "code"),
    [
        ("resident", "resident", "이유", "not_staff"),
        ("council member", "council_member", "이유", "not_staff"),
        ("no reason", "staff_user", "   ", "reason_required"),
    ],
)
def test_hiding_needs_staff_and_a_reason(_case, actor, reason, code, request, proposal):
    with pytest.raises(ProposalError) as error:
        hide_proposal(proposal=proposal, actor=request.getfixturevalue(actor), reason=reason)
    assert error.value.code == code
    proposal.refresh_from_db()
    assert proposal.hidden_at is None


def test_reports_queue_through_the_browser(client, staff_user, proposal):
    comment = CommentFactory(proposal=proposal, body="스팸 링크")
    hide_me = ReportFactory(proposal=proposal, comment=comment, reason="스팸")
    keep = ReportFactory(proposal=proposal, reason="제목이 이상해요")
    client.force_login(staff_user)
    queue = reverse("proposals:moderation-queue")

    page = client.get(queue)
    assert "스팸" in page.text
    assert "제목이 이상해요" in page.text

    client.post(
        reverse("proposals:moderation-hide-comment", args=[comment.pk]),
        {"reason": "광고", "next": "queue"},
    )
    client.post(reverse("proposals:moderation-dismiss-report", args=[keep.pk]), {"resolution": ""})

    hide_me.refresh_from_db()
    keep.refresh_from_db()
    comment.refresh_from_db()
    assert comment.hidden_reason == "광고"
    assert hide_me.resolved_at is not None
    assert keep.resolved_at is not None
    assert list(client.get(queue).context["reports"]) == []


def test_dismiss_needs_staff(resident, proposal):
    report = ReportFactory(proposal=proposal)
    with pytest.raises(ProposalError):
        dismiss_report(report=report, actor=resident)
    report.refresh_from_db()
    assert report.resolved_at is None
