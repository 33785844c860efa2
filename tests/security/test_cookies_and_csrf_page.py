"""Issue #16 finding 8: the language cookie is Secure (production) and SameSite; a failed CSRF
check shows the site's own page, which the strict CSP does not break."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.config.test_production_settings import _production_env

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

SET_LANGUAGE = """
import json
import django
django.setup()
from django.test import Client
response = Client().post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
cookie = response.cookies["django_language"]
print(json.dumps({
    "status": response.status_code,
    "secure": bool(cookie["secure"]),
    "samesite": cookie["samesite"],
    "httponly": bool(cookie["httponly"]),
}))
"""


def test_production_sends_the_language_cookie_secure_samesite_and_httponly(django_db_setup):
    db = connection.settings_dict
    env = _production_env(
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", SET_LANGUAGE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout) == {
        "status": 302,
        "secure": True,
        "samesite": "Lax",
        "httponly": True,
    }


@pytest.mark.parametrize(
    ("language", "text"), [("ko", "양식의 유효 시간이 지났습니다"), ("en", "The form has expired")]
)
def test_a_failed_csrf_check_shows_the_sites_page_without_inline_style(resident, language, text):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    client.cookies["django_language"] = language

    response = client.post(reverse("accounts:profile"), {"display_name": "x"})

    assert response.status_code == 403
    page = response.content.decode()
    assert text in page
    assert "bootstrap.min.css" in page  # the site's layout
    # nothing the CSP (style-src 'self', script-src 'self') would block
    assert re.search(r"<style|style=|<script(?![^>]*\bsrc=)", page) is None
    assert "default-src 'self'" in response["Content-Security-Policy"]
