"""The shared test worker runs only the running test's tasks (#16 item 9).

A task another test left behind (in its own queue) must stay where it is, and a queue named
after another run of the suite (a second copy beside this one, same Redis) is never consumed.
"""

import uuid

import pytest

from config.celery_app import app
from tests.helpers import RUN_ID


@app.task(name="tests.echo")
def echo(value: str) -> str:
    return value


def _waiting(queue: str) -> int:
    with app.connection_for_write() as connection:
        return connection.default_channel.client.llen(queue)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_this_tests_task_and_leaves_other_queues_alone(live_worker):
    left_by_an_earlier_test = f"chamyeo-tests-{RUN_ID}-{uuid.uuid4().hex[:8]}"
    other_copy_of_the_suite = f"chamyeo-tests-{uuid.uuid4().hex[:12]}"
    try:
        echo.apply_async(("earlier",), queue=left_by_an_earlier_test)
        echo.apply_async(("other suite",), queue=other_copy_of_the_suite)
        echo.apply_async(("unrouted",), queue="celery")  # Celery's default queue: nobody's

        assert echo.delay("mine").get(timeout=60) == "mine"
        # the worker has run this test's task; the other two are still waiting, untouched
        assert _waiting(left_by_an_earlier_test) == 1
        assert _waiting(other_copy_of_the_suite) == 1
        assert _waiting("celery") >= 1
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(left_by_an_earlier_test)
            connection.default_channel.queue_purge(other_copy_of_the_suite)
            connection.default_channel.queue_purge("celery")
