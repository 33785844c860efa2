import pytest

from budgeting.models import AuditEvent
from budgeting.phases import Phase
from budgeting.tasks import advance_due_phases_task
from config.settings.base import CELERY_BEAT_SCHEDULE
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import dates_for_phase

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_beat_schedules_the_phase_task_every_minute():
    entry = CELERY_BEAT_SCHEDULE["budgeting.advance-due-phases"]
    assert entry["task"] == advance_due_phases_task.name
    assert entry["schedule"] == 60.0


def test_worker_moves_due_cycles_and_a_second_delivery_changes_nothing(live_worker):
    cycle = BudgetCycleFactory(phase=Phase.PROPOSALS, **dates_for_phase(Phase.VOTING))
    BallotScopeFactory(cycle=cycle)

    assert advance_due_phases_task.delay().get(timeout=30) == 2
    assert advance_due_phases_task.delay().get(timeout=30) == 0

    cycle.refresh_from_db()
    assert cycle.phase == Phase.VOTING
    assert AuditEvent.objects.filter(cycle=cycle, event_type="phase_advanced").count() == 2
