"""Production: every secret and address comes from the environment; HTTPS everywhere.

The services are base.py's: PostgreSQL from ``DATABASE_URL``, Redis from ``REDIS_URL`` as the
Celery broker and the outage-tolerant cache (``core.cache.ResilientRedisCache``), sessions in the
database. Here they are only required, with what differs from the other environments.
"""

import logging

from django.core.exceptions import ImproperlyConfigured

from core.sentry import init_sentry

from .base import *
from .base import CHAMYEO_SMS_BACKEND
from .base import EMAIL_CONFIG
from .base import env

REQUIRED_VARIABLES: tuple[str, ...] = (
    "DJANGO_SECRET_KEY",
    "CHAMYEO_VOTER_KEY_SECRET",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
)
if CHAMYEO_STORAGE == "s3":
    REQUIRED_VARIABLES = (*REQUIRED_VARIABLES, "AWS_STORAGE_BUCKET_NAME")
_missing = [name for name in REQUIRED_VARIABLES if not env.str(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        f"Production needs {', '.join(_missing)} set in the environment (see .env.example)."
    )

# A backend that keeps mail on this machine would print or store every e-mail, ballot receipts
# included, where whoever reads the logs or the disk can read them: production needs a real one.
LOCAL_EMAIL_BACKENDS = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)
_email_backend = EMAIL_CONFIG["EMAIL_BACKEND"]
if _email_backend in LOCAL_EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"Production needs a mail server in EMAIL_URL (e.g. smtp+tls://user:password@host:587), "
        f"not {_email_backend}: it would write every e-mail, ballot receipts included, into the "
        f"log or onto this machine."
    )

# The same for text messages: the console backend prints every verification code into the log.
# Without a provider, phone verification is simply not offered (DisabledBackend).
if not env.str("CHAMYEO_SMS_BACKEND", default=""):
    CHAMYEO_SMS_BACKEND = "channels.sms.DisabledBackend"
if CHAMYEO_SMS_BACKEND in ("channels.sms.ConsoleBackend", "channels.sms.LocmemBackend"):
    raise ImproperlyConfigured(
        f"Production cannot send text messages with {CHAMYEO_SMS_BACKEND}: it would write every "
        f"verification code into the log. Set CHAMYEO_SMS_BACKEND=channels.sms.SolapiBackend with "
        f"SOLAPI_API_KEY, SOLAPI_API_SECRET and CHAMYEO_SMS_SENDER, or leave it unset to offer no "
        f"phone verification."
    )
if CHAMYEO_SMS_BACKEND == "channels.sms.SolapiBackend":
    _missing_sms = [
        name
        for name in ("SOLAPI_API_KEY", "SOLAPI_API_SECRET", "CHAMYEO_SMS_SENDER")
        if not env.str(name, default="")
    ]
    if _missing_sms:
        raise ImproperlyConfigured(
            f"CHAMYEO_SMS_BACKEND=channels.sms.SolapiBackend needs {', '.join(_missing_sms)}."
        )

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# a load balancer may probe a node over plain HTTP
SECURE_REDIRECT_EXEMPT = [r"^health/"]
# a database that does not answer fails a request (and /health/) in seconds, not minutes
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=5)
)

# --- Operations --------------------------------------------------------------------------------
DJANGO_LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = DJANGO_LOG_FORMAT
# Python's warnings become log records (logger py.warnings), in the same format as the rest
logging.captureWarnings(True)

# Error reports go to Sentry (or GlitchTip) only when SENTRY_DSN is set, never with a request
# body, cookies, local variables or who the user is (core/sentry.py).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Behind nginx (deploy/nginx/chamyeo.conf), every request comes from the proxy's address. nginx
# replaces X-Forwarded-For with the client's address, and allauth's rate limits (login 30/m per
# address, failed logins, sign-up) take the address this many entries from the right of it. Set
# it to the number of proxies in front of the app (0: no proxy, the socket address is used).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("CHAMYEO_TRUSTED_PROXY_COUNT", default=1)
