"""Celery tasks: thin adapters that take ids and call one service."""

from celery import shared_task
from django.db import OperationalError

from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.exports import retry_stalled_exports
from results.services.tallying import close_due_voting
from results.services.tallying import close_voting


@shared_task(
    name="budgeting.close_voting",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def close_voting_task(cycle_id: int) -> int:
    return len(close_voting(cycle_id=cycle_id))


@shared_task(
    name="budgeting.close_due_voting",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def close_due_voting_task() -> int:
    return close_due_voting()


@shared_task(
    name="budgeting.tally_scope",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def tally_scope_task(scope_id: int) -> int:
    return tally_scope(scope_id=scope_id).pk


@shared_task(
    name="budgeting.build_export_file",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def build_export_file_task(export_file_id: int) -> str:
    return build_export_file(export_file_id=export_file_id).status


@shared_task(
    name="budgeting.retry_stalled_exports",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def retry_stalled_exports_task() -> int:
    return retry_stalled_exports()
