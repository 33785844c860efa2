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
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "CONTENT_SECURITY_POLICY",
    "CHAMYEO_STORAGE", "CHAMYEO_MEDIA_ACCEL_REDIRECT",
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
        and not name.startswith("AWS_")
        and not name.startswith("SOLAPI_")
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


def _test_database_url() -> str:
    """The test database (the script only reads it)."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


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
    assert values["CHAMYEO_STORAGE"] == "file"
    img_src = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert img_src == ["'self'", "data:", "https://tile.openstreetmap.org"]

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


SMS_BACKEND = "from django.conf import settings; print(settings.CHAMYEO_SMS_BACKEND)"


def test_without_an_sms_provider_production_offers_no_phone_verification():
    result = _run(SMS_BACKEND, _production_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "channels.sms.DisabledBackend"


@pytest.mark.parametrize("backend", ["channels.sms.ConsoleBackend", "channels.sms.LocmemBackend"])
def test_production_refuses_an_sms_backend_that_prints_the_codes(backend):
    """The demo's console backend writes every verification code into the log, where whoever
    reads it could verify someone else's phone and vote in their name."""
    result = _run(SMS_BACKEND, _production_env(CHAMYEO_SMS_BACKEND=backend))
    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert f"Production cannot send text messages with {backend}" in error


def test_production_needs_the_sms_providers_keys():
    solapi = "channels.sms.SolapiBackend"
    result = _run(SMS_BACKEND, _production_env(CHAMYEO_SMS_BACKEND=solapi, SOLAPI_API_KEY="k"))
    assert result.returncode != 0
    assert "needs SOLAPI_API_SECRET, CHAMYEO_SMS_SENDER" in result.stderr.strip().splitlines()[-1]

    result = _run(
        SMS_BACKEND,
        _production_env(
            CHAMYEO_SMS_BACKEND=solapi,
            SOLAPI_API_KEY="k",
            SOLAPI_API_SECRET="s",
            CHAMYEO_SMS_SENDER="0320000000",
        ),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == solapi


# The mark, not only django_db_setup: pytest-django creates the test database only for the
# databases that marked tests use, so this test alone (-k) would otherwise read DATABASE_URL's.
@pytest.mark.django_db
def test_with_redis_down_production_answers_the_api_and_refuses_a_login_with_429():
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


S3_VARIABLES = {
    "CHAMYEO_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "incheon-chamyeo-media",
    "AWS_S3_ENDPOINT_URL": "https://kr.object.ncloudstorage.com",
    "AWS_ACCESS_KEY_ID": "production-settings-test-key-id",
    "AWS_SECRET_ACCESS_KEY": "production-settings-test-secret",
}


def test_production_with_s3_keeps_every_file_in_one_private_bucket():
    result = _run(SETTINGS, _production_env(**S3_VARIABLES))
    assert result.returncode == 0, result.stderr[-3000:]
    values = json.loads(result.stdout)

    default = values["STORAGES"]["default"]
    assert default["BACKEND"] == "core.storage.S3MediaStorage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "incheon-chamyeo-media"
    assert options["endpoint_url"] == "https://kr.object.ncloudstorage.com"
    assert options["region_name"] == "ap-northeast-2"  # Seoul unless told otherwise
    assert options["access_key"] == "production-settings-test-key-id"
    assert options["secret_key"] == "production-settings-test-secret"
    # private objects, signed links that expire, nothing overwritten
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 300
    assert options["file_overwrite"] is False
    assert options["custom_domain"] is None
    # the media view redirects public images there: the CSP lets the browser follow
    img_src = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://kr.object.ncloudstorage.com" in img_src
    # static files stay with whitenoise
    assert values["STORAGES"]["staticfiles"] == {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }


def test_production_with_s3_and_a_custom_domain_sends_images_there():
    env = _production_env(**S3_VARIABLES, AWS_S3_CUSTOM_DOMAIN="media.budget.chamyeo.example")
    result = _run(SETTINGS, env)
    assert result.returncode == 0, result.stderr[-3000:]
    values = json.loads(result.stdout)

    assert values["STORAGES"]["default"]["OPTIONS"]["custom_domain"] == (
        "media.budget.chamyeo.example"
    )
    img_src = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://media.budget.chamyeo.example" in img_src


def test_production_with_s3_needs_a_bucket():
    result = _run(SETTINGS, _production_env(**{**S3_VARIABLES, "AWS_STORAGE_BUCKET_NAME": ""}))

    assert result.returncode != 0
    assert "needs AWS_STORAGE_BUCKET_NAME set in the environment" in result.stderr


def test_an_unknown_storage_is_refused():
    result = _run(SETTINGS, _production_env(CHAMYEO_STORAGE="nfs"))

    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert error == (
        "django.core.exceptions.ImproperlyConfigured: "
        "CHAMYEO_STORAGE must be one of file, s3, not 'nfs'."
    )


LOGS = """
import django
from django.test import Client

django.setup()
answer = Client().get(
    "/api/v1/cycles", secure=True, HTTP_X_REQUEST_ID="0f3c9a7e5b2d4c1a8e6f0a9b8c7d6e5f"
)
print(answer["X-Request-ID"])
"""


@pytest.mark.django_db
def test_production_logs_one_json_object_per_line_with_the_request_id():
    env = _production_env(DATABASE_URL=_test_database_url(), DJANGO_ALLOWED_HOSTS="testserver")
    result = _run(LOGS, env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "0f3c9a7e5b2d4c1a8e6f0a9b8c7d6e5f"

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    cache_lines = [line for line in lines if line["message"].startswith("cache unavailable")]
    assert cache_lines  # Redis is down: the cache said so, in JSON
    assert {line["request_id"] for line in cache_lines} == {"0f3c9a7e5b2d4c1a8e6f0a9b8c7d6e5f"}
    assert all(line["level"] == "WARNING" for line in cache_lines)
    assert "Traceback" in cache_lines[0]["exception"]
    # nothing on stderr that is not a JSON line (a traceback is inside its line)
    assert [line for line in result.stderr.splitlines() if not line.startswith("{")] == []


SENTRY = """
import json
import sys
import types

import django
import sentry_sdk
from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import path

django.setup()
client = sentry_sdk.get_client()
options = client.options
sent = []


class Capture(sentry_sdk.transport.Transport):
    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                sent.append(item.payload.json)


client.transport = Capture(options)


def ballot(request):
    choices = {"proposal": request.POST["proposal"]}  # a local the report must not carry
    raise RuntimeError(f"the ballot could not be stored ({len(choices)} choice)")


urls = types.ModuleType("failing_urls")
urls.urlpatterns = [path("ballot/", ballot)]
sys.modules["failing_urls"] = urls
with override_settings(ROOT_URLCONF="failing_urls"):
    answer = Client(raise_request_exception=False).post(
        "/ballot/",
        {"proposal": "secret-choice-4217"},
        secure=True,
        HTTP_COOKIE="sessionid=secret-session-cookie",
        HTTP_X_REQUEST_ID="5e1f0c2b9a8d7e6f5a4b3c2d1e0f9a8b",
    )
client.flush()
print(json.dumps({
    "status": answer.status_code,
    "send_default_pii": options["send_default_pii"],
    "include_local_variables": options["include_local_variables"],
    "max_request_body_size": options["max_request_body_size"],
    "before_send": f"{options['before_send'].__module__}.{options['before_send'].__name__}",
    "events": sent,
}))
"""


def test_without_sentry_dsn_nothing_is_reported():
    script = "import django, sentry_sdk; django.setup(); print(sentry_sdk.get_client().is_active())"
    result = _run(script, _production_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "False"


@pytest.mark.django_db
def test_sentry_reports_the_error_but_never_the_ballot_the_cookie_or_the_locals():
    env = _production_env(
        DATABASE_URL=_test_database_url(),
        SENTRY_DSN="https://0123456789abcdef@errors.chamyeo.invalid/7",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    result = _run(SENTRY, env)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout)

    assert outcome["status"] == 500
    assert outcome["send_default_pii"] is False
    assert outcome["include_local_variables"] is False
    assert outcome["max_request_body_size"] == "never"
    assert outcome["before_send"] == "core.sentry.scrub_event"
    (event,) = outcome["events"]
    assert event["exception"]["values"][0]["value"] == "the ballot could not be stored (1 choice)"
    assert event["transaction"] == "/ballot/"
    assert event["tags"]["request_id"] == "5e1f0c2b9a8d7e6f5a4b3c2d1e0f9a8b"
    report = json.dumps(event)
    assert "secret-choice-4217" not in report
    assert "secret-session-cookie" not in report
    assert "data" not in event["request"]
    assert "cookies" not in event["request"]
    assert "user" not in event
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)
