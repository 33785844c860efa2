"""The Celery application (``celery -A config.celery_app worker``)."""

import os

from celery import Celery
from celery.signals import task_postrun
from celery.signals import task_prerun

from core.request_id import REQUEST_ID

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("chamyeo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A task's log lines carry its task id where a request's carry the request id.
@task_prerun.connect
def _task_log_id(task_id=None, **kwargs):
    REQUEST_ID.set(task_id or "-")


@task_postrun.connect
def _task_log_id_done(**kwargs):
    REQUEST_ID.set("-")
