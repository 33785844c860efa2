"""Ballots at an office: identified by census/ID reference, recorded with office and officer,
and only by an officer posted at that office."""

import pytest
from django.core.exceptions import PermissionDenied

from budgeting.models import Ballot
from budgeting.models import Participation
from channels.models import OfficeParticipation
from channels.selectors import count_turnout_by_channel
from channels.selectors import count_turnout_by_office
from channels.services import cast_office_ballot
from channels.services import census_person_key
from voting.services.ballots import submit_ballot
from voting.shared import BallotRefusedError

pytestmark = pytest.mark.django_db


def test_a_census_reference_votes_once_whatever_the_office_writes(
    voting_cycle, district_scope, district_projects, office, officer
):
    person = census_person_key("900101-1234567")
    choice = {district_projects[0].pk: 1}
    cast_office_ballot(
        officer=officer,
        office=office,
        person=person,
        scope=district_scope,
        choices=choice,
        channel=Participation.Channel.PAPER,
    )
    with pytest.raises(BallotRefusedError) as refused:  # the same reference typed differently
        cast_office_ballot(
            officer=officer,
            office=office,
            person=census_person_key("900101 1234567"),
            scope=district_scope,
            choices=choice,
            channel=Participation.Channel.KIOSK,
        )
    assert refused.value.code == "already_voted"
    record = OfficeParticipation.objects.get()
    assert (record.office, record.officer) == (office, officer)
    assert record.participation.user is None
    assert record.participation.channel == "paper"


def test_officer_is_scoped_to_their_office(
    voting_cycle, district_scope, district_projects, other_office, officer
):
    with pytest.raises(PermissionDenied):
        cast_office_ballot(
            officer=officer,
            office=other_office,
            person=census_person_key("A1234567"),
            scope=district_scope,
            choices={district_projects[0].pk: 1},
            channel=Participation.Channel.PAPER,
        )
    assert not Ballot.objects.exists()


def test_turnout_counts_voters_by_channel_and_office(
    resident, voting_cycle, district_scope, district_projects, office, officer
):
    choice = {district_projects[0].pk: 1}
    submit_ballot(voter=resident, scope=district_scope, choices=choice)
    for ref, channel in [("A1000001", "kiosk"), ("A1000002", "paper"), ("A1000003", "paper")]:
        cast_office_ballot(
            officer=officer,
            office=office,
            person=census_person_key(ref),
            scope=district_scope,
            choices=choice,
            channel=channel,
        )
    assert count_turnout_by_channel(scope=district_scope) == {
        "online": 1,
        "phone": 0,
        "code": 0,
        "kiosk": 1,
        "paper": 2,
    }
    assert count_turnout_by_office(scope=district_scope) == [("Demo-gu Office", 3)]


def test_the_turnout_api_counts_people_without_accounts_by_channel_and_office(
    client, resident, voting_cycle, district_scope, district_projects, office, officer
):
    choice = {district_projects[0].pk: 1}
    submit_ballot(voter=resident, scope=district_scope, choices=choice)
    for ref in ("B2000001", "B2000002"):
        cast_office_ballot(
            officer=officer,
            office=office,
            person=census_person_key(ref),
            scope=district_scope,
            choices=choice,
            channel="kiosk",
        )
    turnout = client.get(f"/api/v1/cycles/{voting_cycle.slug}/turnout").json()
    assert turnout["total_voters"] == 3  # two residents without accounts are two people
    assert {"label": "Kiosk at a district office", "voters": 2} in turnout["per_channel"]
    assert turnout["per_office"] == [{"label": "Demo-gu Office", "voters": 2}]
