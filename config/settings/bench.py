"""Benchmarks (make bench-ballots): production-like (DEBUG off, persistent DB connections, Redis as
the Celery broker and cache as base.py declares them), but on loopback HTTP and a database of its
own, never the test or demo one."""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import REDIS_URL
from .base import env

if not REDIS_URL:
    raise ImproperlyConfigured(
        "The benchmark needs REDIS_URL (benchmarks/bench_ballots.py starts a redis-server and "
        "sets it)."
    )
# Its own database (BENCH_DATABASE_URL), never the one DATABASE_URL names.
DATABASES["default"].update(
    env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/chamyeo_bench")
)
DATABASES["default"]["CONN_MAX_AGE"] = 600

DEBUG = False
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="bench-only-secret-key-not-for-production-use-0123456789"
)
CHAMYEO_VOTER_KEY_SECRET = env("CHAMYEO_VOTER_KEY_SECRET", default="bench-only-voter-key-secret")
CHAMYEO_DEMO_MODE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
LOGGING["root"]["level"] = "WARNING"
