"""The direct path of a code ballot (channels.middleware → vote_with_code_directly) keeps what
protects the ballot POST: the real CSRF check (token and Origin) and the session's code."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from budgeting.models import Ballot
from channels.models import VotingCodeUse
from channels.services import create_code_batch
from channels.services import generate_code_batch
from channels.services import take_printable_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(voting_cycle, district_scope, staff_user) -> Client:
    """A client that enforces CSRF like a browser, with a code typed on /vote/code/."""
    batch = create_code_batch(
        cycle=voting_cycle, scopes=[district_scope], size=1, created_by=staff_user
    )
    generate_code_batch(batch_id=batch.pk)
    (code,) = take_printable_codes(batch=batch)
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("channels:code-start")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {"code": code, "csrfmiddlewaretoken": token}
    typed = client.post(reverse("channels:code-start"), data)
    assert typed.status_code == 302
    return client


def _ballot_url(scope):
    return reverse("channels:code-ballot", kwargs={"scope_pk": scope.pk})


def _form_token(client, scope) -> str:
    page = client.get(_ballot_url(scope)).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_csrf_is_checked_for_real(browser, district_scope, district_projects):
    choice = {"proposals": [district_projects[0].pk]}
    assert browser.post(_ballot_url(district_scope), choice).status_code == 403
    choice["csrfmiddlewaretoken"] = "x" * 64
    assert browser.post(_ballot_url(district_scope), choice).status_code == 403
    assert not Ballot.objects.exists()
    assert not VotingCodeUse.objects.exists()
    choice["csrfmiddlewaretoken"] = _form_token(browser, district_scope)
    stored = browser.post(_ballot_url(district_scope), choice)
    assert stored.status_code == 302
    assert stored["Location"] == reverse(
        "channels:code-receipt", kwargs={"scope_pk": district_scope.pk}
    )
    assert Ballot.objects.count() == 1


def test_a_foreign_origin_is_refused(browser, district_scope, district_projects):
    data = {
        "proposals": [district_projects[0].pk],
        "csrfmiddlewaretoken": _form_token(browser, district_scope),
    }
    response = browser.post(
        _ballot_url(district_scope), data, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_without_a_typed_code_nothing_is_stored(client, district_scope, district_projects):
    response = client.post(_ballot_url(district_scope), {"proposals": [district_projects[0].pk]})
    assert response.status_code == 404
    client.session.save()  # a session, but no code typed in it
    assert "sessionid" in client.cookies
    response = client.post(_ballot_url(district_scope), {"proposals": [district_projects[0].pk]})
    assert response.status_code == 404
    assert not Ballot.objects.exists()


def test_a_control_character_in_a_code_ballot_is_refused_and_the_code_kept(
    browser, district_scope, district_projects
):
    data = {
        "proposals": [district_projects[0].pk],
        "csrfmiddlewaretoken": _form_token(browser, district_scope),
        "note": "a\x00b",
    }
    assert browser.post(_ballot_url(district_scope), data).status_code == 400
    assert not Ballot.objects.exists()
    assert not VotingCodeUse.objects.exists()
    del data["note"]
    assert browser.post(_ballot_url(district_scope), data).status_code == 302
    assert Ballot.objects.count() == 1
