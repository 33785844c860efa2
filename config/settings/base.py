"""Settings shared by every environment; everything that varies comes from the environment.

The embedded default (no ``DATABASE_URL`` / ``REDIS_URL``) is SQLite and in-process Celery, so
``make demo`` runs on a fresh machine. Production and the tests set both (see ``.env.example``).
The services (database, cache, Celery, sessions) are declared here only; the environment files
(local, test, production, bench) change what differs and never declare them again.
"""

import os
from pathlib import Path
from typing import Any
from typing import Literal
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.storage_config import StorageConfigError
from core.storage_config import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Ballots are keyed by HMAC(this secret, user id, scope id) and never by a foreign key to users.
# Keep it apart from SECRET_KEY so rotating sessions never re-keys ballots.
CHAMYEO_VOTER_KEY_SECRET = env("CHAMYEO_VOTER_KEY_SECRET", default="")
# Demo mode shows the demo accounts on the home page; never set it in production.
CHAMYEO_DEMO_MODE = env.bool("CHAMYEO_DEMO_MODE", default=False)
CHAMYEO_CITY_NAME = env("CHAMYEO_CITY_NAME", default="")
# Who answers questions about personal data (개인정보 보호책임자): shown on the privacy page.
CHAMYEO_PRIVACY_CONTACT = env("CHAMYEO_PRIVACY_CONTACT", default="")
# Real Pabulib elections for tests, benchmarks and `import_pabulib` (never copied into the repo).
PABULIB_DIR = Path(env("PABULIB_DIR", default=str(BASE_DIR.parent / "shared" / "pabulib")))
# Map tiles for Leaflet (the browser loads them; CSP allows this origin).
CHAMYEO_MAP_TILE_URL = env(
    "CHAMYEO_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)

# --- Apps -------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "modeltranslation",  # before admin, so the admin shows name_ko / name_en
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "ninja",  # the open-data API; its Swagger UI is served from our static files (no CDN)
    # Our apps, lowest first: each imports only those above it in this list (import-linter).
    "core",
    "notifications",
    "budgeting",
    "accounts",
    "proposals",
    "departments",  # department review and the escalation ladder (above proposals)
    "committee",  # recruitment by lot, budget school, meetings (above proposals)
    "voting",
    "phonenumber_field",
    "channels",  # phone verification, voting codes, kiosks, walk-in paper (above voting)
    "assembly",  # the general assembly (총회) (above voting)
    "results",
    "implementation",
    "opendata",
    "privacy",
    "console",  # the budget office's console (uses every app below it)
    "demo",
]

MIDDLEWARE = [
    # a request id in every log line and in the X-Request-ID answer (core/request_id.py)
    "core.request_id.RequestIdMiddleware",
    # Prometheus: requests by status, time by URL name (core/metrics.py)
    "core.metrics.MetricsMiddleware",
    # GET /health/live: 200 from this process, before any host check or database (core/ops.py)
    "core.ops.LiveProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Ballot submissions only: stored without the rest of the stack (budgeting/voting_views.py)
    "voting.middleware.BallotSubmitMiddleware",
    # Ballots cast with a voting code: the same, for /vote/code/ballots/<scope>/ (channels/)
    "channels.middleware.CodeBallotMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # /api/v1/ only: CORS for GET, ?lang=, a short cache keyed by URL and language
    "opendata.common.OpenDataMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # NUL and other control characters in any GET/POST parameter: 400 before a view runs
    "core.middleware.ControlCharacterGuardMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # staff and council sessions: 30 minutes idle, 12 hours at most (residents unchanged)
    "accounts.session_limits.StaffSessionLimitMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "budgeting.context_processors.site",
            ],
        },
    }
]

# Widgets are rendered with the project's templates, so templates/admin/widgets/ can give the
# admin's date-and-time inputs real labels.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database, cache, tasks: declared here only -----------------------------------------------
# An empty DATABASE_URL (DATABASE_URL= in .env) means the default, as an unset one does.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # a Redis outage makes the cache miss, never a page fail (core/cache.py)
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without Redis (the demo) tasks run in-process; with Redis they go to a worker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_BEAT_SCHEDULE = {
    "budgeting.advance-due-phases": {
        "task": "budgeting.advance_due_phases",
        # Every minute. Each step is a compare-and-set on BudgetCycle.phase, so a doubled run
        # changes nothing and a missed run is caught up by the next one.
        "schedule": 60.0,
    },
    "budgeting.close-due-voting": {
        "task": "budgeting.close_due_voting",
        # Every minute: closes voting on cycles past their deadline and asks for a count of each
        # scope without a counted (or recently started) official run. A count is unique per
        # (scope, rule, ballot fingerprint), so a doubled run counts nothing twice and a missed
        # run (or a worker that died mid-count) is caught up by the next one.
        "schedule": 60.0,
    },
    "budgeting.retry-stalled-exports": {
        "task": "budgeting.retry_stalled_exports",
        # Every minute: asks again for the downloads of published results left unbuilt (the
        # broker was down at publication, or a build failed), each at most 5 times with a pause
        # that doubles. A row is claimed with SKIP LOCKED before it is enqueued and a built file
        # is never rebuilt, so a doubled run asks once and a missed run is caught up by the next.
        "schedule": 60.0,
    },
    "notifications.relay-outbox": {
        "task": "notifications.relay_outbox",
        # Every 30 s: delivers what a broker outage kept in the outbox. Rows are taken with
        # SKIP LOCKED and marked (or deleted) in the same transaction, so runs never overlap.
        "schedule": 30.0,
    },
    "privacy.enforce-retention": {
        "task": "privacy.enforce_retention",
        # Every hour: deletes what has outlived its retention period (core.retention's rules:
        # delivered e-mails, unconfirmed sign-ups, expired sessions). Each rule deletes by a
        # cut-off date, so a doubled run deletes nothing more and a missed run is caught up.
        "schedule": 60 * 60.0,
    },
    "budgeting.send-voting-reminders": {
        "task": "budgeting.send_voting_reminders",
        # Every 15 minutes. Each reminder sets reminder_sent_at in the transaction that queues it
        # (rows taken with SKIP LOCKED, dedupe key per participation), so a doubled run sends
        # nothing twice and a missed run is caught up by the next one.
        "schedule": 15 * 60.0,
    },
    "departments.route-open-cycles": {
        "task": "departments.route_open_cycles",
        # Every 5 minutes: sends proposals of cycles in review to their departments. Only a
        # proposal with no routing is routed (under a row lock), so a doubled run routes nothing
        # twice and a missed run is caught up by the next one.
        "schedule": 5 * 60.0,
    },
    "departments.send-review-reminders": {
        "task": "departments.send_review_reminders",
        # Every hour: e-mails the department of each overdue review once. reminder_sent_at is
        # set in the transaction that queues the e-mail (row taken with SKIP LOCKED, dedupe key
        # per review and recipient), so a doubled run sends nothing twice.
        "schedule": 60 * 60.0,
    },
    "departments.reach-escalation-steps": {
        "task": "departments.reach_escalation_steps",
        # Every 5 minutes: records the ladder steps proposals have reached. One escalation per
        # (proposal, step) is unique in the schema and checked under the proposal's row lock, so
        # a doubled run notifies nobody twice and a missed run is caught up by the next one.
        "schedule": 5 * 60.0,
    },
}
# Publishing a task must not hang a request while Redis is down (the outbox catches up).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A task a dead worker took but never acknowledged (acks_late) goes back to the queue after this
# many seconds (Redis transport's visibility timeout). It must exceed the longest count
# (CELERY_TASK_TIME_LIMIT); a shorter one delivers a long count twice, which the idempotent
# tasks tolerate but which wastes a worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": env.int("CHAMYEO_BROKER_VISIBILITY_TIMEOUT", default=3600),
}

# --- Auth: allauth with mandatory e-mail verification and MFA ---------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Chamyeo] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# Sign-up asks the consents of 개인정보 보호법 and does the same work for a registered address
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Stated (allauth's default): a registered and an unknown address get the same answers and one
# e-mail each ("account already exists" / "unknown account"), never a different page.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_RATE_LIMITS: dict[str, str] | Literal[False] = {
    # allauth's defaults, stated so they are visible and reviewed.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Chamyeo"
# Pages under these prefixes need MFA for staff and council members (accounts.middleware).
CHAMYEO_MFA_REQUIRED_PREFIXES = ["/admin/", "/staff/", "/council/"]
# Staff and council sessions end after this long without a request, and this long after login
# (accounts.session_limits); residents' sessions keep Django's default.
CHAMYEO_STAFF_SESSION_IDLE_SECONDS = env.int("CHAMYEO_STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
CHAMYEO_STAFF_SESSION_MAX_SECONDS = env.int(
    "CHAMYEO_STAFF_SESSION_MAX_SECONDS", default=12 * 60 * 60
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail -----------------------------------------------------------------------------------
# An empty EMAIL_URL counts as unset (production then refuses to start: it needs a mail server).
EMAIL_CONFIG = env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Chamyeo <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18N -------------------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "ko"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ko", "en")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
# collectstatic writes here; nginx (deploy/nginx/chamyeo.conf) or whitenoise serves it.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Front-end packages come from npm (package.json + lockfile), never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
]
# Uploads (proposal images, implementation photos) and the published downloads (CSV, JSON, .pb)
# go through STORAGES["default"], chosen by CHAMYEO_STORAGE: "file" (the default: MEDIA_ROOT on
# this machine, for the demo and a single node) or "s3" (an S3-compatible bucket shared by every
# node: MinIO, NCP Object Storage, NHN Cloud, AWS; core/storage_config.py reads the AWS_*
# variables). Either way every link is /media/<name>, answered by config.media.media_view, which
# checks who may see the file first (a draft's image is its author's alone).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
CHAMYEO_STORAGE = env("CHAMYEO_STORAGE", default="") or "file"
# S3: seconds a signed link to a public object stays valid (the media view redirects to one).
CHAMYEO_MEDIA_URL_EXPIRE = env.int("CHAMYEO_MEDIA_URL_EXPIRE", default=300)
# File backend: when set (e.g. /_media/), the media view answers public files with this nginx
# internal location in X-Accel-Redirect, and nginx sends the file instead of Python.
CHAMYEO_MEDIA_ACCEL_REDIRECT = env("CHAMYEO_MEDIA_ACCEL_REDIRECT", default="")
try:
    _default_storage, _media_origins = media_storage(os.environ)
except StorageConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Sessions live in the database (Django's default engine), not in Redis: a Redis outage must not
# log anybody out or stop a vote. Reading one by its primary key costs the ballot path about as
# much as reading it from Redis did (make bench-ballots: 412/s with db vs 388/s with cached_db).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# the site's own page for a failed CSRF check (Django's has an inline style the CSP blocks)
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
# the language cookie, like the session's: no script reads it, no other site sends it
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
_tiles = urlsplit(CHAMYEO_MAP_TILE_URL)
_map_tile_origin = f"{_tiles.scheme}://{_tiles.netloc}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", _map_tile_origin, *_media_origins],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- Open-data API ---------------------------------------------------------------------------
# Seconds a successful API answer is cached (per URL and language); 0 turns the cache off.
CHAMYEO_API_CACHE_SECONDS = env.int("CHAMYEO_API_CACHE_SECONDS", default=60)

# --- Operations: health, metrics, logs, error reports ----------------------------------------
# /metrics and the details of /health/ answer requests with "Authorization: Bearer <token>", or
# straight from these addresses (not through the proxy: core/ops.py).
CHAMYEO_OPS_TOKEN = env("CHAMYEO_OPS_TOKEN", default="")
CHAMYEO_OPS_IPS = env.list("CHAMYEO_OPS_IPS", default=["127.0.0.1", "::1"])

# --- Logging: never log what a person chose ---------------------------------------------------
# "plain" text, or "json": one object per line with the request id (production's default).
DJANGO_LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="plain")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.request_id.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": DJANGO_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Python's warnings (Django captures them) in the same format, not as bare stderr text
        "py.warnings": {"handlers": ["console"], "propagate": False},
    },
}

# Voting channels (channels app): phone verification by SMS, voting codes, kiosks.
PHONENUMBER_DEFAULT_REGION = "KR"
# Only numbers of these regions may receive a verification SMS (SMS pumping).
CHAMYEO_SMS_ALLOWED_REGIONS = env.list("CHAMYEO_SMS_ALLOWED_REGIONS", default=["KR"])
# Like EMAIL_BACKEND: channels.sms.ConsoleBackend (demo), LocmemBackend (tests), SolapiBackend.
CHAMYEO_SMS_BACKEND = env("CHAMYEO_SMS_BACKEND", default="channels.sms.ConsoleBackend")
CHAMYEO_SMS_SENDER = env("CHAMYEO_SMS_SENDER", default="")
SOLAPI_API_KEY = env("SOLAPI_API_KEY", default="")
SOLAPI_API_SECRET = env("SOLAPI_API_SECRET", default="")
CHAMYEO_SMS_CODE_LENGTH = 6
CHAMYEO_SMS_CODE_LIFETIME_SECONDS = 5 * 60
CHAMYEO_SMS_CODE_MAX_TRIES = 5
# Rate limits of verification SMS: at most this many per number and per IP address an hour.
CHAMYEO_SMS_PER_NUMBER_PER_HOUR = 5
CHAMYEO_SMS_PER_IP_PER_HOUR = 20
# A kiosk returns to its blank screen after this many seconds without input.
CHAMYEO_KIOSK_IDLE_SECONDS = 90
