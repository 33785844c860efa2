"""The stack test's Celery workers: production settings plus two test hooks, so that a worker
can be killed in the middle of a count and the count resumes within seconds, not an hour.

- ``CHAMYEO_TALLY_TEST_DELAY_SECONDS``: a pause inside ``tally_scope`` after the run is marked
  RUNNING (results/services/counting.py), the window in which the test kills the worker;
- a Redis sweep for unacknowledged messages every second, with the visibility timeout the test
  sets through production's own variable (``CHAMYEO_BROKER_VISIBILITY_TIMEOUT``).

The web processes and beat run ``config.settings.production`` unchanged.
"""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import CELERY_BROKER_TRANSPORT_OPTIONS

CHAMYEO_TALLY_TEST_DELAY_SECONDS = float(os.environ.get("CHAMYEO_TALLY_TEST_DELAY_SECONDS", "0"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
