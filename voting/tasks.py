"""Celery tasks: thin adapters that take ids and call one service."""

from celery import shared_task
from django.db import OperationalError

from voting.services.reminders import send_voting_reminders


@shared_task(
    name="budgeting.send_voting_reminders",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_voting_reminders_task() -> int:
    return send_voting_reminders()
