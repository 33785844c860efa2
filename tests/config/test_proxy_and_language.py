"""Behind nginx (deploy/nginx/chamyeo.conf): allauth's rate limits count the client's address
from X-Forwarded-For, as many proxies deep as production is told; the language switch needs no
CSRF token, so a public page sets no cookie and nginx may cache it for anonymous visitors."""

import pytest
from django.test import Client
from django.test import override_settings

from tests.config.test_production_settings import _production_env
from tests.config.test_production_settings import _run

PROXY_COUNT = """
import json
from allauth import app_settings
from django.conf import settings
from django.test import RequestFactory
from allauth.core.internal.httpkit import get_client_ip
request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
                               REMOTE_ADDR="127.0.0.1")
print(json.dumps([settings.ALLAUTH_TRUSTED_PROXY_COUNT, get_client_ip(request)]))
"""


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, [1, "198.51.100.7"]),  # nginx alone: the address nginx wrote
        ({"CHAMYEO_TRUSTED_PROXY_COUNT": "2"}, [2, "203.0.113.9"]),  # a load balancer in front
        ({"CHAMYEO_TRUSTED_PROXY_COUNT": "0"}, [0, "127.0.0.1"]),  # no proxy: the socket
    ],
)
def test_production_takes_the_client_address_as_many_proxies_deep_as_configured(
    variables, expected
):
    result = _run("import django\ndjango.setup()\n" + PROXY_COUNT, _production_env(**variables))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == str(expected).replace("'", '"')


@pytest.mark.django_db
def test_the_language_switch_works_without_a_csrf_token_and_public_pages_set_no_cookie(cycle):
    browser = Client(enforce_csrf_checks=True)
    with override_settings(CSRF_COOKIE_SECURE=False):
        page = browser.get(f"/cycles/{cycle.slug}/proposals/")
        assert page.status_code == 200
        assert "csrfmiddlewaretoken" not in page.content.decode()
        assert "csrftoken" not in page.cookies
        switched = browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    assert switched.cookies["django_language"].value == "en"
    assert '<html lang="en"' in browser.get("/").content.decode()
