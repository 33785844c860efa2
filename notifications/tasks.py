from celery import shared_task
from django.db import OperationalError

from notifications.announcements import expand_announcement
from notifications.announcements import expand_pending_announcements
from notifications.services import send_pending_messages


@shared_task(
    name="notifications.relay_outbox",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def relay_outbox_task() -> int:
    expand_pending_announcements()
    return send_pending_messages()


@shared_task(
    name="notifications.expand_announcement",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def expand_announcement_task(announcement_id: int) -> bool:
    """Queue one batch of an announcement's e-mails; enqueue the next batch if there is one."""
    more = expand_announcement(announcement_id=announcement_id)
    if more:
        expand_announcement_task.delay(announcement_id)
    return more
