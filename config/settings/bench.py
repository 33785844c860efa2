"""Benchmarks (make bench-ballots): production-like (DEBUG off, persistent DB connections, real
Celery broker), but on loopback HTTP and a database of its own, never the test or demo one."""

from .base import *
from .base import env

DEBUG = False
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="bench-only-secret-key-not-for-production-use-0123456789"
)
CHAMYEO_VOTER_KEY_SECRET = env("CHAMYEO_VOTER_KEY_SECRET", default="bench-only-voter-key-secret")
CHAMYEO_DEMO_MODE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {
    "default": env.db(
        "BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/chamyeo_bench"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # as in production
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = False
# Shared by every worker, as in production (the API's cache; sessions are in the database).
CACHES = {
    "default": {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL or "redis://127.0.0.1:6379/0",
    }
}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
LOGGING["root"]["level"] = "WARNING"
