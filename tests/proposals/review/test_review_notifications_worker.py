"""Authors are e-mailed at each decision and merge: after commit, by a real Celery worker, once."""

import time

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from notifications.models import OutboxMessage
from notifications.tasks import relay_outbox_task
from proposals.review.services import merge_proposals
from proposals.review.services import record_council_decision
from proposals.review.services import record_feasibility_review

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_mail(count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) >= count, f"only {len(mail.outbox)} of {count} e-mails arrived"


def test_decision_email_is_sent_once_per_decision_by_the_worker(
    live_worker, client, in_review, proposal, author, council_author, council_member
):
    with transaction.atomic():
        record_feasibility_review(
            proposal=proposal, reviewer=council_member, verdict="feasible", reviewed_cost_won=9_000
        )
    client.force_login(council_member)
    response = client.post(
        reverse("proposals:review-decide", kwargs={"pk": proposal.pk}),
        {"decision": "on_ballot", "public_reason": "이용자가 많습니다", "expected_revision": "0"},
    )
    assert response.status_code == 302
    wait_for_mail(2)
    # a second delivery of the relay task sends nothing more
    relay_outbox_task.delay().get(timeout=30)
    relay_outbox_task.delay().get(timeout=30)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([author.email, council_author.email])
    assert all("이용자가 많습니다" in m.body for m in mail.outbox)
    assert all(proposal.title in m.subject for m in mail.outbox)
    assert OutboxMessage.objects.filter(sent_at__isnull=True).exists() is False

    # the council changes its decision: the authors hear about it once more
    with transaction.atomic():
        record_council_decision(
            proposal=proposal,
            decided_by=council_member,
            decision="rejected",
            public_reason="예산 초과",
            expected_revision=1,
        )
    wait_for_mail(4)
    relay_outbox_task.delay().get(timeout=30)
    assert len(mail.outbox) == 4
    assert sum("예산 초과" in m.body for m in mail.outbox) == 2


def test_merge_email_reaches_every_author_once(
    live_worker, in_review, proposal, duplicate, author, council_author, staff_user
):
    with transaction.atomic():
        merge_proposals(
            survivor=proposal, duplicates=[duplicate], merged_by=staff_user, public_reason="같은 곳"
        )
    wait_for_mail(3)
    relay_outbox_task.delay().get(timeout=30)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [author.email, council_author.email, duplicate.author.email]
    )
    assert all(duplicate.title in m.body for m in mail.outbox)
