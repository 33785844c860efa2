"""Tasks of the channels app: thin, by id, idempotent."""

from celery import shared_task
from django.db import OperationalError

from channels.services import generate_code_batch


@shared_task(
    name="channels.generate_code_batch",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def generate_code_batch_task(batch_id: int) -> int:
    return generate_code_batch(batch_id=batch_id).pk
