"""Redis is the cache as well as the broker. While it is down, residents still log in and pages
that use the cache still answer: the cache misses instead of failing (core/cache.py)."""

import socket
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from config.settings.base import ACCOUNT_RATE_LIMITS
from tests.accounts.factories import PASSWORD
from tests.accounts.factories import ResidentProfileFactory

RESILIENT = "core.cache.ResilientRedisCache"


def _cache_at(location: str) -> dict:
    return {
        "default": {
            "BACKEND": RESILIENT,
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def _dead_redis() -> str:
    """A Redis URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_on_a_live_redis_the_cache_behaves_as_djangos():
    with override_settings(CACHES=_cache_at(settings.REDIS_URL)):
        cache = caches["default"]
        key = f"outage-test-{uuid.uuid4().hex}"  # a second suite beside this one shares Redis
        cache.delete(key)
        assert cache.add(key, [1, 2], 30) is True
        assert cache.add(key, [3], 30) is False
        assert cache.get(key) == [1, 2]
        cache.set(key, "again", 30)
        assert cache.get_many([key, "missing"]) == {key: "again"}
        assert cache.delete(key) is True
        assert cache.get(key, "default") == "default"


def test_while_redis_is_down_reads_miss_writes_are_skipped_and_add_refuses():
    with override_settings(CACHES=_cache_at(_dead_redis())):
        cache = caches["default"]
        cache.set("k", "v", 30)
        assert cache.get("k", "fallback") == "fallback"
        assert cache.get_many(["k"]) == {}
        assert cache.has_key("k") is False
        # add() guards once-only things (a used authenticator code): it fails closed
        assert cache.add("k", "v", 30) is False
        cache.delete("k")
        cache.delete_many(["k"])


@pytest.mark.django_db
def test_while_redis_is_down_logged_in_residents_browse_and_a_login_is_refused_clearly(
    client, district
):
    """Sessions are in PostgreSQL, so nobody is logged out. allauth's rate limits need a lock in
    the cache; without Redis it cannot take one and refuses the login with 429 and a message
    (fail closed, as allauth does when the lock is busy), never a server error."""
    resident = ResidentProfileFactory(district=district).user
    newcomer = ResidentProfileFactory(district=district).user
    client.force_login(resident)
    other = type(client)()

    with override_settings(
        CACHES=_cache_at(_dead_redis()), ACCOUNT_RATE_LIMITS=ACCOUNT_RATE_LIMITS
    ):
        home = client.get("/")
        api = client.get("/api/v1/cycles")
        login = other.post(
            reverse("account_login"),
            {"login": newcomer.email, "password": PASSWORD},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert home.status_code == 200
    assert client.session["_auth_user_id"] == str(resident.pk)
    assert api.status_code == 200
    assert login.status_code == 429
    assert "try again in a minute" in login.content.decode()
    assert "_auth_user_id" not in other.session
