"""One reminder a day before voting closes, to those who opened a ballot and did not vote."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from accounts.models import ResidentProfile
from budgeting.models import Participation
from notifications.services import send_pending_messages
from tests.voting.factories import make_residents
from voting.services.ballots import start_ballot
from voting.services.ballots import submit_ballot
from voting.services.reminders import send_voting_reminders

pytestmark = pytest.mark.django_db


def test_reminder_goes_once_to_who_started_but_did_not_vote(
    voting_cycle, district, district_scope, district_projects
):
    started, voted, opted_out, never_opened = make_residents(district, 4)
    for voter in (started, voted, opted_out):
        start_ballot(voter=voter, scope=district_scope)
    submit_ballot(voter=voted, scope=district_scope, choices={district_projects[0].pk: 1})
    ResidentProfile.objects.filter(user=opted_out).update(voting_reminders=False)
    send_pending_messages()  # the receipt of the one who voted
    mail.outbox.clear()

    two_days_before = voting_cycle.voting_end_at - timedelta(days=2)
    with time_machine.travel(two_days_before, tick=False):
        assert send_voting_reminders() == 0  # too early
    a_day_before = voting_cycle.voting_end_at - timedelta(hours=23)
    with time_machine.travel(a_day_before, tick=False):
        assert send_voting_reminders() == 1
        assert send_voting_reminders() == 0  # sent once
    send_pending_messages()
    assert [m.to for m in mail.outbox] == [[started.email]]
    body = mail.outbox[0].body  # in the resident's language (Korean by default)
    assert f"/cycles/{voting_cycle.slug}/ballots/{district_scope.pk}/" in body
    assert Participation.objects.get(user=started).reminder_sent_at is not None
    assert never_opened.participations.count() == 0


def test_no_reminder_after_voting_closed(voting_cycle, resident, district_scope):
    start_ballot(voter=resident, scope=district_scope)
    with time_machine.travel(voting_cycle.voting_end_at + timedelta(minutes=1), tick=False):
        assert send_voting_reminders() == 0


def test_resident_turns_reminders_off_on_the_profile_page(client, resident, district):
    client.force_login(resident)
    response = client.post(
        "/me/profile/",
        {
            "display_name": "이주민",
            "district": district.pk,
            "birth_year": 1985,
            "relation": "lives",
            "preferred_language": "ko",
        },
    )
    assert response.status_code == 302
    assert ResidentProfile.objects.get(user=resident).voting_reminders is False
    client.post(
        "/me/profile/",
        {
            "display_name": "이주민",
            "district": district.pk,
            "birth_year": 1985,
            "relation": "lives",
            "preferred_language": "ko",
            "voting_reminders": "on",
        },
    )
    assert ResidentProfile.objects.get(user=resident).voting_reminders is True
