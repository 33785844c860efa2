"""Beat's close_due_voting, and the console's next step from counting to results."""

import pytest
from django.urls import reverse
from django.utils import timezone

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.phases import Phase
from results.services.counting import tally_scope
from results.services.tallying import close_due_voting
from tests.helpers import reauthenticate
from tests.results.factories import make_cycle
from tests.results.factories import make_scope


@pytest.mark.django_db
def test_close_due_voting_asks_only_for_scopes_without_a_count(
    counted_election, django_capture_on_commit_callbacks
):
    counting = counted_election["cycle"]
    later = make_cycle(phase=Phase.VOTING)  # deadline ahead: left alone
    make_scope(cycle=later, budget_won=100, costs=[50], district_slug="later")
    past_deadline = make_cycle(phase=Phase.VOTING)
    BudgetCycle.objects.filter(pk=past_deadline.pk).update(
        voting_end_at=timezone.now() - timezone.timedelta(seconds=5)
    )
    past_scope, _ = make_scope(
        cycle=past_deadline, budget_won=100, costs=[50], district_slug="past"
    )

    with django_capture_on_commit_callbacks():
        asked = close_due_voting()

    assert asked == 2  # the counting cycle's scope and the cycle whose deadline passed
    past_deadline.refresh_from_db()
    later.refresh_from_db()
    assert (past_deadline.phase, later.phase) == (Phase.TALLYING, Phase.VOTING)
    tally_scope(scope_id=counted_election["scope"].pk)
    tally_scope(scope_id=past_scope.pk)
    with django_capture_on_commit_callbacks():
        assert close_due_voting() == 0  # both counted: nothing to ask
    assert counting.audit_events.filter(event_type=AuditEvent.Type.VOTING_CLOSED).count() == 1


def _next_step(cycle):
    return reverse("console:control-action", kwargs={"slug": cycle.slug, "action": "next"})


@pytest.mark.django_db
def test_the_console_step_from_counting_publishes_through_publish_results(
    client, counted_election, staff_user
):
    e = counted_election
    tally_scope(scope_id=e["scope"].pk)
    client.force_login(staff_user)
    reauthenticate(client)  # publishing asks for the password again

    response = client.post(_next_step(e["cycle"]), {"reason": "집계 확인 후 공개"})

    assert response.status_code == 302
    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.PUBLISHED
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.RESULTS_PUBLISHED).count() == 1
    assert ExportFile.objects.count() == 3


@pytest.mark.django_db
def test_the_console_step_before_counting_is_refused_with_a_message(
    client, counted_election, staff_user
):
    e = counted_election
    client.force_login(staff_user)
    reauthenticate(client)
    client.cookies["django_language"] = "en"

    response = client.post(_next_step(e["cycle"]), {"reason": "공개"})

    assert "These ballots are not counted yet" in response.content.decode()
    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.TALLYING
