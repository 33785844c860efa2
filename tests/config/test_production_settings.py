"""config.settings.production, loaded as gunicorn loads it: in a fresh interpreter, from the
environment only. The services are base.py's (one declaration); production requires them, turns
DEBUG off and HTTPS on. Nothing here talks to the machine's Redis: REDIS_URL names a port where
nothing listens."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_VARIABLES = (
    "DJANGO_SECRET_KEY",
    "CHAMYEO_VOTER_KEY_SECRET",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
)

SETTINGS = """
import json
from django.conf import settings
from django.core.cache import caches

cache = caches["default"]
names = [
    "DEBUG", "ALLOWED_HOSTS", "SESSION_ENGINE", "STORAGES", "CACHES", "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER", "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "ACCOUNT_DEFAULT_HTTP_PROTOCOL",
    "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
]
values = {name: getattr(settings, name) for name in names}
values["DATABASE"] = settings.DATABASES["default"]
values["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
values["cache_class"] = f"{type(cache).__module__}.{type(cache).__qualname__}"
print(json.dumps(values))
"""

# collectstatic is a deployment step and a checkout has no manifest, so only here the pages load
# their static files through Django's plain storage; everything else is production's.
OUTAGE = """
import json
import django
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

django.setup()
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
    client = Client(raise_request_exception=False)
    api = client.get("/api/v1/cycles", secure=True)
    login = client.post(
        reverse("account_login"),
        {"login": "resident@chamyeo.example", "password": "a-password-never-checked"},
        secure=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
print(json.dumps({
    "cache": settings.CACHES["default"]["LOCATION"],
    "api": api.status_code,
    "api_body": api.json() if api.status_code == 200 else None,
    "login": login.status_code,
    "login_page": login.content.decode(),
}))
"""


def _dead_redis() -> str:
    """A Redis URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def _production_env(**variables: str) -> dict:
    """The parent's environment without any setting of ours, plus production's variables."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "CHAMYEO_"))
        and name not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL"}
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "production-settings-test-" + "k" * 50,
        "CHAMYEO_VOTER_KEY_SECRET": "production-settings-test-voter-key",
        "DJANGO_ALLOWED_HOSTS": "budget.chamyeo.example",
        # never connected to while the settings load
        "DATABASE_URL": "postgres://chamyeo@db.chamyeo.invalid:5432/chamyeo",
        "REDIS_URL": _dead_redis(),
        "EMAIL_URL": "smtp+tls://mailer:mail-password@smtp.chamyeo.invalid:587",
        **variables,
    }


def _run(script: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_uses_the_resilient_cache_database_sessions_and_https():
    env = _production_env(DJANGO_DEBUG="True", DJANGO_MEDIA_ROOT="/srv/chamyeo/media")
    result = _run(SETTINGS, env)
    assert result.returncode == 0, result.stderr[-3000:]
    values = json.loads(result.stdout)

    # the services, as base.py declares them
    assert values["CACHES"]["default"]["BACKEND"] == "core.cache.ResilientRedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == env["REDIS_URL"]
    assert values["cache_class"] == "core.cache.ResilientRedisCache"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["DATABASE"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["DATABASE"]["HOST"] == "db.chamyeo.invalid"
    assert values["DATABASE"]["ATOMIC_REQUESTS"] is True
    assert values["DATABASE"]["CONN_MAX_AGE"] == 60
    assert values["CELERY_BROKER_URL"] == values["CELERY_RESULT_BACKEND"] == env["REDIS_URL"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    # README: static files served by whitenoise after collectstatic, uploads in DJANGO_MEDIA_ROOT
    assert values["STORAGES"] == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    assert values["MEDIA_ROOT"] == "/srv/chamyeo/media"

    # DEBUG is off whatever DJANGO_DEBUG says; HTTPS everywhere
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["budget.chamyeo.example"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


@pytest.mark.parametrize("variable", REQUIRED_VARIABLES)
def test_production_refuses_to_start_without_a_required_variable(variable):
    # Empty rather than unset, so that a developer's .env cannot fill it in; empty counts as
    # missing all the same.
    result = _run(SETTINGS, _production_env(**{variable: ""}))

    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("django.core.exceptions.ImproperlyConfigured: Production needs ")
    assert f"needs {variable} set in the environment" in error


@pytest.mark.parametrize(
    "email_url", ["consolemail://", "filemail:///tmp/chamyeo-mail", "memorymail://", "dummymail://"]
)
def test_production_refuses_to_start_with_a_mail_backend_that_keeps_mail_locally(email_url):
    """The console backend printed every receipt e-mail (recipient and code) into the worker's
    log: production refuses it, and every other backend that keeps mail on the machine."""
    result = _run(SETTINGS, _production_env(EMAIL_URL=email_url))

    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert "Production needs a mail server in EMAIL_URL" in error


def test_production_starts_with_an_smtp_server():
    script = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_HOST)"
    result = _run(script, _production_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.chamyeo.invalid",
    ]


def test_with_redis_down_production_answers_the_api_and_refuses_a_login_with_429(
    django_db_setup,
):
    """README (Voting): while Redis is down the cache misses, the open-data API answers, and a
    login is refused with a clear 429 page (allauth cannot take its rate-limit lock), never a
    server error. The script runs on the test database, which it only reads."""
    db = connection.settings_dict
    env = _production_env(
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    result = _run(OUTAGE, env)
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout)

    assert answers["cache"] == env["REDIS_URL"]
    assert answers["api"] == 200
    assert "count" in answers["api_body"]
    assert answers["login"] == 429
    assert "try again in a minute" in answers["login_page"]
    # the cache said why in the log
    assert "cache unavailable" in result.stderr
