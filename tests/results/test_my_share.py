""" "How my share was spent": a voter's own Equal Shares account, and nobody else's.

The election (``counted_election``): budget 1,000,000원, 10 ballots, so a share of 100,000원.
A 600,000 / B 400,000 / C 300,000 / D 500,000. Ballots 6×{A,B}, 3×{C}, 1×{D}. MES buys B
(the six {A,B} voters pay 66,666⅔ each), then C (the three {C} voters pay 100,000 each); the
{A,B} voters keep 33,333⅓ each, 200,000 together, less than A's 600,000; D's one voter holds
100,000, less than 500,000. Add1 stops at once (neither A nor D fits the 300,000 left).

Here one {A,B} ballot and one {C} ballot belong to two residents (keyed by their voter keys);
the other eight are anonymous.
"""

import json

import pytest
from django.apps import apps
from django.urls import reverse

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import ExportFile
from budgeting.phases import Phase
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from tests.accounts.factories import ResidentProfileFactory
from tests.helpers import cycle_in_phase
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope
from voting.shared import voter_key


def _own_ballot(user, scope, proposals):
    ballot = Ballot.objects.create(
        voter_key=voter_key(user_id=user.pk, scope_id=scope.pk), scope=scope
    )
    BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, proposal=p) for p in proposals)


@pytest.fixture
def election(db, district):
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")
    scope, (a, b, c, d) = make_scope(
        cycle=cycle, budget_won=1_000_000, costs=[600_000, 400_000, 300_000, 500_000]
    )
    ab_voter = ResidentProfileFactory(district=district, display_name="에이비").user
    c_voter = ResidentProfileFactory(district=district, display_name="씨").user
    _own_ballot(ab_voter, scope, [a, b])
    _own_ballot(c_voter, scope, [c])
    cast_ballots(scope=scope, ballots=[[a, b]] * 5 + [[c]] * 2 + [[d]])
    return {"cycle": cycle, "scope": scope, "ab_voter": ab_voter, "c_voter": c_voter}


def _count(e):
    tally_scope(scope_id=e["scope"].pk)


def _publish(e, staff_user):
    _count(e)
    publish_results(cycle_id=e["cycle"].pk, actor=staff_user)
    for export in ExportFile.objects.all():
        build_export_file(export_file_id=export.pk)


def _url(e):
    return reverse("results:my-share", kwargs={"slug": e["cycle"].slug, "scope_pk": e["scope"].pk})


def _get(client, user, e, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(_url(e))


@pytest.mark.django_db
def test_voter_sees_their_share_what_it_paid_and_why_a_choice_was_not_funded(
    client, election, staff_user
):
    _publish(election, staff_user)

    response = _get(client, election["ab_voter"], election)
    page = response.content.decode()

    assert response.status_code == 200
    assert '<p class="fs-4 mb-1" id="my-share-amount">₩100,000</p>' in page
    paid = page.split('id="share-paid"')[1].split("</ul>")[0]
    assert "사업 2 공원 정비" in paid  # B
    assert "₩66,667" in paid  # 400,000 / 6, rounded to the won
    assert "사업 1 공원 정비" not in paid  # A was not bought
    others = page.split('id="share-others"')[1].split("</ul>")[0]
    assert "사업 1 공원 정비" in others
    assert "had ₩200,000 left of their shares together, less than its cost of ₩600,000" in others
    assert "You had ₩33,333 left at the end." in others
    assert "사업 3 공원 정비" not in page  # C and D were not on this voter's ballot
    assert "사업 4 공원 정비" not in page
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_voter_who_paid_all_they_had_sees_it_in_korean(client, election, staff_user):
    _publish(election, staff_user)

    page = _get(client, election["c_voter"], election, language="ko").content.decode()

    assert '<p class="fs-4 mb-1" id="my-share-amount">100,000원</p>' in page
    paid = page.split('id="share-paid"')[1].split("</ul>")[0]
    assert "사업 3 공원 정비" in paid
    assert "100,000원" in paid
    assert "사업 1 공원 정비" not in page
    assert "66,667" not in page  # another voter's payment


@pytest.mark.django_db
def test_another_resident_and_staff_see_only_their_own(client, election, staff_user, resident):
    _publish(election, staff_user)

    for user in (resident, staff_user):  # neither voted on this scope
        response = _get(client, user, election)
        page = response.content.decode()
        assert response.status_code == 200
        assert "You have no ballot on this ballot scope" in page
        assert "66,667" not in page
        assert "33,333" not in page
        assert 'id="share-paid"' not in page
    # The page takes no parameter that could name another voter.
    client.force_login(staff_user)
    response = client.get(_url(election), {"user": election["ab_voter"].pk, "voter_key": "x"})
    assert "66,667" not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, election, staff_user):
    _publish(election, staff_user)

    response = client.get(_url(election))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_nothing_before_publication(client, election):
    _count(election)  # counted, not published

    response = _get(client, election["ab_voter"], election)

    assert response.status_code in (403, 404)
    assert "66,667" not in response.content.decode()


@pytest.mark.django_db
def test_not_for_a_greedy_count(client, district, staff_user):
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="greedy")
    scope, (a,) = make_scope(cycle=cycle, budget_won=100, costs=[50], district_slug="g2")
    voter = ResidentProfileFactory(district=district).user
    _own_ballot(voter, scope, [a])
    e = {"cycle": cycle, "scope": scope}
    _publish(e, staff_user)

    assert _get(client, voter, e).status_code == 404


@pytest.mark.django_db
def test_opening_the_page_stores_nothing(client, election, staff_user):
    _publish(election, staff_user)
    client.force_login(election["ab_voter"])
    client.get(_url(election))  # the session exists now
    models = [m for m in apps.get_models() if m._meta.managed]
    before = {m._meta.label: m._default_manager.count() for m in models}

    assert client.get(_url(election)).status_code == 200

    after = {m._meta.label: m._default_manager.count() for m in models}
    assert after == before


@pytest.mark.django_db
def test_the_open_data_api_has_no_voter_share(client, election, staff_user):
    _publish(election, staff_user)
    client.force_login(election["ab_voter"])  # logged in: the API still shows only public data

    schema = client.get("/api/v1/openapi.json").json()
    text = json.dumps(schema).lower()
    assert "my-share" not in text
    assert "payment" not in text
    assert not [path for path in schema["paths"] if "share" in path]
    results = client.get("/api/v1/results", {"cycle": election["cycle"].slug}).json()
    for result in results["items"]:
        body = client.get(f"/api/v1/results/{result['id']}/allocations").content.decode()
        assert "66666" not in body
        assert "33333" not in body


@pytest.mark.django_db
def test_results_page_links_to_it_for_an_equal_shares_count(client, election, staff_user):
    _publish(election, staff_user)
    cycle_in_phase(election["cycle"], Phase.PUBLISHED)
    url = reverse(
        "results:results-scope",
        kwargs={"slug": election["cycle"].slug, "scope_pk": election["scope"].pk},
    )
    client.cookies["django_language"] = "en"

    anonymous = client.get(url).content.decode()
    client.force_login(election["ab_voter"])
    logged_in = client.get(url).content.decode()

    assert "Log in to see how your share was spent" in anonymous
    assert f'href="{_url(election)}"' in logged_in
