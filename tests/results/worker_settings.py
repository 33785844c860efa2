"""Settings of the Celery worker processes that the kill/concurrency tests start themselves.

The test settings, plus: a pause inside ``tally_scope`` after the input is built (so a worker can
be killed mid-count) and a short Redis visibility timeout (so a message left unacknowledged by a
killed worker is delivered again within seconds rather than an hour).
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

CHAMYEO_TALLY_TEST_DELAY_SECONDS = float(os.environ.get("CHAMYEO_TALLY_TEST_DELAY_SECONDS", "0"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": float(os.environ.get("CHAMYEO_TEST_VISIBILITY_TIMEOUT", "3600")),
    # look for such messages every second (kombu's default sweep is every 10 x 10 s)
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
