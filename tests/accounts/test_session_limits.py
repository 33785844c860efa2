"""Staff and council sessions end after 30 minutes idle and 12 hours in all; residents' do not."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

pytestmark = pytest.mark.django_db

STAFF_PAGE = "/staff/residents/"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _logged_in(client, user, clock) -> None:
    client.force_login(user)  # Django's login(): the user_logged_in signal marks the session


def _page(client, path: str):
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en")


def _is_logged_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_staff_session_ends_after_30_minutes_without_activity(client, staff_user, clock):
    _logged_in(client, staff_user, clock)
    assert _page(client, STAFF_PAGE).status_code == 200
    for _ in range(4):  # active every 29 minutes: never ends
        clock.shift(timedelta(minutes=29))
        assert _page(client, STAFF_PAGE).status_code == 200
    clock.shift(timedelta(minutes=31))
    response = _page(client, STAFF_PAGE)
    assert _is_logged_out(response)
    assert response["Location"] == f"/accounts/login/?next={STAFF_PAGE}"  # and back after it
    follow = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "sessions end after 30 minutes without activity" in follow.content.decode()
    assert "_auth_user_id" not in client.session  # logged out, not only redirected
    assert _is_logged_out(_page(client, STAFF_PAGE))


def test_a_staff_session_lasts_12_hours_at_most_however_active(client, staff_user, clock):
    _logged_in(client, staff_user, clock)
    for _ in range(28):  # 28 x 25 minutes = 11 h 40 min, active all along
        clock.shift(timedelta(minutes=25))
        assert _page(client, STAFF_PAGE).status_code == 200
    clock.shift(timedelta(minutes=21))  # 12 h 1 min after logging in
    response = _page(client, STAFF_PAGE)
    assert _is_logged_out(response)
    follow = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "sessions last at most 12 hours" in follow.content.decode()


def test_the_limit_holds_on_public_pages_too(client, staff_user, clock):
    _logged_in(client, staff_user, clock)
    clock.shift(timedelta(minutes=31))
    assert _is_logged_out(_page(client, "/me/profile/"))
    assert "_auth_user_id" not in client.session


def test_a_council_members_session_is_limited_like_staff(client, council_member, clock):
    _logged_in(client, council_member, clock)
    assert _page(client, "/").status_code == 200
    clock.shift(timedelta(minutes=31))
    _page(client, "/")
    assert "_auth_user_id" not in client.session


def test_a_residents_session_is_unchanged(client, resident, clock):
    _logged_in(client, resident, clock)
    clock.shift(timedelta(hours=13))  # idle for longer than any staff limit
    response = _page(client, "/me/profile/")
    assert response.status_code == 200
    assert client.session["_auth_user_id"] == str(resident.pk)
