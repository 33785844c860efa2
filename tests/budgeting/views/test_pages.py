"""Who may open which page: anonymous, unverified, resident, council member, staff."""

import pytest
from django.urls import reverse

from budgeting.phases import Phase
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous_user", "unverified_resident", "resident", "council_member", "staff_user"]


def _client_for(client, request, actor):
    user = request.getfixturevalue(actor)
    if user.is_authenticated:
        client.force_login(user)
    return client


# page, expected status per actor (anonymous is redirected to log in: 302)
MATRIX = [
    (
        "home",
        {
            "anonymous_user": 200,
            "unverified_resident": 200,
            "resident": 200,
            "council_member": 200,
            "staff_user": 200,
        },
    ),
    (
        "cycle",
        {
            "anonymous_user": 200,
            "unverified_resident": 200,
            "resident": 200,
            "council_member": 200,
            "staff_user": 200,
        },
    ),
    (
        # a cycle in preparation is not found (not "forbidden") for anyone but staff with TOTP
        "draft_cycle",
        {
            "anonymous_user": 404,
            "unverified_resident": 404,
            "resident": 404,
            "council_member": 404,
            "staff_user": 200,
        },
    ),
    (
        "dashboard",
        {
            "anonymous_user": 302,
            "unverified_resident": 200,
            "resident": 200,
            "council_member": 200,
            "staff_user": 200,
        },
    ),
    (
        "profile",
        {
            "anonymous_user": 302,
            "unverified_resident": 200,
            "resident": 200,
            "council_member": 200,
            "staff_user": 200,
        },
    ),
    (
        "staff_residents",
        {
            "anonymous_user": 302,
            "unverified_resident": 403,
            "resident": 403,
            "council_member": 403,
            "staff_user": 200,
        },
    ),
    (
        "staff_csv",
        {
            "anonymous_user": 302,
            "unverified_resident": 403,
            "resident": 403,
            "council_member": 403,
            "staff_user": 200,
        },
    ),
    (
        "admin",
        {
            "anonymous_user": 302,
            "unverified_resident": 302,
            "resident": 302,
            "council_member": 302,
            "staff_user": 200,
        },
    ),
]


@pytest.fixture
def urls(cycle, district_scope):
    from tests.budgeting.factories import BudgetCycleFactory

    draft = BudgetCycleFactory(phase=Phase.DRAFT)
    return {
        "home": reverse("home"),
        "cycle": cycle.get_absolute_url(),
        "draft_cycle": draft.get_absolute_url(),
        "dashboard": reverse("accounts:dashboard"),
        "profile": reverse("accounts:profile"),
        "staff_residents": reverse("accounts:staff-residents"),
        "staff_csv": reverse("accounts:staff-residents-csv"),
        "admin": reverse("admin:index"),
    }


@pytest.mark.parametrize(("page", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
@pytest.mark.parametrize("actor", ACTORS)
def test_page_permissions(client, request, urls, page, expected, actor):
    response = _client_for(client, request, actor).get(urls[page])
    assert response.status_code == expected[actor]


def test_non_staff_admin_visit_never_shows_the_admin(client, resident):
    client.force_login(resident)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_cycle_page_shows_timeline_budgets_and_public_record(
    client, cycle, district_scope, citywide_scope, staff_user
):
    from budgeting.services.cycles import advance_phase

    cycle_in_phase(cycle, Phase.PROPOSALS)
    advance_phase(cycle=cycle, to=Phase.REVIEW, actor=staff_user, reason="심사를 시작합니다")
    response = client.get(cycle.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko")
    body = response.content.decode()
    assert response.status_code == 200
    assert "1,300,000,000원" in body  # total of both scopes
    assert "300,000,000원" in body
    assert "심사를 시작합니다" in body
    assert 'aria-current="step"' in body
    assert '<html lang="ko">' in body


def test_english_page_formats_won_with_the_sign(client, cycle, district_scope):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(cycle.get_absolute_url()).content.decode()
    assert "₩300,000,000" in body
    assert '<html lang="en">' in body


def test_voting_resident_sees_their_ballots(
    client, cycle, district_scope, citywide_scope, resident, other_district_resident
):
    cycle_in_phase(cycle, Phase.VOTING)
    client.force_login(resident)
    response = client.get(cycle.get_absolute_url())
    assert _ballot_links(response, cycle) == {district_scope.pk, citywide_scope.pk}
    client.force_login(other_district_resident)
    response = client.get(cycle.get_absolute_url())
    assert _ballot_links(response, cycle) == {citywide_scope.pk}


def _ballot_links(response, cycle) -> set[int]:
    """The ballots the page offers to vote on (links to their ballot forms)."""
    import re

    pattern = rf'href="/cycles/{cycle.slug}/ballots/(\d+)/"'
    return {int(pk) for pk in re.findall(pattern, response.content.decode())}
