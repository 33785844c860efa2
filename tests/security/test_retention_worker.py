"""The retention task as beat hands it to a real Celery worker over Redis: it deletes what is
past its period, and a second delivery deletes nothing more."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from config.settings.base import CELERY_BEAT_SCHEDULE
from notifications.models import OutboxMessage
from privacy.tasks import enforce_retention_task

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_beat_runs_retention_every_hour():
    entry = CELERY_BEAT_SCHEDULE["privacy.enforce-retention"]
    assert entry["task"] == enforce_retention_task.name
    assert entry["schedule"] == 3600.0


def test_the_worker_deletes_delivered_mail_once(live_worker):
    user = User.objects.create_user(email="kept@example.kr")
    old = OutboxMessage.objects.create(recipient=user, to_email=user.email, template="t")
    recent = OutboxMessage.objects.create(recipient=user, to_email=user.email, template="t")
    OutboxMessage.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(days=40))
    OutboxMessage.objects.filter(pk=recent.pk).update(sent_at=timezone.now())

    first = enforce_retention_task.delay().get(timeout=60)
    second = enforce_retention_task.delay().get(timeout=60)

    assert first["notifications.sent_outbox"] == 1
    assert second["notifications.sent_outbox"] == 0
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]
