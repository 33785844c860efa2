"""Publication: an admin makes the counted results public, and they freeze."""

from __future__ import annotations

from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_office_staff
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.models import TallyRun
from budgeting.phases import Phase
from budgeting.services.cycles import advance_phase
from core.exceptions import ApplicationError
from results.selectors import get_latest_run
from results.selectors import list_published_runs
from results.services.checks import list_unacknowledged_warnings
from results.services.exports import create_export_files
from results.services.exports import request_export_builds
from voting.services.ballots import list_counted_receipts


class PublicationError(ApplicationError):
    """The results cannot be published (not counted yet, wrong phase, not staff)."""


@transaction.atomic
def publish_results(*, cycle_id: int, actor: User | None, reason: str = "") -> bool:
    """Publish every scope's official count of ``cycle``; False if it was published already.

    Moves TALLYING→PUBLISHED through ``advance_phase``, stamps ``published_at`` on the official
    runs (and their greedy comparison), which freezes them (a re-count is refused from now on),
    creates the CSV/JSON/.pb exports (built by a task on commit) and writes a public
    ``RESULTS_PUBLISHED`` event (with the office's ``reason``, if given: the console asks for
    one). Publishing twice changes nothing. Refused, with nothing changed, while a warning of the
    pre-publication checks (``results.services.checks``: a pot with no ballots, a project funded
    with no votes, a refused second ballot) is not acknowledged.
    """

    if actor is None or not is_office_staff(user=actor):
        raise PublicationError(_("Only the budget office may publish results."), code="forbidden")
    cycle = BudgetCycle.objects.select_for_update().get(pk=cycle_id)
    if cycle.phase in (Phase.PUBLISHED, Phase.IMPLEMENTATION):
        return False
    if cycle.phase != Phase.TALLYING:
        raise PublicationError(
            _("Results can be published once voting has closed and every ballot is counted."),
            code="not_counted",
        )
    scopes = list(cycle.scopes.select_related("district").order_by("district__order", "pk"))
    runs = {scope.pk: get_latest_run(scope=scope, rule=cycle.tally_rule) for scope in scopes}
    missing = [scope.name for scope in scopes if runs[scope.pk] is None]
    if missing:
        raise PublicationError(
            _("These ballots are not counted yet: %(scopes)s.") % {"scopes": ", ".join(missing)},
            code="not_counted",
        )
    pending = list_unacknowledged_warnings(cycle=cycle)
    if pending:
        raise PublicationError(
            _(
                "Each warning of the pre-publication checks needs an acknowledgement with a "
                "reason first: %(warnings)s"
            )
            % {
                "warnings": "; ".join(
                    f"{check.scope.name}: {warning.label}" for check, warning in pending
                )
            },
            code="unacknowledged_warnings",
        )
    advance_phase(cycle=cycle, to=Phase.PUBLISHED, actor=actor, reason=reason)
    now = timezone.now()
    counted = cast("dict[int, TallyRun]", runs)  # none missing (checked above)
    for run in counted.values():
        TallyRun.objects.filter(pk=run.pk).update(published_at=now)
        TallyRun.objects.filter(
            scope_id=run.scope_id,
            fingerprint=run.fingerprint,
            is_official=False,
            status=TallyRun.Status.SUCCEEDED,
        ).update(published_at=now)
        run.published_at = now
        create_export_files(run=run)
    # Normally listed when voting closed (seal_ballot_storage); idempotent, so never missing.
    receipts = {scope.pk: list_counted_receipts(scope=scope) for scope in scopes}
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.RESULTS_PUBLISHED,
        subject=cycle,
        actor=actor,
        is_public=True,
        reason=reason,
        scopes=[
            {
                "scope": run.scope.slug,
                "rule": run.rule,
                "fingerprint": run.fingerprint,
                "ballots": run.ballot_count,
                "receipts": receipts[run.scope_id],
                "allocated_won": run.allocated_won,
            }
            for run in counted.values()
        ],
    )
    return True


@transaction.atomic
def rebuild_result_downloads(*, cycle_id: int, actor: User) -> int:
    """Staff: build again the downloads of a published cycle that are not built; returns how many.

    For when the broker was down at publication, or a build failed, and the periodic retries
    gave up. Only pending or failed downloads are touched: a built file, whose SHA-256 is the
    published one, never changes. Writes a non-public ``EXPORTS_REBUILD_REQUESTED`` event when
    there was something to build.
    """
    if actor is None or not is_office_staff(user=actor):
        raise PublicationError(
            _("Only the budget office may build the downloads again."), code="forbidden"
        )
    cycle = BudgetCycle.objects.select_for_update().get(pk=cycle_id)
    if cycle.phase not in (Phase.PUBLISHED, Phase.IMPLEMENTATION):
        raise PublicationError(
            _("The downloads are built once the results are published."), code="not_published"
        )
    requested = {run: request_export_builds(run=run) for run in list_published_runs(cycle=cycle)}
    count = sum(len(exports) for exports in requested.values())
    if count:
        record_audit_event(
            cycle=cycle,
            event_type=AuditEvent.Type.EXPORTS_REBUILD_REQUESTED,
            subject=cycle,
            actor=actor,
            is_public=False,
            downloads=[
                {
                    "scope": run.scope.slug,
                    "kind": export.kind,
                    "status": export.status,  # before this request: pending or failed
                    "attempts": export.attempts,
                    "error": export.error[:500],
                }
                for run, exports in requested.items()
                for export in exports
            ],
        )
    return count
