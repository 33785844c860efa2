"""Celery tasks: thin adapters that take ids and call one service."""

from celery import shared_task
from django.db import OperationalError

from budgeting.services.cycles import advance_due_phases


@shared_task(
    name="budgeting.advance_due_phases",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def advance_due_phases_task() -> int:
    return advance_due_phases()
