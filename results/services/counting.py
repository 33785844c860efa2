"""Counting one ballot scope: the worker's side (``tally_scope``), with the compiled rules.

Idempotent by data: one ``TallyRun`` per (scope, rule, fingerprint); a succeeded run is
returned as it is, a failed or interrupted one is counted again.
"""

from __future__ import annotations

import gzip
import time

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
from budgeting.tally import TallyOutcome
from budgeting.tally import canonical_pb
from budgeting.tally.rules import RULES
from budgeting.tally.weighted import describe_sources
from results.selectors import WEIGHTED_RULES
from results.selectors import ScopeTallyInput
from results.selectors import get_tally_input
from results.services.tallying import TallyRefusedError
from results.services.tallying import check_tally_allowed


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
        text, fingerprint = canonical_pb(scope_input.tally_input, scope_input.meta)
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
    *,
    scope: BallotScope,
    rule: str,
    is_official: bool,
    fingerprint: str,
    scope_input: ScopeTallyInput,
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
    # The weighted rule keeps every source's numbers with the run (published with it).
    weighted = run.rule in WEIGHTED_RULES and scope_input.tally_input.sources
    run.sources = describe_sources(scope_input.tally_input) if weighted else {}
    run.save(update_fields=["allocated_won", "status", "finished_at", "sources"])


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
