"""The phase control room's acts: the next step, a deadline moved, proposals re-opened.

Every act needs a reason from the budget office and writes one audit event (public: the steps
change what residents may do). A refused act raises ``ControlRefusedError`` with a reason in
plain words and changes nothing.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.phases import next_phase
from budgeting.services.cycles import advance_phase
from core.exceptions import ApplicationError
from results.services.publication import publish_results


class ControlRefusedError(ApplicationError):
    """A control-room act that may not happen now; nothing was changed."""


# The date at which the current phase ends, where the office may move it.
DEADLINE_FIELD: dict[Phase, str] = {
    Phase.PROPOSALS: "proposals_end_at",
    Phase.REVIEW: "voting_start_at",
    Phase.VOTING: "voting_end_at",
}

STEP_TITLES: dict[Phase, Promise] = {
    Phase.PROPOSALS: gettext_lazy("Open the cycle for proposals"),
    Phase.REVIEW: gettext_lazy("Close proposals and start the review"),
    Phase.VOTING: gettext_lazy("Open voting"),
    Phase.TALLYING: gettext_lazy("Close voting and count"),
    Phase.PUBLISHED: gettext_lazy("Publish the results"),
    Phase.IMPLEMENTATION: gettext_lazy("Start implementation"),
}

STEP_CONSEQUENCES: dict[Phase, tuple[Promise, ...]] = {
    Phase.PROPOSALS: (
        gettext_lazy("The cycle becomes public: everyone sees its page, dates and rules."),
        gettext_lazy("Residents can submit, comment on and endorse proposals."),
        gettext_lazy("Residents who asked to be told are e-mailed that proposals are open."),
    ),
    Phase.REVIEW: (
        gettext_lazy("No new proposal can be submitted and authors can no longer edit theirs."),
        gettext_lazy("The council and the departments start reviewing."),
    ),
    Phase.VOTING: (
        gettext_lazy(
            "The ballot, counting and eligibility rules and the pots' budgets are frozen for good."
        ),
        gettext_lazy("Eligible residents can vote on the proposals put on the ballot."),
        gettext_lazy("Residents who asked to be told are e-mailed that voting is open."),
    ),
    Phase.TALLYING: (
        gettext_lazy("No one can vote or change a ballot any more; voting cannot be re-opened."),
        gettext_lazy("Every pot is counted with the cycle's counting rule."),
        gettext_lazy("The ballots are shuffled and sealed, so no order links them to voters."),
    ),
    Phase.PUBLISHED: (
        gettext_lazy("The results of every pot become public and can never be counted again."),
        gettext_lazy("The downloads (CSV, JSON, .pb) are built and published with the count."),
        gettext_lazy("Residents who asked to be told are e-mailed the results."),
    ),
    Phase.IMPLEMENTATION: (
        gettext_lazy("Funded projects are followed with progress updates."),
        gettext_lazy("This is the cycle's last phase."),
    ),
}

# Steps that ask for the password (or authenticator code) again: allauth's re-authentication.
REAUTHENTICATED_STEPS: frozenset[Phase] = frozenset({Phase.TALLYING, Phase.PUBLISHED})


@dataclass
class NextStep:
    """What the next button of the control room does and whether it may be pressed now."""

    target: Phase
    title: str
    consequences: list[str]
    early: bool = False
    refusal: str = ""
    needs_reauthentication: bool = False
    notes: list[str] = field(default_factory=list)


def _planned_start(cycle: BudgetCycle, phase: Phase) -> datetime | None:
    names = {
        Phase.PROPOSALS: "proposals_start_at",
        Phase.REVIEW: "proposals_end_at",
        Phase.VOTING: "voting_start_at",
        Phase.TALLYING: "voting_end_at",
        Phase.PUBLISHED: "results_expected_at",
    }
    return getattr(cycle, names[phase]) if phase in names else None


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def get_next_step(*, cycle: BudgetCycle, now: datetime | None = None) -> NextStep | None:
    """The step after the cycle's phase (None at the last phase), with its consequences."""
    now = now or timezone.now()
    target = next_phase(cycle.phase)
    if target is None:
        return None
    step = NextStep(
        target=target,
        title=str(STEP_TITLES[target]),
        consequences=[str(line) for line in STEP_CONSEQUENCES[target]],
        needs_reauthentication=target in REAUTHENTICATED_STEPS,
    )
    planned = _planned_start(cycle, target)
    if planned is not None and planned > now:
        step.early = True
        if target == Phase.TALLYING:
            step.title = str(_("Close voting early"))
        step.notes.append(
            _(
                "Planned for %(when)s: taking the step now moves that date to now, and the "
                "public timeline shows the planned date struck through."
            )
            % {"when": _when(planned)}
        )
    if target == Phase.PROPOSALS and not cycle.scopes.exists():
        step.refusal = _("Add at least one pot with a budget before opening the cycle.")
    return step


def _check_actor(actor: Any) -> None:
    if actor is None or not (actor.is_authenticated and actor.is_staff):
        raise ControlRefusedError(
            _("Only the budget office may run a cycle's phases."), code="forbidden"
        )


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ControlRefusedError(
            _("Write the reason: it is kept in the audit log."), code="reason"
        )
    return reason


def take_next_step(*, cycle: BudgetCycle, actor: User, reason: str) -> Phase:
    """Move ``cycle`` to its next phase by hand; publication through the results' service."""
    _check_actor(actor)
    reason = _check_reason(reason)
    cycle.refresh_from_db()
    step = get_next_step(cycle=cycle)
    if step is None:
        raise ControlRefusedError(_("This cycle is in its last phase."), code="last_phase")
    if step.refusal:
        raise ControlRefusedError(step.refusal, code="refused")
    if step.target == Phase.PUBLISHED:
        moved = publish_results(cycle_id=cycle.pk, actor=actor, reason=reason)
    else:
        moved = advance_phase(cycle=cycle, to=step.target, actor=actor, reason=reason)
    if not moved:
        raise ControlRefusedError(
            _("The cycle was moved on already (by someone else or on schedule)."), code="moved"
        )
    cycle.refresh_from_db()
    return step.target


def has_votes(*, cycle: BudgetCycle) -> bool:
    return Ballot.objects.filter(scope__cycle=cycle).exists()


@transaction.atomic
def change_deadline(
    *, cycle: BudgetCycle, actor: User, new_end: datetime, reason: str
) -> BudgetCycle:
    """Move the end of the current phase (proposals, review or voting).

    Always to a moment still ahead; once a ballot exists, voting's end only moves later. A date
    that would overlap the next phase is refused: the office moves that one first.
    """
    _check_actor(actor)
    reason = _check_reason(reason)
    cycle = BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
    phase = Phase(cycle.phase)
    field_name = DEADLINE_FIELD.get(phase)
    if field_name is None:
        raise ControlRefusedError(
            _("In the phase “%(phase)s” there is no deadline to move.") % {"phase": phase.label},
            code="no_deadline",
        )
    now = timezone.now()
    old_end: datetime = getattr(cycle, field_name)
    if new_end <= now:
        raise ControlRefusedError(
            _("The new deadline must still be ahead: it is %(now)s now.") % {"now": _when(now)},
            code="past",
        )
    votes = phase == Phase.VOTING and has_votes(cycle=cycle)
    if votes and new_end <= old_end:
        raise ControlRefusedError(
            _(
                "Residents have voted, so the deadline can only move later than %(end)s; to "
                "stop the vote sooner, close it early."
            )
            % {"end": _when(old_end)},
            code="only_forward",
        )
    updates: dict[str, Any] = {field_name: new_end}
    if phase == Phase.PROPOSALS and new_end > cycle.voting_start_at:
        raise ControlRefusedError(
            _(
                "Proposals would close after voting opens (%(start)s): that leaves no time for "
                "the review. Choose an earlier date."
            )
            % {"start": _when(cycle.voting_start_at)},
            code="overlap",
        )
    if phase == Phase.REVIEW and new_end >= cycle.voting_end_at:
        raise ControlRefusedError(
            _("Voting would open after it closes (%(end)s). Choose an earlier date.")
            % {"end": _when(cycle.voting_end_at)},
            code="overlap",
        )
    if phase == Phase.VOTING and cycle.results_expected_at and cycle.results_expected_at < new_end:
        updates["results_expected_at"] = new_end + (cycle.results_expected_at - old_end)
    BudgetCycle.objects.filter(pk=cycle.pk).update(**updates)
    cycle.refresh_from_db()
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.DEADLINE_CHANGED,
        subject=cycle,
        actor=actor,
        is_public=True,
        reason=reason,
        phase=phase.value,
        field=field_name,
        previous=old_end.isoformat(),
        new=new_end.isoformat(),
        votes_cast=votes,
    )
    return cycle


@transaction.atomic
def reopen_proposals(
    *, cycle: BudgetCycle, actor: User, new_end: datetime, reason: str
) -> BudgetCycle:
    """Take a cycle in review back to proposals until ``new_end`` (before voting opens).

    Voting is never re-opened once closed: its ballots are shuffled, sealed and counted.
    """
    _check_actor(actor)
    reason = _check_reason(reason)
    cycle = BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.phase != Phase.REVIEW:
        raise ControlRefusedError(
            _("Only a cycle in review can go back to proposals."), code="wrong_phase"
        )
    now = timezone.now()
    if new_end <= now:
        raise ControlRefusedError(
            _("The new deadline must still be ahead: it is %(now)s now.") % {"now": _when(now)},
            code="past",
        )
    if new_end > cycle.voting_start_at:
        raise ControlRefusedError(
            _(
                "Proposals would close after voting opens (%(start)s): that leaves no time for "
                "the review. Choose an earlier date."
            )
            % {"start": _when(cycle.voting_start_at)},
            code="overlap",
        )
    old_end = cycle.proposals_end_at
    changed = BudgetCycle.objects.filter(pk=cycle.pk, phase=Phase.REVIEW).update(
        phase=Phase.PROPOSALS, phase_changed_at=now, proposals_end_at=new_end
    )
    if not changed:  # the row is locked above: only if it vanished
        raise ControlRefusedError(_("The cycle was moved on already."), code="moved")
    cycle.refresh_from_db()
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.PHASE_REOPENED,
        subject=cycle,
        actor=actor,
        is_public=True,
        reason=reason,
        from_phase=Phase.REVIEW.value,
        to_phase=Phase.PROPOSALS.value,
        previous=old_end.isoformat(),
        new=new_end.isoformat(),
    )
    return cycle
