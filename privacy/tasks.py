from celery import shared_task
from django.db import OperationalError

from privacy.services import enforce_retention


@shared_task(
    name="privacy.enforce_retention",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def enforce_retention_task() -> dict[str, int]:
    """Delete what has outlived its retention period (idempotent: a second run deletes nothing)."""
    return enforce_retention()
