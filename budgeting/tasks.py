"""Celery tasks: thin adapters that take ids and call one service."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="budgeting.advance_due_phases",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def advance_due_phases_task() -> int:
    from budgeting.services.cycles import advance_due_phases

    return advance_due_phases()


@shared_task(
    name="budgeting.send_voting_reminders",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_voting_reminders_task() -> int:
    from budgeting.services.reminders import send_voting_reminders

    return send_voting_reminders()
