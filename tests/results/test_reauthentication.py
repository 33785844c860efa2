"""The gravest staff acts ask for the password again (allauth's re-authentication), then go on:
publishing results (the count page) and closing a vote early or publishing (the console's
control room)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from budgeting.phases import Phase
from results.services.counting import tally_scope
from tests.accounts.factories import PASSWORD
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import REAUTHENTICATE
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db


def _reauthenticate(client, response):
    """Follow allauth's re-authentication page: the password again; the act is replayed."""
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)
    assert client.get(response["Location"]).status_code == 200
    return client.post(response["Location"], {"password": PASSWORD})


def test_publishing_results_asks_for_the_password_again_then_publishes(
    client, counted_election, staff_user
):
    e = counted_election
    tally_scope(scope_id=e["scope"].pk)
    client.force_login(staff_user)
    url = reverse("results:staff-tally", kwargs={"slug": e["cycle"].slug})

    asked = client.post(url, {"action": "publish"})

    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.TALLYING  # nothing yet
    replayed = _reauthenticate(client, asked)
    assert replayed.status_code == 302
    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.PUBLISHED


def test_a_wrong_password_publishes_nothing(client, counted_election, staff_user):
    e = counted_election
    tally_scope(scope_id=e["scope"].pk)
    client.force_login(staff_user)
    url = reverse("results:staff-tally", kwargs={"slug": e["cycle"].slug})
    asked = client.post(url, {"action": "publish"})
    wrong = client.post(asked["Location"], {"password": "not-the-password"})
    assert wrong.status_code == 200  # the form again, with its error
    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.TALLYING


def _next_step(cycle):
    return reverse("console:control-action", kwargs={"slug": cycle.slug, "action": "next"})


def test_closing_a_vote_early_in_the_console_asks_again_and_5_minutes_later_again(
    client, cycle, staff_user
):
    voting = cycle_in_phase(cycle, Phase.VOTING)
    client.force_login(staff_user)
    data = {"reason": "조기 마감"}

    asked = client.post(_next_step(voting), data)
    voting.refresh_from_db()
    assert voting.phase == Phase.VOTING
    _reauthenticate(client, asked)
    voting.refresh_from_db()
    assert voting.phase == Phase.TALLYING  # closed early, after the password

    # within allauth's 5 minutes no second prompt; after them, the password again
    second = cycle_in_phase(BudgetCycleFactory(), Phase.VOTING)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        asked_again = client.post(_next_step(second), data)
    assert asked_again["Location"].startswith(REAUTHENTICATE)
    second.refresh_from_db()
    assert second.phase == Phase.VOTING


def test_a_step_that_neither_closes_nor_publishes_needs_no_password(client, cycle, staff_user):
    proposals = cycle_in_phase(cycle, Phase.PROPOSALS)
    client.force_login(staff_user)
    response = client.post(_next_step(proposals), {"reason": "접수 마감"})
    assert not response["Location"].startswith(REAUTHENTICATE)
    proposals.refresh_from_db()
    assert proposals.phase == Phase.REVIEW
