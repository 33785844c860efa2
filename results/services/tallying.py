"""Counting: close voting at the deadline, tally every scope, keep the runs idempotent.

A tally is a pure function of the anonymised ballots (``budgeting.tally``); this module only keeps
the books. One ``TallyRun`` per (scope, rule, fingerprint) (a unique constraint): a re-run or a
duplicate delivery of the same input finds the counted run and changes nothing; a run whose
worker died is counted again from scratch and gives the same result.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.audit import record_audit_event
from budgeting.models import Allocation
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import TallyRun
from budgeting.phases import Phase
from budgeting.phases import phase_index
from budgeting.tally import RULES
from budgeting.tally import TallyOutcome
from budgeting.tally import write_pb
from core.broker import enqueue
from core.exceptions import ApplicationError
from results.selectors import ScopeTallyInput
from results.selectors import get_tally_input

# A run still "counting" after this long lost its worker: beat asks for it again.
STALE_RUN_AFTER = timedelta(minutes=15)


class TallyRefusedError(ApplicationError):
    """A count that may not happen now (voting not over, results already published)."""


def canonical_pb(*, scope_input: ScopeTallyInput) -> tuple[str, str]:
    """The canonical ``.pb`` text of a scope's ballots and its SHA-256 (the fingerprint).

    This is ``budgeting.tally.fingerprint`` computed once and kept, because the same text is the
    ``.pb`` download: ``sha256sum`` of the download equals the published fingerprint.
    """
    text = write_pb(scope_input.tally_input, scope_input.meta)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_tally_allowed(*, cycle: BudgetCycle, now=None) -> None:
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
    scope that has no counted or running official run. Safe to repeat; returns the scope ids
    it asked to count.
    """
    from budgeting.services.cycles import advance_phase
    from voting.services.ballots import erase_write_order

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
                    scope=scope.district.slug if scope.district_id else "citywide",
                    ballots=scope.ballots.count(),
                )
            if _needs_count(scope=scope, rule=cycle.tally_rule, now=now):
                to_count.append(scope.pk)
                transaction.on_commit(partial(enqueue_tally, scope_id=scope.pk))
    return to_count


def _needs_count(*, scope: BallotScope, rule: str, now) -> bool:
    runs = TallyRun.objects.filter(scope=scope, rule=rule, is_official=True)
    if runs.filter(status=TallyRun.Status.SUCCEEDED).exists():
        return False
    if runs.filter(status=TallyRun.Status.FAILED).exists():
        return False  # a failed count waits for staff to look and re-run it
    return not runs.filter(
        status__in=[TallyRun.Status.PENDING, TallyRun.Status.RUNNING],
        created_at__gte=now - STALE_RUN_AFTER,
    ).exists()


def close_due_voting(*, now=None) -> int:
    """Beat: close voting on every cycle counting or past its deadline whose scopes lack a count."""
    now = now or timezone.now()
    cycles = BudgetCycle.objects.filter(phase=Phase.TALLYING) | BudgetCycle.objects.filter(
        phase=Phase.VOTING, voting_end_at__lte=now
    )
    asked = 0
    for cycle_id in cycles.values_list("pk", flat=True):
        asked += len(close_voting(cycle_id=cycle_id))
    return asked


def enqueue_tally(*, scope_id: int) -> None:
    """Send ``tally_scope`` to a worker. Never raises: if the broker is down, beat catches up."""
    enqueue("budgeting.tally_scope", (scope_id,))


def enqueue_close_voting(*, cycle_id: int) -> None:
    """Send ``close_voting`` to a worker (after the cycle enters TALLYING). Never raises."""
    enqueue("budgeting.close_voting", (cycle_id,))


@transaction.atomic
def request_tally(*, scope: BallotScope, actor) -> None:
    """Staff ask for a (re-)count of ``scope``; refused before voting ends or after publication."""
    if not (actor.is_authenticated and actor.is_staff):
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
def tally_scope(*, scope_id: int) -> TallyRun:
    """Count ``scope`` under its cycle's rule (and greedy, for comparison). Idempotent.

    1. In one short transaction holding the scope's row lock: check that voting is over, build
       the anonymised input, fingerprint it, get or create the run; a counted run is returned
       as it is. Otherwise it is marked RUNNING (staff see it).
    2. Run the pure rule outside any transaction.
    3. Lock the run; if another delivery finished first, keep its result; else store the
       allocations and mark it SUCCEEDED.
    """
    with transaction.atomic():
        locked = BallotScope.objects.select_for_update(of=("self",))
        scope = locked.select_related("cycle", "district").get(pk=scope_id)
        cycle = scope.cycle
        check_tally_allowed(cycle=cycle)
        scope_input = get_tally_input(scope=scope)
        text, fingerprint = canonical_pb(scope_input=scope_input)
        published = TallyRun.objects.filter(scope=scope, published_at__isnull=False)
        if published.exists() or cycle.phase != Phase.TALLYING:
            frozen = published.filter(rule=cycle.tally_rule, fingerprint=fingerprint).first()
            if frozen is not None:
                return frozen
            raise TallyRefusedError(
                _("The results are published and frozen; they cannot be counted again."),
                code="published",
            )
        rules = [(cycle.tally_rule, True)]
        if cycle.tally_rule != BudgetCycle.TallyRule.GREEDY:
            rules.append((BudgetCycle.TallyRule.GREEDY, False))
        runs = [
            _start_run(
                scope=scope,
                rule=rule,
                is_official=official,
                fingerprint=fingerprint,
                scope_input=scope_input,
            )
            for rule, official in rules
        ]
    delay = float(getattr(settings, "CHAMYEO_TALLY_TEST_DELAY_SECONDS", 0) or 0)
    if delay:
        time.sleep(delay)  # tests only: a window in which a worker can be killed mid-count
    for run in runs:
        if run.status != TallyRun.Status.SUCCEEDED:
            _count(run=run, scope_input=scope_input, pb_text=text if run.is_official else None)
    official = runs[0]
    official.refresh_from_db()
    return official


def _start_run(
    *, scope: BallotScope, rule: str, is_official: bool, fingerprint: str, scope_input
) -> TallyRun:
    try:
        with transaction.atomic():
            run, _created = TallyRun.objects.get_or_create(
                scope=scope,
                rule=rule,
                fingerprint=fingerprint,
                defaults={"is_official": is_official, "status": TallyRun.Status.PENDING},
            )
    except IntegrityError:  # created by a concurrent delivery in the meantime
        run = TallyRun.objects.get(scope=scope, rule=rule, fingerprint=fingerprint)
    if run.status == TallyRun.Status.SUCCEEDED:
        return run
    run.status = TallyRun.Status.RUNNING
    run.started_at = timezone.now()
    run.ballot_count = scope_input.ballot_count
    run.budget_won = scope.budget_won
    run.error = ""
    run.save(update_fields=["status", "started_at", "ballot_count", "budget_won", "error"])
    if is_official:
        record_audit_event(
            cycle=scope.cycle,
            event_type=AuditEvent.Type.TALLY_STARTED,
            subject=run,
            is_public=False,
            rule=rule,
            fingerprint=fingerprint,
            ballots=run.ballot_count,
        )
    return run


def _count(*, run: TallyRun, scope_input: ScopeTallyInput, pb_text: str | None) -> None:
    try:
        outcome = RULES[run.rule](scope_input.tally_input)
    except Exception as exc:
        _fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    with transaction.atomic():
        _lock_scope(run.scope_id)
        locked = TallyRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == TallyRun.Status.SUCCEEDED:
            return  # a duplicate delivery finished first: its result is the same
        if pb_text is not None:
            # level 1: a million ballots compress in a fraction of a second (level 6: ~1.5 s)
            locked.canonical_pb_gz = gzip.compress(pb_text.encode("utf-8"), compresslevel=1)
            locked.save(update_fields=["canonical_pb_gz"])
        store_outcome(run=locked, outcome=outcome, scope_input=scope_input)
        if locked.is_official:
            record_audit_event(
                cycle=locked.scope.cycle,
                event_type=AuditEvent.Type.TALLY_SUCCEEDED,
                subject=locked,
                is_public=False,
                rule=locked.rule,
                fingerprint=locked.fingerprint,
                ballots=locked.ballot_count,
                allocated_won=locked.allocated_won,
            )


def store_outcome(*, run: TallyRun, outcome: TallyOutcome, scope_input: ScopeTallyInput) -> None:
    """Replace ``run``'s allocations with ``outcome`` and mark it counted."""
    proposals = scope_input.proposals
    run.allocations.all().delete()
    Allocation.objects.bulk_create(
        Allocation(
            tally_run=run,
            proposal=proposals[result.project_id],
            votes=result.votes,
            points=_points(result.score, result.votes),
            score=result.score,
            cost_won=result.cost,
            is_funded=result.funded,
            rank=result.rank,
            reason_code=result.reason_code,
            reason_params=dict(result.reason_params),
        )
        for result in outcome.results
    )
    run.allocated_won = outcome.total_cost
    run.status = TallyRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["allocated_won", "status", "finished_at"])


def _points(score: str, votes: int) -> int:
    """Total points for greedy and MES (their score); the votes for a weighted score."""
    return int(score) if score.isdigit() else votes


def _lock_scope(scope_id: int) -> None:
    """Lock the scope's row first, as the first step of ``tally_scope`` does.

    Every transaction that writes a scope's runs takes the scope's lock before a run's. Without
    it, a duplicate delivery's first step (holding the scope, waiting for the run) and this
    delivery's last step (holding the run; at commit PostgreSQL's foreign-key check wants a share
    lock on the scope) deadlock.
    """
    BallotScope.objects.select_for_update(of=("self",)).filter(pk=scope_id).values_list("pk").get()


def _fail(*, run: TallyRun, error: str) -> None:
    with transaction.atomic():
        _lock_scope(run.scope_id)
        TallyRun.objects.filter(pk=run.pk).exclude(status=TallyRun.Status.SUCCEEDED).update(
            status=TallyRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
        )
        if run.is_official:
            record_audit_event(
                cycle=run.scope.cycle,
                event_type=AuditEvent.Type.TALLY_FAILED,
                subject=run,
                is_public=False,
                rule=run.rule,
                error=error[:500],
            )
