"""Comments, endorsements and reports through the browser."""

import pytest
from django.urls import reverse

from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Report

pytestmark = pytest.mark.django_db

XSS = '<script>alert("c")</script><b onmouseover=alert(1)>hi</b>'


def test_comment_and_reply_are_shown_escaped(client, resident, author, proposal):
    client.force_login(resident)
    url = reverse("proposals:comment-create", args=[proposal.pk])
    response = client.post(url, {"body": XSS})
    comment = Comment.objects.get()
    assert response["Location"] == f"{proposal.get_absolute_url()}#comment-{comment.pk}"
    client.force_login(author)
    client.post(url, {"body": "답글입니다", "parent": comment.pk})

    page = client.get(proposal.get_absolute_url())

    assert "<script>alert" not in page.text
    assert "<b onmouseover" not in page.text
    assert "&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;" in page.text
    assert Comment.objects.get(body="답글입니다").parent_id == comment.pk
    assert 'class="comment border rounded p-3 mb-2 ms-4 ms-md-5 comment-reply"' in page.text


@pytest.mark.parametrize(
    ("_case", "body", "message"),
    [
        ("empty", "   ", "This field is required."),
        ("too long", "가" * 3001, "at most 3000 characters"),
    ],
)
def test_bad_comment_rerenders_with_text(_case, body, message, client, resident, proposal):
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("proposals:comment-create", args=[proposal.pk]), {"body": body})
    assert response.status_code == 400
    assert message in response.text
    if body.strip():
        assert body in response.text
    assert Comment.objects.exists() is False


def test_author_edits_comment_in_the_window(client, resident, proposal):
    client.force_login(resident)
    client.post(reverse("proposals:comment-create", args=[proposal.pk]), {"body": "첫 댓글"})
    comment = Comment.objects.get()
    edit_url = reverse("proposals:comment-edit", args=[comment.pk])
    assert client.get(edit_url).status_code == 200
    client.post(edit_url, {"body": "고친 댓글"})
    comment.refresh_from_db()
    assert comment.body == "고친 댓글"
    assert comment.edited_at is not None


def test_endorse_button_and_threshold(client, resident, proposal):
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    page = client.get(proposal.get_absolute_url())
    assert "50 endorsements: the council must answer." in page.text
    assert "50 more needed." in page.text

    client.post(reverse("proposals:proposal-endorse", args=[proposal.pk]), {"action": "endorse"})
    page = client.get(proposal.get_absolute_url())
    assert Endorsement.objects.filter(user=resident, proposal=proposal).exists() is True
    assert "49 more needed." in page.text
    assert "Withdraw my endorsement" in page.text

    client.post(reverse("proposals:proposal-endorse", args=[proposal.pk]), {"action": "withdraw"})
    assert Endorsement.objects.exists() is False


def test_report_a_comment(client, resident, author, proposal):
    comment = Comment.objects.create(proposal=proposal, author=author, body="광고 링크")
    client.force_login(resident)
    url = reverse("proposals:comment-report", args=[comment.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"reason": "광고입니다"})
    client.post(url, {"reason": "또 신고"})
    report = Report.objects.get()
    assert report.comment == comment
    assert report.reason == "광고입니다"
