"""Counting: close voting at the deadline, tally every scope, keep the runs idempotent.

A tally is a pure function of the anonymised ballots (``budgeting.tally``); this module only keeps
the books. One ``TallyRun`` per (scope, rule, fingerprint) (a unique constraint): a re-run or a
duplicate delivery of the same input finds the counted run and changes nothing; a run whose
worker died is counted again from scratch and gives the same result.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from functools import partial

from django.db import connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_office_staff
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import TallyRun
from budgeting.phases import Phase
from budgeting.phases import phase_index
from budgeting.services.cycles import advance_phase
from core.broker import enqueue
from core.exceptions import ApplicationError
from voting.services.ballots import erase_write_order
from voting.services.ballots import seal_ballot_storage

# A run still "counting" after this long lost its worker: beat asks for it again.
STALE_RUN_AFTER = timedelta(minutes=15)


class TallyRefusedError(ApplicationError):
    """A count that may not happen now (voting not over, results already published)."""


def check_tally_allowed(*, cycle: BudgetCycle, now: datetime | None = None) -> None:
    """Refuse a count while any ballot could still change: before the deadline or the phase."""
    now = now or timezone.now()
    if phase_index(cycle.phase) < phase_index(Phase.TALLYING) or now < cycle.voting_end_at:
        raise TallyRefusedError(
            _("Ballots can still change until voting has closed, so they cannot be counted yet."),
            code="voting_open",
        )


# --- closing the vote ---------------------------------------------------------------------------
def close_voting(*, cycle_id: int) -> list[int]:
    """Close voting on ``cycle`` at its deadline and ask for a count of every scope.

    Moves VOTING→TALLYING if the deadline has passed (through ``advance_phase``), records one
    public ``VOTING_CLOSED`` event per scope, and enqueues ``tally_scope`` (on commit) for each
    scope that has no counted or running official run; then, after commit, seals the ballot
    storage (``seal_ballot_storage``: the counted receipts listed, earlier row versions removed
    from disk). Safe to repeat; returns the scope ids it asked to count.
    """

    to_count = _close_and_ask_for_counts(cycle_id=cycle_id)
    cycle = BudgetCycle.objects.get(pk=cycle_id)
    if phase_index(cycle.phase) >= phase_index(Phase.TALLYING):
        # After commit (VACUUM runs outside a transaction): no earlier row version of a ballot,
        # a choice or a participation stays in the table files. Idempotent; if it cannot run yet,
        # the next minute's close_due_voting tries again.
        if connection.in_atomic_block:
            transaction.on_commit(partial(seal_ballot_storage, cycle=cycle))
        else:
            seal_ballot_storage(cycle=cycle)
    return to_count


def _close_and_ask_for_counts(*, cycle_id: int) -> list[int]:
    with transaction.atomic():
        cycle = BudgetCycle.objects.select_for_update().get(pk=cycle_id)
        now = timezone.now()
        if cycle.phase == Phase.VOTING and now >= cycle.voting_end_at:
            advance_phase(cycle=cycle, to=Phase.TALLYING, by_schedule=True)
        if cycle.phase != Phase.TALLYING:
            return []
        scopes = list(cycle.scopes.select_related("district").order_by("pk"))
        closed = set(
            AuditEvent.objects.filter(
                cycle=cycle, event_type=AuditEvent.Type.VOTING_CLOSED
            ).values_list("subject_id", flat=True)
        )
        to_count = []
        for scope in scopes:
            if str(scope.pk) not in closed:
                # Ballots were written in the order people voted: re-store them shuffled so no
                # row stamp or row order links a ballot to its voter's participation.
                erase_write_order(scope=scope)
                record_audit_event(
                    cycle=cycle,
                    event_type=AuditEvent.Type.VOTING_CLOSED,
                    subject=scope,
                    is_public=True,
                    scope=scope.slug,
                    ballots=scope.ballots.count(),
                )
            if _needs_count(scope=scope, rule=cycle.tally_rule, now=now):
                to_count.append(scope.pk)
                transaction.on_commit(partial(enqueue_tally, scope_id=scope.pk))
    return to_count


def _needs_count(*, scope: BallotScope, rule: str, now: datetime) -> bool:
    runs = TallyRun.objects.filter(scope=scope, rule=rule, is_official=True)
    if runs.filter(status=TallyRun.Status.SUCCEEDED).exists():
        return False
    if runs.filter(status=TallyRun.Status.FAILED).exists():
        return False  # a failed count waits for staff to look and re-run it
    return not runs.filter(
        status__in=[TallyRun.Status.PENDING, TallyRun.Status.RUNNING],
        created_at__gte=now - STALE_RUN_AFTER,
    ).exists()


def close_due_voting(*, now: datetime | None = None) -> int:
    """Beat: close voting on every cycle counting or past its deadline whose scopes lack a count,
    and seal the ballot storage of any published cycle whose seal could not run yet."""
    now = now or timezone.now()
    cycles = BudgetCycle.objects.filter(phase=Phase.TALLYING) | BudgetCycle.objects.filter(
        phase=Phase.VOTING, voting_end_at__lte=now
    )
    asked = 0
    for cycle_id in cycles.values_list("pk", flat=True):
        asked += len(close_voting(cycle_id=cycle_id))
    if connection.vendor == "postgresql":  # SQLite (the demo) seals nothing
        # published before its ballot storage could be sealed (an old transaction was open)
        unsealed = (
            BudgetCycle.objects.filter(
                phase__in=[Phase.PUBLISHED, Phase.IMPLEMENTATION],
                audit_events__event_type=AuditEvent.Type.VOTING_CLOSED,
            )
            .exclude(audit_events__event_type=AuditEvent.Type.BALLOTS_SEALED)
            .distinct()
        )
        for cycle in unsealed:
            seal_ballot_storage(cycle=cycle)
    return asked


def enqueue_tally(*, scope_id: int) -> None:
    """Send ``tally_scope`` to a worker. Never raises: if the broker is down, beat catches up."""
    enqueue("budgeting.tally_scope", (scope_id,))


@transaction.atomic
def request_tally(*, scope: BallotScope, actor: User) -> None:
    """Staff ask for a (re-)count of ``scope``; refused before voting ends or after publication."""
    if not is_office_staff(user=actor):
        raise TallyRefusedError(_("Only the budget office may start a count."), code="forbidden")
    cycle = BudgetCycle.objects.get(pk=scope.cycle_id)
    check_tally_allowed(cycle=cycle)
    if cycle.phase != Phase.TALLYING:
        raise TallyRefusedError(
            _("The results are published and frozen; they cannot be counted again."),
            code="published",
        )
    TallyRun.objects.filter(
        scope=scope, status=TallyRun.Status.FAILED, published_at__isnull=True
    ).update(status=TallyRun.Status.PENDING, error="")
    transaction.on_commit(partial(enqueue_tally, scope_id=scope.pk))


# --- counting ------------------------------------------------------------------------------------
