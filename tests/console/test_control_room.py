"""The phase control room: every act writes its audit event with the office's reason; a refused
act changes nothing; closing a vote and publishing ask for the password again; the public
timeline shows what really happened, with the plan struck through."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.services.cycles import advance_phase
from console.control_services import ControlRefusedError
from console.control_services import change_deadline
from results.services.counting import tally_scope
from results.services.tallying import close_voting
from tests.accounts.factories import PASSWORD
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import REAUTHENTICATE
from tests.helpers import cycle_in_phase
from tests.helpers import reauthenticate
from tests.results.factories import cast_ballots
from tests.results.factories import make_scope

pytestmark = pytest.mark.django_db


def _act(client, cycle, action, **data):
    return client.post(
        reverse("console:control-action", kwargs={"slug": cycle.slug, "action": action}), data
    )


def _events(cycle):
    return list(AuditEvent.objects.filter(cycle=cycle).order_by("position"))


def _snapshot(cycle):
    cycle.refresh_from_db()
    return (
        cycle.phase,
        cycle.proposals_end_at,
        cycle.voting_start_at,
        cycle.voting_end_at,
        AuditEvent.objects.filter(cycle=cycle).count(),
    )


def test_every_step_from_draft_to_implementation_is_audited_with_its_reason(client, staff_user):
    cycle = BudgetCycleFactory(slug="console-run")
    cycle_in_phase(cycle, Phase.DRAFT)
    scope, _proposals = make_scope(cycle=cycle, budget_won=1_000_000, costs=[400_000, 300_000])
    client.force_login(staff_user)
    reauthenticate(client)
    expected = [
        Phase.PROPOSALS,
        Phase.REVIEW,
        Phase.VOTING,
        Phase.TALLYING,
        Phase.PUBLISHED,
        Phase.IMPLEMENTATION,
    ]
    for target in expected:
        if target == Phase.TALLYING:
            cast_ballots(scope=scope, ballots=[[_proposals[0]]])
        if target == Phase.PUBLISHED:  # the count runs in a worker; here in the test
            close_voting(cycle_id=cycle.pk)
            tally_scope(scope_id=scope.pk)
        page = client.get(
            reverse("console:control-action", kwargs={"slug": cycle.slug, "action": "next"})
        )
        assert page.status_code == 200
        response = _act(client, cycle, "next", reason=f"단계 {target.value}")
        assert response.status_code == 302, response.content.decode()[:3000]
        cycle.refresh_from_db()
        assert cycle.phase == target
        moved = AuditEvent.objects.filter(
            cycle=cycle, event_type=AuditEvent.Type.PHASE_ADVANCED, parameters__to_phase=target
        ).get()
        assert moved.reason == f"단계 {target.value}"
        assert moved.is_public
        assert moved.actor == staff_user
    published = AuditEvent.objects.get(cycle=cycle, event_type=AuditEvent.Type.RESULTS_PUBLISHED)
    assert published.reason == "단계 published"
    # the room shows the history with the reasons
    room = client.get(reverse("console:control", kwargs={"slug": cycle.slug}))
    assert "단계 tallying" in room.content.decode()


def test_closing_a_vote_early_asks_for_the_password_then_closes_with_the_reason(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.VOTING)
    BallotScopeFactory(cycle=cycle, district=None)
    planned_end = cycle.voting_end_at
    client.force_login(staff_user)

    asked = _act(client, cycle, "next", reason="태풍 예보로 조기 마감")

    assert asked.status_code == 302
    assert asked["Location"].startswith(REAUTHENTICATE)
    cycle.refresh_from_db()
    assert cycle.phase == Phase.VOTING  # nothing yet
    replayed = client.post(asked["Location"], {"password": PASSWORD})
    assert replayed.status_code == 302
    cycle.refresh_from_db()
    assert cycle.phase == Phase.TALLYING
    event = AuditEvent.objects.get(
        cycle=cycle, event_type=AuditEvent.Type.PHASE_ADVANCED, parameters__to_phase="tallying"
    )
    assert event.reason == "태풍 예보로 조기 마감"
    assert event.parameters["moved_dates"] == {"voting_end_at": planned_end.isoformat()}
    # The public timeline: the real close, the planned one struck through.
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert f'<del><time datetime="{timezone.localtime(planned_end).isoformat()}' in page


def test_a_step_without_a_reason_is_refused_and_changes_nothing(client, staff_user, cycle):
    BallotScopeFactory(cycle=cycle, district=None)
    client.force_login(staff_user)
    before = _snapshot(cycle)

    response = _act(client, cycle, "next", reason="   ")

    assert response.status_code == 400
    assert (
        "감사 기록" in response.content.decode()
    )  # "Write the reason: it is kept in the audit log."
    assert _snapshot(cycle) == before


def test_a_resident_cannot_act_and_nothing_changes(client, resident, cycle):
    BallotScopeFactory(cycle=cycle, district=None)
    client.force_login(resident)
    before = _snapshot(cycle)
    for action in ("next", "deadline", "reopen"):
        assert _act(client, cycle, action, reason="x", new_end="2030-01-01T09:00").status_code in (
            302,
            403,
        )
    assert _snapshot(cycle) == before


def test_opening_a_cycle_without_a_pot_is_refused(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.DRAFT)
    client.force_login(staff_user)
    before = _snapshot(cycle)
    response = _act(client, cycle, "next", reason="시작")
    assert response.status_code == 400
    assert _snapshot(cycle) == before


def test_the_voting_deadline_moves_later_with_an_audit_event(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.VOTING)
    scope, (a,) = make_scope(cycle=cycle, budget_won=1_000_000, costs=[100_000])
    cast_ballots(scope=scope, ballots=[[a]])
    client.force_login(staff_user)
    later = timezone.localtime(cycle.voting_end_at + timedelta(days=3)).replace(
        second=0, microsecond=0
    )

    response = _act(
        client,
        cycle,
        "deadline",
        new_end=later.strftime("%Y-%m-%dT%H:%M"),
        reason="참여 저조로 연장",
    )

    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.voting_end_at == later
    event = AuditEvent.objects.get(cycle=cycle, event_type=AuditEvent.Type.DEADLINE_CHANGED)
    assert (event.reason, event.is_public, event.parameters["votes_cast"]) == (
        "참여 저조로 연장",
        True,
        True,
    )


def test_once_votes_exist_the_deadline_cannot_move_earlier_and_nothing_changes(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.VOTING)
    scope, (a,) = make_scope(cycle=cycle, budget_won=1_000_000, costs=[100_000])
    cast_ballots(scope=scope, ballots=[[a]])
    client.force_login(staff_user)
    before = _snapshot(cycle)
    earlier = timezone.localtime(cycle.voting_end_at - timedelta(days=2))

    response = _act(
        client, cycle, "deadline", new_end=earlier.strftime("%Y-%m-%dT%H:%M"), reason="단축"
    )

    assert response.status_code == 400
    assert "조기" in response.content.decode()  # points to closing early instead
    assert _snapshot(cycle) == before


def test_without_votes_the_deadline_may_move_earlier(staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.VOTING)
    BallotScopeFactory(cycle=cycle, district=None)
    earlier = cycle.voting_end_at - timedelta(days=2)
    change_deadline(cycle=cycle, actor=staff_user, new_end=earlier, reason="일정 조정")
    cycle.refresh_from_db()
    assert cycle.voting_end_at == earlier


def test_a_deadline_in_the_past_is_refused(staff_user, cycle):
    before = _snapshot(cycle)
    with pytest.raises(ControlRefusedError):
        change_deadline(
            cycle=cycle,
            actor=staff_user,
            new_end=timezone.now() - timedelta(hours=1),
            reason="실수",
        )
    assert _snapshot(cycle) == before


def test_proposals_reopen_from_review_with_an_audit_event(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.REVIEW)
    BallotScopeFactory(cycle=cycle, district=None)
    client.force_login(staff_user)
    new_end = timezone.localtime(timezone.now() + timedelta(days=5)).replace(
        second=0, microsecond=0
    )

    response = _act(
        client, cycle, "reopen", new_end=new_end.strftime("%Y-%m-%dT%H:%M"), reason="접수 오류"
    )

    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.phase, cycle.proposals_end_at) == (Phase.PROPOSALS, new_end)
    event = AuditEvent.objects.get(cycle=cycle, event_type=AuditEvent.Type.PHASE_REOPENED)
    assert (event.reason, event.is_public) == ("접수 오류", True)


def test_reopening_outside_the_review_is_refused_and_changes_nothing(client, staff_user, cycle):
    client.force_login(staff_user)
    before = _snapshot(cycle)
    new_end = timezone.localtime(timezone.now() + timedelta(days=5))
    response = _act(
        client, cycle, "reopen", new_end=new_end.strftime("%Y-%m-%dT%H:%M"), reason="재개"
    )
    assert response.status_code == 400
    assert _snapshot(cycle) == before


def test_the_room_shows_the_schedules_automatic_moves(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.PROPOSALS)
    BallotScopeFactory(cycle=cycle, district=None)
    BudgetCycle.objects.filter(pk=cycle.pk).update(
        proposals_end_at=timezone.now() - timedelta(minutes=1)
    )
    cycle.refresh_from_db()
    advance_phase(cycle=cycle, to=Phase.REVIEW, by_schedule=True)
    client.force_login(staff_user)
    page = client.get(reverse("console:control", kwargs={"slug": cycle.slug})).content.decode()
    assert "자동" in page  # "automatic"
