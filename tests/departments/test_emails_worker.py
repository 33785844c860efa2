"""The overdue reminder and the ladder's e-mails are sent once each, by a real Celery worker."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from budgeting.phases import Phase
from departments.models import DepartmentReview
from departments.models import EscalationStep
from departments.tasks import reach_escalation_steps_task
from departments.tasks import send_review_reminders_task
from notifications.tasks import relay_outbox_task
from proposals.models import Endorsement
from tests.helpers import cycle_in_phase

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_mail(count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) >= count, f"only {len(mail.outbox)} of {count} e-mails arrived"


def test_overdue_review_reminder_is_sent_once(live_worker, routed, official):
    DepartmentReview.objects.filter(pk=routed.pk).update(due_at=timezone.now() - timedelta(days=2))
    assert send_review_reminders_task.delay().get(timeout=30) == 1
    assert send_review_reminders_task.delay().get(timeout=30) == 0
    wait_for_mail(2)
    relay_outbox_task.delay().get(timeout=30)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "official@city.example",
        "transport@city.example",
    ]
    assert all(routed.proposal.title in m.subject for m in mail.outbox)


def test_escalation_e_mails_are_sent_once(live_worker, cycle, proposal, official, resident):
    cycle_in_phase(cycle, Phase.PROPOSALS)
    EscalationStep.objects.create(cycle=cycle, threshold=1, action="department_answer", days=14)
    Endorsement.objects.create(proposal=proposal, user=resident)
    assert reach_escalation_steps_task.delay().get(timeout=30) == 1
    assert reach_escalation_steps_task.delay().get(timeout=30) == 0
    wait_for_mail(4)  # the author, the supporter, the official, the department's address
    relay_outbox_task.delay().get(timeout=30)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [proposal.author.email, resident.email, official.email, "transport@city.example"]
    )
