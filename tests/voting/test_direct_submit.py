"""The direct ballot submission (voting.middleware → submit_ballot_directly).

Every ballot POST goes through it first. It must store exactly what the full stack stores and
refuse exactly what the full stack refuses, with the real CSRF check and the real session."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.test import RequestFactory
from django.urls import reverse

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import Participation
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory
from voting.services.paper import enter_paper_ballot
from voting.views import get_session_voter
from voting.views import submit_ballot_directly

pytestmark = pytest.mark.django_db


def _url(name, scope):
    return reverse(f"voting:{name}", kwargs={"slug": scope.cycle.slug, "scope_pk": scope.pk})


def _browser(user) -> Client:
    """A client that enforces CSRF like a browser, logged in."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _form_token(client, scope) -> str:
    page = client.get(_url("ballot-form", scope)).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _stored(scope) -> set[int]:
    return set(
        BallotChoice.objects.filter(ballot__scope=scope).values_list("proposal_id", flat=True)
    )


def _direct(user, scope, data, *, session_client=None):
    """Call submit_ballot_directly with a request as the middleware sees it."""
    client = session_client or Client()
    if session_client is None:
        client.force_login(user)
    request = RequestFactory().post(_url("ballot-submit", scope), data)
    request.COOKIES.update({key: morsel.value for key, morsel in client.cookies.items()})
    request._dont_enforce_csrf_checks = True
    response = submit_ballot_directly(request, slug=scope.cycle.slug, scope_pk=scope.pk)
    return request, response


def test_a_ballot_posted_from_the_page_is_stored_by_the_direct_path(
    voting_cycle, resident, district_scope, district_projects
):
    a, b, c, _ = district_projects
    _request, response = _direct(resident, district_scope, {"proposals": [a.pk, b.pk]})
    assert response.status_code == 302
    assert response["Location"] == _url("ballot-receipt", district_scope)
    assert response["Content-Length"] == "0"
    assert _stored(district_scope) == {a.pk, b.pk}
    _request, response = _direct(resident, district_scope, {"proposals": [c.pk]})
    assert response.status_code == 302
    assert _stored(district_scope) == {c.pk}
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.BALLOT_CHANGED).count() == 1
    assert Participation.objects.get(user=resident).voted_at is not None


@pytest.mark.parametrize(
    ("_case", "data", "code"),
    [
        ("too many", "three", "too_many"),
        ("nothing chosen", "none", "empty"),
        ("not a number", "garbage", None),  # does not parse: the view re-shows the form
    ],
)
def test_the_direct_path_hands_what_it_does_not_store_to_the_view(
    _case, data, code, voting_cycle, resident, district_scope, district_projects
):
    choices = {
        "three": {"proposals": [p.pk for p in district_projects[:3]]},
        "none": {},
        "garbage": {"proposals": ["1; DROP TABLE"]},
    }[data]
    request, response = _direct(resident, district_scope, choices)
    assert response is None
    refusal = getattr(request, "ballot_refusal", None)
    assert (refusal.code if refusal else None) == code
    assert Ballot.objects.count() == 0


def test_csrf_is_checked_for_real(voting_cycle, resident, district_scope, district_projects):
    client = _browser(resident)
    choice = {"proposals": [district_projects[0].pk]}
    assert client.post(_url("ballot-submit", district_scope), choice).status_code == 403
    choice["csrfmiddlewaretoken"] = "x" * 64
    assert client.post(_url("ballot-submit", district_scope), choice).status_code == 403
    assert Ballot.objects.count() == 0
    choice["csrfmiddlewaretoken"] = _form_token(client, district_scope)
    response = client.post(_url("ballot-submit", district_scope), choice)
    assert response.status_code == 302
    assert Ballot.objects.count() == 1


def _post_from_the_page(user, scope, proposals, *, headers):
    """The ballot form's POST as a browser sends it (the page's CSRF token), with ``headers``."""
    client = _browser(user)
    token = _form_token(client, scope)
    return client.post(
        _url("ballot-submit", scope),
        {"proposals": [p.pk for p in proposals], "csrfmiddlewaretoken": token},
        headers=headers,
    )


def test_a_foreign_origin_is_refused(voting_cycle, resident, district_scope, district_projects):
    response = _post_from_the_page(
        resident, district_scope, district_projects[:1], headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert Ballot.objects.count() == 0


def test_anonymous_is_sent_to_log_in(client, voting_cycle, district_scope, district_projects):
    response = client.post(_url("ballot-submit", district_scope), {"proposals": [1]})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Ballot.objects.count() == 0


def test_a_logged_out_session_cannot_vote(
    voting_cycle, resident, district_scope, district_projects
):
    client = Client()
    client.force_login(resident)
    old_session = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    client.cookies["sessionid"] = old_session  # replayed after logging out
    response = client.post(
        _url("ballot-submit", district_scope), {"proposals": [district_projects[0].pk]}
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Ballot.objects.count() == 0


def test_changing_the_password_ends_other_sessions(
    voting_cycle, resident, district_scope, district_projects
):
    client = Client()
    client.force_login(resident)
    resident.set_password("a-new-password-1234")
    resident.save()
    response = client.post(
        _url("ballot-submit", district_scope), {"proposals": [district_projects[0].pk]}
    )
    assert "/accounts/login/" in response["Location"]
    assert Ballot.objects.count() == 0


def test_an_inactive_user_cannot_vote(voting_cycle, resident, district_scope, district_projects):
    client = Client()
    client.force_login(resident)
    resident.is_active = False
    resident.save()
    client.post(_url("ballot-submit", district_scope), {"proposals": [district_projects[0].pk]})
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(
    ("_case", "profile", "status"),
    [
        ("other district", {"other_district": True}, 403),
        ("unverified", {"verified_at": None}, 403),
        ("under age", {"birth_year": 2020}, 403),
        ("wrong relation", {"relation": "works"}, 403),
    ],
)
def test_ineligible_residents_are_refused_and_nothing_is_stored(
    _case, profile, status, cycle, district, other_district, district_scope, district_projects
):
    from tests.voting.factories import open_voting

    open_voting(cycle, rule="approval", requires_verification=True, workers_may_vote=False)
    home = other_district if profile.pop("other_district", False) else district
    voter = ResidentProfileFactory(district=home, **profile).user
    client = Client()
    client.force_login(voter)
    response = client.post(
        _url("ballot-submit", district_scope), {"proposals": [district_projects[0].pk]}
    )
    assert response.status_code == status
    assert (Ballot.objects.count(), Participation.objects.count()) == (0, 0)


def test_a_user_without_a_profile_is_asked_for_one(voting_cycle, district_scope, district_projects):
    client = Client()
    client.force_login(UserFactory())
    response = client.post(
        _url("ballot-submit", district_scope), {"proposals": [district_projects[0].pk]}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:profile"))
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(
    ("_case", "offset", "stored"),
    [("1 s before the deadline", -1, 1), ("1 s after", 1, 0)],
)
def test_deadline_through_the_page(
    _case, offset, stored, voting_cycle, resident, district_scope, district_projects
):
    client = Client()
    client.force_login(resident)
    with time_machine.travel(voting_cycle.voting_end_at + timedelta(seconds=offset), tick=False):
        response = client.post(
            _url("ballot-submit", district_scope), {"proposals": [district_projects[0].pk]}
        )
    assert response.status_code == (302 if stored else 403)
    assert Ballot.objects.count() == stored
    assert Participation.objects.filter(voted_at__isnull=False).count() == stored


def test_voting_closed_after_the_scope_was_read_is_refused_by_the_write(
    voting_cycle, resident, district_scope, district_projects
):
    """The scope is kept in memory for a moment; the write reads the deadline itself."""
    client = Client()
    client.force_login(resident)
    url = _url("ballot-submit", district_scope)
    assert client.post(url, {"proposals": [district_projects[0].pk]}).status_code == 302
    type(voting_cycle).objects.filter(pk=voting_cycle.pk).update(
        voting_end_at=voting_cycle.voting_start_at + timedelta(seconds=1)
    )
    response = client.post(url, {"proposals": [district_projects[1].pk]})
    assert response.status_code in (400, 403)
    assert _stored(district_scope) == {district_projects[0].pk}


def test_online_after_paper_is_refused_once_with_one_audit_event(
    voting_cycle, resident, staff_user, district_scope, district_projects
):
    enter_paper_ballot(
        staff=staff_user, voter=resident, scope=district_scope, choices={district_projects[0].pk: 1}
    )
    client = Client()
    client.force_login(resident)
    response = client.post(
        _url("ballot-submit", district_scope), {"proposals": [district_projects[1].pk]}
    )
    assert response.status_code == 400
    assert "A paper ballot was already cast" in response.content.decode()
    assert _stored(district_scope) == {district_projects[0].pk}
    conflicts = AuditEvent.objects.filter(event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT)
    assert conflicts.count() == 1  # the refusal is not computed twice


def test_invalid_ballot_through_the_page_keeps_the_choices(
    voting_cycle, resident, district_scope, district_projects
):
    client = Client()
    client.force_login(resident)
    chosen = [p.pk for p in district_projects[:3]]
    response = client.post(_url("ballot-submit", district_scope), {"proposals": chosen})
    assert response.status_code == 400
    content = response.content.decode()
    assert "you may choose at most 2 projects" in content
    for pk in chosen:
        assert re.search(rf'value="{pk}" id="choice-{pk}"[^>]*checked', content)
    assert Ballot.objects.count() == 0


def test_another_residents_session_votes_only_for_that_resident(
    voting_cycle, resident, district, district_scope, district_projects
):
    neighbour = ResidentProfileFactory(district=district).user
    client = Client()
    client.force_login(neighbour)
    client.post(_url("ballot-submit", district_scope), {"proposals": [district_projects[2].pk]})
    assert Participation.objects.get().user == neighbour
    assert not Participation.objects.filter(user=resident).exists()


def _unreachable_redis(settings):
    """Point the cache at a Redis port where nothing listens: Redis is down."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }


def test_residents_stay_logged_in_and_vote_while_the_cache_redis_is_down(
    settings, voting_cycle, resident, district_scope, district_projects
):
    """In production Redis is the cache as well as the broker. Sessions live in the database,
    so a Redis outage logs nobody out: the ballot page opens and the vote is stored."""
    a, b, _c, _d = district_projects
    client = _browser(resident)
    _unreachable_redis(settings)

    token = _form_token(client, district_scope)
    response = client.post(
        _url("ballot-submit", district_scope),
        {"proposals": [a.pk, b.pk], "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert response["Location"] == _url("ballot-receipt", district_scope)
    assert _stored(district_scope) == {a.pk, b.pk}
    assert client.get(_url("ballot-receipt", district_scope)).status_code == 200


def test_the_direct_answer_carries_the_full_stacks_headers(
    voting_cycle, resident, district_scope, district_projects
):
    """Django's own middleware objects answer the stored ballot: language, session, frame."""
    response = _post_from_the_page(
        resident, district_scope, district_projects[:1], headers={"Accept-Language": "ko"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("ballot-receipt", district_scope)
    assert response["Content-Language"] == "ko"
    assert {part.strip() for part in response["Vary"].split(",")} == {"Accept-Language", "Cookie"}
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Length"] == "0"
    assert "sessionid" not in response.cookies  # the session was read, not changed


def test_while_the_secret_key_is_rotated_the_full_stack_stores_and_rekeys_the_session(
    settings, voting_cycle, resident, district_scope, district_projects
):
    settings.SECRET_KEY = "the-old-secret-key-" * 3
    client = Client()
    client.force_login(resident)  # its session hash is signed with the old key
    old_session = client.cookies["sessionid"].value
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-key-" * 3
    request, response = _direct(
        resident, district_scope, {"proposals": [district_projects[0].pk]}, session_client=client
    )
    assert response is None  # Django's get_user would give the session a new key: not here
    assert not hasattr(request, "ballot_refusal")
    assert Session.objects.filter(session_key=old_session).exists()
    response = client.post(
        _url("ballot-submit", district_scope), {"proposals": [district_projects[1].pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("ballot-receipt", district_scope)
    assert _stored(district_scope) == {district_projects[1].pk}
    assert client.cookies["sessionid"].value != old_session  # re-keyed, still logged in
    assert client.get(_url("ballot-receipt", district_scope)).status_code == 200


def _login(user, backend="django.contrib.auth.backends.ModelBackend") -> str:
    client = Client()
    client.force_login(user, backend=backend)
    return client.cookies["sessionid"].value


def _edit_session(key, **changes):
    session = SessionStore(key)
    for name, value in changes.items():
        if value is None:
            del session[name]
        else:
            session[name] = value
    session.save()


SESSION_CASES = {
    # case: (what happens after logging in, whether Django's get_user finds the user)
    "logged in": (None, True),
    "logged in through allauth": (None, True),
    "no resident profile": (None, True),
    "logged out": (lambda user, key: SessionStore(key).flush(), False),
    "password changed": (
        lambda user, key: (user.set_password("another-one-1234"), user.save()),
        False,
    ),
    "inactive": (
        lambda user, key: type(user).objects.filter(pk=user.pk).update(is_active=False),
        False,
    ),
    "user deleted": (lambda user, key: user.delete(), False),
    "backend no longer configured": (
        lambda user, key: _edit_session(key, _auth_user_backend="gone.Backend"),
        False,
    ),
    "no session hash": (
        lambda user, key: _edit_session(key, _auth_user_hash=None),
        False,
    ),
    "hash of a fallback key": (None, True),
}


@pytest.mark.parametrize("case", list(SESSION_CASES))
def test_the_direct_path_finds_the_voter_django_finds_or_hands_on(case, settings):
    """get_session_voter answers as django.contrib.auth.get_user, or None (then the full stack
    runs get_user itself): never a user Django would not find."""
    change, django_finds_them = SESSION_CASES[case]
    user = UserFactory() if case == "no resident profile" else ResidentProfileFactory().user
    if case == "hash of a fallback key":
        settings.SECRET_KEY = "the-old-secret-key-" * 3
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    key = _login(user, backend) if case == "logged in through allauth" else _login(user)
    if case == "hash of a fallback key":
        settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
        settings.SECRET_KEY = "the-new-secret-key-" * 3
    if change is not None:
        change(user, key)

    ours = get_session_voter(SessionStore(key))
    request = RequestFactory().get("/")
    request.session = SessionStore(key)
    theirs = get_user(request)

    assert theirs.is_authenticated == django_finds_them
    if case == "hash of a fallback key":
        assert ours is None  # Django re-keys the session: the full stack does that
    elif django_finds_them:
        assert ours is not None
        assert (ours.pk, ours.email, ours.is_active) == (theirs.pk, theirs.email, theirs.is_active)
        assert hasattr(ours, "resident_profile") == hasattr(theirs, "resident_profile")
    else:
        assert ours is None


def test_a_control_character_in_a_ballot_post_is_refused_and_nothing_stored(
    voting_cycle, resident, district_scope, district_projects
):
    """The lean path runs ahead of ControlCharacterGuardMiddleware, so it hands such a POST on:
    the answer is the guard's 400, as for every other form, and no ballot is stored."""
    client = _browser(resident)
    data = {
        "proposals": [district_projects[0].pk],
        "csrfmiddlewaretoken": _form_token(client, district_scope),
        "note": "a\x00b",
    }
    response = client.post(_url("ballot-submit", district_scope), data)
    assert response.status_code == 400
    assert not Ballot.objects.exists()
    del data["note"]
    assert client.post(_url("ballot-submit", district_scope), data).status_code == 302
    assert _stored(district_scope) == {district_projects[0].pk}
