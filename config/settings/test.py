"""Tests: base.py's services on PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``), both set
by ``make test``; locmem e-mail and cache, fast hashing.

Celery is NOT eager here (``REDIS_URL`` is set): service tests call services, task tests run a
real worker.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import env

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "The tests run on PostgreSQL: set DATABASE_URL, e.g. "
        "postgres://postgres@127.0.0.1:5432/chamyeo (make test sets it)."
    )
DATABASES["default"]["TEST"] = {"NAME": env("CHAMYEO_TEST_DB_NAME", default="test_chamyeo")}
# The audit log refuses TRUNCATE (budgeting/audit.py) except on connections that set this: the
# tests' own, so that pytest-django can empty the tables between transactional tests.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c chamyeo.allow_audit_truncate=on"
# One cache per test process, emptied by the tests that need it (cache.clear()); on Redis that
# would flush the Celery broker's database as well. The Redis cache has tests of its own
# (tests/accounts/test_redis_outage.py, tests/config/test_production_settings.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
CHAMYEO_VOTER_KEY_SECRET = "test-voter-key-secret"  # noqa: S105
CHAMYEO_DEMO_MODE = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CHAMYEO_SMS_BACKEND = "channels.sms.LocmemBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
ACCOUNT_RATE_LIMITS = False
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
