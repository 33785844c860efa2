"""Themed tracks for proposers: the form offers only the pots a resident may propose in, and a
proposal for a track outside their age group is refused with the text kept."""

import pytest
from django.urls import reverse

from proposals.models import Proposal
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import BallotScopeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def youth_track(cycle):
    return BallotScopeFactory(
        cycle=cycle,
        district=None,
        track_slug="youth",
        track_name_ko="청년",
        track_name_en="Youth",
        minimum_age=19,
        maximum_age=39,
        budget_won=1_000_000_000,
    )


def _resident_aged(age, *, cycle, district):
    return ResidentProfileFactory(
        district=district, birth_year=cycle.age_counted_on.year - age
    ).user


def _scope_options(response) -> str:
    return response.content.decode().split('name="scope"', 1)[1].split("</select>", 1)[0]


@pytest.mark.parametrize(("age", "offered"), [(19, True), (39, True), (18, False), (40, False)])
def test_the_form_offers_the_youth_track_only_to_residents_aged_19_to_39(
    client, cycle, district, district_scope, policy_area, youth_track, age, offered
):
    client.force_login(_resident_aged(age, cycle=cycle, district=district))
    response = client.get(reverse("proposals:proposal-create", kwargs={"slug": cycle.slug}))
    options = _scope_options(response)
    assert (f'value="{youth_track.pk}"' in options) is offered
    assert f'value="{district_scope.pk}"' in options  # their own district, at any age


def test_a_proposal_for_a_track_outside_ones_age_group_is_refused_and_kept_on_the_page(
    client, cycle, district, policy_area, youth_track, proposal_form_data
):
    client.force_login(_resident_aged(50, cycle=cycle, district=district))
    data = {**proposal_form_data, "scope": str(youth_track.pk)}
    response = client.post(reverse("proposals:proposal-create", kwargs={"slug": cycle.slug}), data)
    assert response.status_code in (200, 400)
    assert not Proposal.objects.filter(scope=youth_track).exists()
    assert data["title"] in response.content.decode()  # nothing the person wrote is lost


def test_a_young_resident_proposes_in_the_youth_track(
    client, cycle, district, policy_area, youth_track, proposal_form_data
):
    client.force_login(_resident_aged(25, cycle=cycle, district=district))
    data = {**proposal_form_data, "scope": str(youth_track.pk)}
    response = client.post(reverse("proposals:proposal-create", kwargs={"slug": cycle.slug}), data)
    assert response.status_code == 302
    assert Proposal.objects.get(title=data["title"]).scope == youth_track
