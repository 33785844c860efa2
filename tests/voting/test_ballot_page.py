"""The one ballot page: every pot a resident may vote in (city, tracks, gu, dong), each with its
own limit and server-rendered meter, and what is left to vote on."""

import re

import pytest
from django.urls import reverse

from budgeting.eligibility import Ineligibility
from budgeting.selectors import get_ineligibility
from budgeting.selectors import list_ballot_scopes_for_resident
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import DistrictFactory
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot
from voting.services.ballots import submit_ballot
from voting.shared import BallotRefusedError

pytestmark = pytest.mark.django_db


@pytest.fixture
def pots(cycle, district):
    """A Seoul-style cycle: free city pot (k=3), youth track (19-39, k=1), the gu, a dong of
    it (k=2) and another dong."""
    open_voting(cycle, rule="approval", approval_min_choices=1, approval_max_choices=3)
    dong = DistrictFactory(slug="bupyeong-1-dong", name_en="Bupyeong 1-dong", parent=district)
    other_dong = DistrictFactory(slug="bupyeong-2-dong", name_en="Bupyeong 2-dong", parent=district)
    scopes = {
        "city": BallotScopeFactory(cycle=cycle, district=None, budget_won=900_000_000),
        "youth": BallotScopeFactory(
            cycle=cycle,
            district=None,
            track_slug="youth",
            track_name_en="Youth",
            track_name_ko="청년",
            minimum_age=19,
            maximum_age=39,
            max_choices=1,
            budget_won=300_000_000,
        ),
        "gu": BallotScopeFactory(cycle=cycle, district=district, budget_won=500_000_000),
        "dong": BallotScopeFactory(
            cycle=cycle, district=dong, max_choices=2, budget_won=90_000_000
        ),
        "other_dong": BallotScopeFactory(cycle=cycle, district=other_dong, budget_won=90_000_000),
    }
    projects = {name: put_on_ballot(scope, [10_000_000] * 3) for name, scope in scopes.items()}
    return scopes, projects, dong


def _resident(cycle, district, age):
    year = cycle.age_counted_on.year - age
    return ResidentProfileFactory(district=district, birth_year=year).user


def _page(client, cycle):
    return client.get(reverse("voting:ballot-page", kwargs={"slug": cycle.slug}))


def _section(content: str, scope) -> str:
    return content.split(f'id="pot-{scope.pk}"', 1)[1].split("</section>", 1)[0]


def test_a_young_dong_resident_sees_every_pot_they_may_vote_in_on_one_page(client, cycle, pots):
    scopes, _projects, dong = pots
    client.force_login(_resident(cycle, dong, 30))
    response = _page(client, cycle)
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("city", "youth", "gu", "dong"):
        assert f'id="pot-{scopes[name].pk}"' in content
        # each pot posts to its own ballot, with its own meter
        assert f'id="ballot-meter-{scopes[name].pk}"' in content
    assert f'id="pot-{scopes["other_dong"].pk}"' not in content
    # each pot's own limit
    assert "Choose between 1 and 3 projects." in _section(content, scopes["city"])
    assert "Choose between 1 and 1 projects." in _section(content, scopes["youth"])
    assert "Choose between 1 and 2 projects." in _section(content, scopes["dong"])
    assert "Open to residents aged 19 to 39." in _section(content, scopes["youth"])
    assert "Themed track" in _section(content, scopes["youth"])
    assert "Dong (neighbourhood)" in _section(content, scopes["dong"])
    assert "Gu (district)" in _section(content, scopes["gu"])
    left = content.split('id="left-to-vote"', 1)[1].split("</section>", 1)[0]
    assert "You have not voted in 4 pots yet" in left


def test_an_older_resident_does_not_see_the_youth_track_and_may_not_vote_in_it(
    client, cycle, district, pots
):
    scopes, projects, _dong = pots
    older = _resident(cycle, district, 40)
    client.force_login(older)
    content = _page(client, cycle).content.decode()
    assert f'id="pot-{scopes["youth"].pk}"' not in content
    assert f'id="pot-{scopes["gu"].pk}"' in content  # a gu resident: no dong pot
    assert f'id="pot-{scopes["dong"].pk}"' not in content
    assert get_ineligibility(user=older, scope=scopes["youth"]) == Ineligibility.TRACK_AGE
    with pytest.raises(BallotRefusedError) as refused:
        submit_ballot(voter=older, scope=scopes["youth"], choices={projects["youth"][0].pk: 1})
    assert refused.value.code == "ineligible_track_age"
    assert "another age group" in refused.value.message


def test_the_gu_pot_is_open_to_its_dongs_and_a_dong_pot_only_to_its_own(cycle, district, pots):
    scopes, _projects, dong = pots
    in_dong = _resident(cycle, dong, 50)
    in_gu = _resident(cycle, district, 50)
    elsewhere = _resident(cycle, DistrictFactory(slug="yeonsu-gu"), 50)
    names = {scope.pk: name for name, scope in scopes.items()}

    def pots_of(user):
        return {names[s.pk] for s in list_ballot_scopes_for_resident(user=user, cycle=cycle)}

    assert pots_of(in_dong) == {"city", "gu", "dong"}
    assert pots_of(in_gu) == {"city", "gu"}
    assert pots_of(elsewhere) == {"city"}


def test_each_pot_keeps_its_own_limit_when_choices_are_reviewed(client, cycle, pots):
    scopes, projects, dong = pots
    client.force_login(_resident(cycle, dong, 30))
    two_youth = [p.pk for p in projects["youth"][:2]]
    response = client.post(
        reverse("voting:ballot-form", kwargs={"slug": cycle.slug, "scope_pk": scopes["youth"].pk}),
        {"proposals": two_youth},
    )
    assert response.status_code == 400
    assert "you may choose at most 1 project" in response.content.decode()
    three_city = [p.pk for p in projects["city"]]
    response = client.post(
        reverse("voting:ballot-form", kwargs={"slug": cycle.slug, "scope_pk": scopes["city"].pk}),
        {"proposals": three_city},
    )
    assert response.status_code == 200  # the confirmation page: 3 is the city pot's limit
    with pytest.raises(BallotRefusedError):
        submit_ballot(
            voter=_resident(cycle, dong, 31),
            scope=scopes["dong"],
            choices={p.pk: 1 for p in projects["dong"]},
        )


def test_after_voting_in_a_pot_the_page_shows_it_voted_and_what_is_left(client, cycle, pots):
    scopes, projects, dong = pots
    voter = _resident(cycle, dong, 30)
    submit_ballot(voter=voter, scope=scopes["dong"], choices={projects["dong"][0].pk: 1})
    client.force_login(voter)
    content = _page(client, cycle).content.decode()
    dong_section = _section(content, scopes["dong"])
    assert "You have voted in this pot." in dong_section
    # the meter is rendered by the server (it works without JavaScript): 1 of 2 chosen
    assert re.search(r"data-meter-used>1<", dong_section)
    assert re.search(r"data-meter-allowed>2<", dong_section)
    assert re.search(rf'value="{projects["dong"][0].pk}" id="choice-\d+"[^>]*checked', dong_section)
    left = content.split('id="left-to-vote"', 1)[1].split("</section>", 1)[0]
    assert "You have not voted in 3 pots yet" in left
    assert f'href="#pot-{scopes["dong"].pk}"' not in left
    assert f'href="#pot-{scopes["city"].pk}"' in left


def test_the_ballot_page_is_closed_outside_voting_and_to_anonymous_visitors(client, cycle, pots):
    _scopes, _projects, dong = pots
    response = _page(client, cycle)
    assert response.status_code == 302  # log in first
    client.force_login(_resident(cycle, dong, 30))
    type(cycle).objects.filter(pk=cycle.pk).update(phase="tallying")
    assert _page(client, cycle).status_code == 403
