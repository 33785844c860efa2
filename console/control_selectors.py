"""Reads of the control room: a cycle's phase history (by hand and on schedule)."""

from datetime import datetime

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle

HISTORY_EVENTS = (
    AuditEvent.Type.CYCLE_CREATED,
    AuditEvent.Type.CYCLE_CLONED,
    AuditEvent.Type.PHASE_ADVANCED,
    AuditEvent.Type.PHASE_REOPENED,
    AuditEvent.Type.DEADLINE_CHANGED,
    AuditEvent.Type.VOTING_CLOSED,
    AuditEvent.Type.TALLY_FAILED,
    AuditEvent.Type.RESULTS_PUBLISHED,
)


def list_phase_history(*, cycle: BudgetCycle, limit: int = 40) -> list[AuditEvent]:
    """The cycle's phase changes, deadlines and closings, newest first; ``parameters.by_schedule``
    marks the beat's automatic moves. A moved deadline carries its new date as ``new_deadline``."""
    events = list(
        AuditEvent.objects.filter(cycle=cycle, event_type__in=HISTORY_EVENTS)
        .select_related("actor")
        .order_by("-position", "-pk")[:limit]
    )
    for event in events:
        new = (event.parameters or {}).get("new")
        event.new_deadline = datetime.fromisoformat(new) if new else None
    return events
