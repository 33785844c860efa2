"""Beat tasks of the departments app: thin adapters over services (ids in, counts out)."""

from celery import shared_task
from django.db import OperationalError

from departments.services import reach_escalation_steps
from departments.services import route_open_cycles
from departments.services import send_review_reminders


@shared_task(
    name="departments.route_open_cycles",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def route_open_cycles_task() -> int:
    return route_open_cycles()


@shared_task(
    name="departments.send_review_reminders",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_review_reminders_task() -> int:
    return send_review_reminders()


@shared_task(
    name="departments.reach_escalation_steps",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def reach_escalation_steps_task() -> int:
    return reach_escalation_steps()
