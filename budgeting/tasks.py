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


# --- counting and publication (tally) -------------------------------------------------------------
@shared_task(
    name="budgeting.close_voting",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def close_voting_task(cycle_id: int) -> int:
    from budgeting.services.tallying import close_voting

    return len(close_voting(cycle_id=cycle_id))


@shared_task(
    name="budgeting.close_due_voting",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def close_due_voting_task() -> int:
    from budgeting.services.tallying import close_due_voting

    return close_due_voting()


@shared_task(
    name="budgeting.tally_scope",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def tally_scope_task(scope_id: int) -> int:
    from budgeting.services.tallying import tally_scope

    return tally_scope(scope_id=scope_id).pk


@shared_task(
    name="budgeting.build_export_file",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def build_export_file_task(export_file_id: int) -> str:
    from budgeting.services.exports import build_export_file

    return build_export_file(export_file_id=export_file_id).status


@shared_task(
    name="budgeting.retry_stalled_exports",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def retry_stalled_exports_task() -> int:
    from budgeting.services.exports import retry_stalled_exports

    return retry_stalled_exports()
