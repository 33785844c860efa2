"""Send a Celery task without ever failing the caller when the broker is down.

Every "ask a worker" in the app (outbox relay kicks, counts, closing votes, downloads,
announcements) goes through ``enqueue``: it never raises, and after one failure it asks that
broker nothing more for ``PAUSE_AFTER_FAILURE_S``, so an outage costs one connection timeout per
process and pause, not one per vote or per file. What is not sent is caught up by beat's periodic
tasks (the outbox relay, ``close_due_voting``, ``retry_stalled_exports``) once the broker is back.
"""

import logging
import time
from typing import Any

from celery import current_app

logger = logging.getLogger(__name__)

PAUSE_AFTER_FAILURE_S = 15.0
_paused_until: dict[str, float] = {}  # broker URL -> monotonic time


def _broker_url() -> str:
    return str(current_app.conf.broker_url)


def is_paused() -> bool:
    """Whether the broker failed recently, so that sending is skipped for now."""
    return time.monotonic() < _paused_until.get(_broker_url(), 0.0)


def _send(task_name: str, args: tuple[Any, ...], *, countdown: float | None) -> None:
    app = current_app
    if not app.conf.task_always_eager:
        app.send_task(task_name, args, countdown=countdown, retry=False, ignore_result=True)
        return
    # In-process tasks (the demo, no REDIS_URL): send_task ignores task_always_eager, so run
    # the registered task as apply_async would. Its module is found by Celery's autodiscovery.
    if task_name not in app.tasks:
        app.loader.import_default_modules()
    # celery-types says float; Celery takes None too (no countdown), as send_task above does
    app.tasks[task_name].apply_async(args, countdown=countdown)  # type: ignore[arg-type]


def enqueue(task_name: str, args: tuple[Any, ...] = (), *, countdown: float | None = None) -> bool:
    """Send the task named ``task_name`` (its stable ``name=``); False, logged, when the broker
    is down or paused. Services hand work to tasks by name, so they never import a task module."""
    if is_paused():
        logger.info(
            "%s%r not sent: the broker failed less than %ss ago",
            task_name,
            args,
            PAUSE_AFTER_FAILURE_S,
        )
        return False
    try:
        _send(task_name, args, countdown=countdown)
    except Exception:
        _paused_until[_broker_url()] = time.monotonic() + PAUSE_AFTER_FAILURE_S
        logger.warning(
            "%s%r could not be sent; beat's periodic tasks catch up.",
            task_name,
            args,
            exc_info=True,
        )
        return False
    return True


def reset() -> None:
    """Forget every failure (tests; a process that knows the broker is back)."""
    _paused_until.clear()
