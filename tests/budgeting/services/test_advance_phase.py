import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from budgeting.exceptions import PhaseTransitionError
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.services.cycles import advance_due_phases
from budgeting.services.cycles import advance_phase
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import dates_for_phase

pytestmark = pytest.mark.django_db


def _cycle(phase: Phase, dates_of: Phase) -> BudgetCycle:
    """A cycle stored in ``phase`` whose dates say it should be in ``dates_of``."""
    cycle = BudgetCycleFactory(phase=phase, **dates_for_phase(dates_of))
    BallotScopeFactory(cycle=cycle)
    return cycle


def _phase_events(cycle):
    return list(
        AuditEvent.objects.filter(cycle=cycle, event_type=AuditEvent.Type.PHASE_ADVANCED)
        .order_by("pk")
        .values_list("parameters__from_phase", "parameters__to_phase")
    )


@pytest.mark.parametrize(
    ("stored", "dates_of"),
    [
        (Phase.DRAFT, Phase.PROPOSALS),
        (Phase.PROPOSALS, Phase.REVIEW),
        (Phase.REVIEW, Phase.VOTING),
        (Phase.VOTING, Phase.TALLYING),
    ],
)
def test_each_phase_moves_when_its_date_comes(stored, dates_of):
    cycle = _cycle(stored, dates_of)
    assert advance_due_phases() == 1
    cycle.refresh_from_db()
    assert cycle.phase == dates_of
    assert _phase_events(cycle) == [(stored.value, dates_of.value)]
    event = AuditEvent.objects.get(cycle=cycle)
    assert event.is_public is True
    assert event.actor is None
    assert event.parameters["by_schedule"] is True


def test_nothing_moves_before_its_date():
    cycle = _cycle(Phase.PROPOSALS, Phase.PROPOSALS)
    assert advance_due_phases() == 0
    cycle.refresh_from_db()
    assert cycle.phase == Phase.PROPOSALS
    assert _phase_events(cycle) == []


def test_a_second_run_changes_nothing():
    cycle = _cycle(Phase.REVIEW, Phase.VOTING)
    assert advance_due_phases() == 1
    assert advance_due_phases() == 0
    assert _phase_events(cycle) == [("review", "voting")]


def test_a_missed_schedule_catches_up_one_audited_step_at_a_time():
    cycle = _cycle(Phase.DRAFT, Phase.VOTING)
    assert advance_due_phases() == 3
    cycle.refresh_from_db()
    assert cycle.phase == Phase.VOTING
    assert _phase_events(cycle) == [
        ("draft", "proposals"),
        ("proposals", "review"),
        ("review", "voting"),
    ]


def test_dates_never_publish_results():
    cycle = _cycle(Phase.TALLYING, Phase.PUBLISHED)
    assert advance_due_phases() == 0
    cycle.refresh_from_db()
    assert cycle.phase == Phase.TALLYING


def test_a_draft_without_any_ballot_scope_does_not_open():
    cycle = BudgetCycleFactory(phase=Phase.DRAFT, **dates_for_phase(Phase.PROPOSALS))
    assert advance_due_phases() == 0
    cycle.refresh_from_db()
    assert cycle.phase == Phase.DRAFT


def test_admin_advances_by_hand_and_the_date_moves_to_now(staff_user):
    cycle = _cycle(Phase.PROPOSALS, Phase.PROPOSALS)
    before = timezone.now()
    assert advance_phase(cycle=cycle, to=Phase.REVIEW, actor=staff_user, reason="Enough proposals")
    cycle.refresh_from_db()
    assert cycle.phase == Phase.REVIEW
    assert before <= cycle.proposals_end_at <= timezone.now()
    event = AuditEvent.objects.get(cycle=cycle)
    assert (event.actor, event.reason, event.parameters["by_schedule"]) == (
        staff_user,
        "Enough proposals",
        False,
    )
    # the dates now agree with the phase, so the schedule leaves it there
    assert advance_due_phases() == 0


def test_admin_cannot_skip_a_phase(staff_user):
    cycle = _cycle(Phase.PROPOSALS, Phase.PROPOSALS)
    with pytest.raises(PhaseTransitionError):
        advance_phase(cycle=cycle, to=Phase.VOTING, actor=staff_user)
    cycle.refresh_from_db()
    assert cycle.phase == Phase.PROPOSALS
    assert _phase_events(cycle) == []


def test_admin_can_publish_and_move_to_implementation_by_hand(staff_user):
    cycle = _cycle(Phase.TALLYING, Phase.TALLYING)
    assert advance_phase(cycle=cycle, to=Phase.PUBLISHED, actor=staff_user)
    assert advance_phase(cycle=cycle, to=Phase.IMPLEMENTATION, actor=staff_user)
    assert _phase_events(cycle) == [("tallying", "published"), ("published", "implementation")]


def test_advancing_to_where_the_cycle_already_is_changes_nothing(staff_user):
    cycle = _cycle(Phase.VOTING, Phase.VOTING)
    assert advance_phase(cycle=cycle, to=Phase.VOTING, actor=staff_user) is False
    assert advance_phase(cycle=cycle, to=Phase.REVIEW, actor=staff_user) is False
    assert _phase_events(cycle) == []


def test_a_stale_copy_loses_the_compare_and_set(staff_user):
    cycle = _cycle(Phase.REVIEW, Phase.REVIEW)
    stale = BudgetCycle.objects.get(pk=cycle.pk)
    assert advance_phase(cycle=cycle, to=Phase.VOTING, actor=staff_user) is True
    assert advance_phase(cycle=stale, to=Phase.VOTING, actor=staff_user) is False
    assert _phase_events(cycle) == [("review", "voting")]


def test_date_order_is_enforced_by_the_database():
    from django.db import IntegrityError

    start = timezone.now()
    with pytest.raises(IntegrityError):
        BudgetCycleFactory(
            proposals_start_at=start,
            proposals_end_at=start + timedelta(days=10),
            voting_start_at=start + timedelta(days=5),  # before proposals end
            voting_end_at=start + timedelta(days=20),
        )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_schedule_runs_make_each_change_once():
    cycle = _cycle(Phase.DRAFT, Phase.VOTING)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(advance_due_phases())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 3
    cycle.refresh_from_db()
    assert cycle.phase == Phase.VOTING
    assert _phase_events(cycle) == [
        ("draft", "proposals"),
        ("proposals", "review"),
        ("review", "voting"),
    ]
