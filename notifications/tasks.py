from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="notifications.relay_outbox",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def relay_outbox_task() -> int:
    from notifications.services import send_pending_messages

    return send_pending_messages()
