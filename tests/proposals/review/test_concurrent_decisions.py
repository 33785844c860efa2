"""Two council members deciding the same proposal at the same moment: one wins, one is told."""

import threading

import pytest
from django.db import connection
from django.db import transaction

from budgeting.models import AuditEvent
from notifications.models import OutboxMessage
from proposals.models import CouncilDecision
from proposals.review.services import record_council_decision
from proposals.services import ProposalError


@pytest.mark.django_db(transaction=True)
def test_simultaneous_decisions_from_the_same_page_version_record_one(
    in_review, proposal, council_member, staff_user
):
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(user, reason):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                record_council_decision(
                    proposal=proposal,
                    decided_by=user,
                    decision="rejected",
                    public_reason=reason,
                    expected_revision=0,
                )
            outcomes[reason] = "recorded"
        except ProposalError as exc:
            outcomes[reason] = exc.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(council_member, "A")),
        threading.Thread(target=decide, args=(staff_user, "B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["recorded", "stale"]
    winner = next(reason for reason, outcome in outcomes.items() if outcome == "recorded")
    assert CouncilDecision.objects.get().public_reason == winner
    assert AuditEvent.objects.filter(event_type="council_decision_recorded").count() == 1
    assert OutboxMessage.objects.count() == 2  # author and co-author, once
