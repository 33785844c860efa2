"""Ballot pages through the Django test client: the resident's way through, and what others see."""

import re

import pytest
from django.urls import reverse

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import Participation
from tests.accounts.factories import ResidentProfileFactory
from tests.voting.factories import ballot_form_data

pytestmark = pytest.mark.django_db


def _url(name, scope, **extra):
    return reverse(
        f"voting:{name}", kwargs={"slug": scope.cycle.slug, "scope_pk": scope.pk, **extra}
    )


def _ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="choice-(\d+)"', response.content.decode())]


def test_ballot_page_lists_projects_in_a_seeded_order_per_voter(
    client, voting_cycle, resident, district, district_scope, district_projects
):
    client.force_login(resident)
    response = client.get(_url("ballot-form", district_scope))
    assert response.status_code == 200
    first_order = _ids(response)
    assert sorted(first_order) == sorted(p.pk for p in district_projects)
    assert _ids(client.get(_url("ballot-form", district_scope))) == first_order  # stable
    orders = {tuple(first_order)}
    for _ in range(6):
        other = ResidentProfileFactory(district=district).user
        client.force_login(other)
        orders.add(tuple(_ids(client.get(_url("ballot-form", district_scope)))))
    assert len(orders) > 1  # voters do not all see the same order
    content = response.content.decode()
    assert "₩120,000,000" in content  # reviewed cost, in English
    assert "부평대로 1" in content  # place
    assert reverse("proposals:proposal-detail", kwargs={"pk": district_projects[0].pk}) in content
    assert 'id="ballot-meter"' in content
    assert Participation.objects.get(user=resident).started_at is not None


def test_invalid_ballot_re_renders_with_a_message_and_keeps_the_choices(
    client, voting_cycle, resident, district_scope, district_projects
):
    client.force_login(resident)
    chosen = [p.pk for p in district_projects[:3]]
    response = client.post(_url("ballot-form", district_scope), {"proposals": chosen})
    assert response.status_code == 400
    content = response.content.decode()
    assert "you may choose at most 2 projects" in content
    for pk in chosen:
        assert re.search(rf'value="{pk}" id="choice-{pk}"[^>]*checked', content)
    assert "⚠" in content  # the server-rendered meter says it is over
    assert Ballot.objects.count() == 0


def test_confirm_submit_receipt_change_and_you_have_voted(
    client, voting_cycle, resident, district_scope, district_projects
):
    a, b, c, _ = district_projects
    client.force_login(resident)
    confirm = client.post(_url("ballot-form", district_scope), {"proposals": [a.pk, b.pk]})
    assert confirm.status_code == 200
    assert "Confirm your ballot" in confirm.content.decode()
    assert Ballot.objects.count() == 0  # nothing stored before submitting
    response = client.post(_url("ballot-submit", district_scope), {"proposals": [a.pk, b.pk]})
    assert response.status_code == 302
    assert response["Location"] == _url("ballot-receipt", district_scope)
    receipt_page = client.get(response["Location"]).content.decode()
    first_receipt = Participation.objects.get(user=resident).receipt
    assert first_receipt in receipt_page
    assert "You have voted" in receipt_page
    client.post(_url("ballot-submit", district_scope), {"proposals": [c.pk]})
    assert Ballot.objects.count() == 1
    assert Participation.objects.get(user=resident).receipt not in {None, first_receipt}
    assert set(BallotChoice.objects.values_list("proposal_id", flat=True)) == {c.pk}
    cycle_page = client.get(voting_cycle.get_absolute_url()).content.decode()
    assert "you have voted" in cycle_page
    form_page = client.get(_url("ballot-form", district_scope)).content.decode()
    assert re.search(rf'value="{c.pk}" id="choice-{c.pk}"[^>]*checked', form_page)


def test_back_from_confirmation_keeps_the_choices(
    client, voting_cycle, resident, district_scope, district_projects
):
    a = district_projects[0]
    client.force_login(resident)
    response = client.post(_url("ballot-form", district_scope), {"proposals": [a.pk], "back": "1"})
    assert response.status_code == 200
    assert re.search(rf'value="{a.pk}" id="choice-{a.pk}"[^>]*checked', response.content.decode())


def test_second_resident_never_sees_the_first_ones_ballot(
    client, voting_cycle, resident, district, district_scope, district_projects
):
    a = district_projects[0]
    client.force_login(resident)
    client.post(_url("ballot-submit", district_scope), {"proposals": [a.pk]})
    receipt = Participation.objects.get(user=resident).receipt
    neighbour = ResidentProfileFactory(district=district).user
    client.force_login(neighbour)
    for url in (
        _url("ballot-form", district_scope),
        _url("ballot-receipt", district_scope),
        _url("ballot-withdraw", district_scope),
        voting_cycle.get_absolute_url(),
    ):
        response = client.get(url, follow=True)
        content = response.content.decode()
        assert receipt not in content
        assert "checked" not in content
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    ("_case", "who", "status"),
    [
        ("anonymous goes to login", "anonymous", 302),
        ("other district", "other_district_resident", 403),
        ("unverified where verification is not required", "unverified_resident", 200),
    ],
)
@pytest.mark.parametrize("cycle_fixture", ["voting_cycle", "ranked_cycle"])
def test_who_may_open_the_ballot(
    _case, who, status, cycle_fixture, request, client, district_scope, district_projects
):
    request.getfixturevalue(cycle_fixture)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(_url("ballot-form", district_scope))
    assert response.status_code == status
    if status == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("cycle_fixture", ["voting_cycle", "ranked_cycle"])
def test_submitting_for_another_district_changes_nothing(
    cycle_fixture, request, client, other_district_resident, district_scope, district_projects
):
    rule = request.getfixturevalue(cycle_fixture).ballot_rule
    client.force_login(other_district_resident)
    response = client.post(
        _url("ballot-submit", district_scope),
        ballot_form_data(rule, {district_projects[0].pk: 1}),
    )
    assert response.status_code == 403
    assert (Ballot.objects.count(), Participation.objects.count()) == (0, 0)


def test_cumulative_and_knapsack_pages_show_their_meter(
    client, cumulative_cycle, resident, district_scope, district_projects
):
    client.force_login(resident)
    a, b, *_ = district_projects
    response = client.post(
        _url("ballot-form", district_scope), {f"points_{a.pk}": "3", f"points_{b.pk}": "3"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "you have 5 points to spread" in content
    assert f'name="points_{a.pk}" id="points-{a.pk}" value="3"' in content
    ok = client.post(
        _url("ballot-submit", district_scope), {f"points_{a.pk}": "3", f"points_{b.pk}": "2"}
    )
    assert ok.status_code == 302
    assert dict(BallotChoice.objects.values_list("proposal_id", "points")) == {a.pk: 3, b.pk: 2}


def test_withdraw_through_the_page(
    client, voting_cycle, resident, district_scope, district_projects
):
    client.force_login(resident)
    client.post(_url("ballot-submit", district_scope), {"proposals": [district_projects[0].pk]})
    response = client.post(_url("ballot-withdraw", district_scope))
    assert response.status_code == 302
    assert Ballot.objects.count() == 0


def test_turnout_is_public_and_shows_no_project_counts(
    client, voting_cycle, resident, district_scope, district_projects
):
    client.force_login(resident)
    client.post(_url("ballot-submit", district_scope), {"proposals": [district_projects[0].pk]})
    client.logout()
    content = client.get(voting_cycle.get_absolute_url()).content.decode()
    assert "Turnout" in content
    assert "1 person has voted so far." in content
    assert district_projects[0].title not in content


def test_staff_enter_a_paper_ballot_and_a_second_is_refused(
    client, voting_cycle, staff_user, resident, district_scope, district_projects
):
    client.force_login(staff_user)
    url = _url("staff-paper-ballot", district_scope)
    assert client.get(url).status_code == 200
    response = client.post(url, {"email": resident.email, "proposals": [district_projects[0].pk]})
    assert response.status_code == 302
    assert Participation.objects.get(user=resident).channel == "paper"
    again = client.post(url, {"email": resident.email, "proposals": [district_projects[1].pk]})
    assert again.status_code == 400
    assert "paper ballot was already cast" in again.content.decode()
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    ("_case", "who", "status"),
    [("resident", "resident", 403), ("staff without MFA", "staff_without_mfa", 302)],
)
def test_paper_ballot_page_is_for_staff_with_mfa(
    _case, who, status, request, client, voting_cycle, district_scope
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url("staff-paper-ballot", district_scope))
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize(
    ("_case", "data"),
    [
        ("not a number", {"proposals": ["abc"]}),
        ("unicode digit", {"proposals": ["²"]}),
        ("huge", {"proposals": ["9" * 40]}),
        ("nothing chosen", {}),
    ],
)
def test_garbage_ballots_are_refused_without_a_server_error(
    _case, data, client, voting_cycle, resident, district_scope, district_projects
):
    client.force_login(resident)
    response = client.post(_url("ballot-submit", district_scope), data)
    assert response.status_code == 400
    assert "Your ballot was not stored" in response.content.decode()
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize("value", ["-1", "²"])  # "²".isdigit(), but not a number
def test_garbage_points_on_a_cumulative_ballot_are_refused(
    value, client, cumulative_cycle, resident, district_scope, district_projects
):
    client.force_login(resident)
    response = client.post(
        _url("ballot-submit", district_scope), {f"points_{district_projects[0].pk}": value}
    )
    assert response.status_code == 400
    assert Ballot.objects.count() == 0


def test_staff_paper_ballot_index_lists_the_scopes(
    client, voting_cycle, staff_user, district_scope, citywide_scope
):
    client.force_login(staff_user)
    response = client.get(reverse("voting:staff-paper-ballots", kwargs={"slug": voting_cycle.slug}))
    assert response.status_code == 200
    content = response.content.decode()
    assert _url("staff-paper-ballot", district_scope) in content
    assert _url("staff-paper-ballot", citywide_scope) in content
