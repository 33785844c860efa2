"""Budget cycles: phase changes (by date and by hand), frozen rules, cloning, council."""

from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar
from typing import cast
from typing import overload

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.announcements import announce_phase_opened
from budgeting.audit import record_audit_event
from budgeting.exceptions import PhaseTransitionError
from budgeting.exceptions import RulesFrozenError
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models.cycles import new_tie_break_seed
from budgeting.phases import PHASE_ORDER
from budgeting.phases import Phase
from budgeting.phases import next_phase
from budgeting.selectors import list_cycles_with_due_phase
from core.broker import enqueue

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Field

    from budgeting.models import PolicyArea

_D = TypeVar("_D", date, datetime)

# When an admin opens or closes a phase before its date, the date moves to "now" so the
# public timeline always shows when things really happened.
_START_DATE_OF_PHASE = {
    Phase.PROPOSALS: "proposals_start_at",
    Phase.REVIEW: "proposals_end_at",
    Phase.VOTING: "voting_start_at",
    Phase.TALLYING: "voting_end_at",
}


@transaction.atomic
def advance_phase(
    *,
    cycle: BudgetCycle,
    to: Phase,
    actor: "AbstractBaseUser | AnonymousUser | None" = None,
    reason: str = "",
    by_schedule: bool = False,
) -> bool:
    """Move ``cycle`` one phase forward, to ``to``. Returns False if another run already did.

    Compare-and-set on ``phase``: of two concurrent calls, exactly one changes the row and
    writes the audit event; the other changes nothing.
    """
    to = Phase(to)
    current = Phase(cycle.phase)
    if next_phase(current) != to:
        if PHASE_ORDER.index(to) <= PHASE_ORDER.index(current):
            return False  # already there or beyond: nothing to do
        raise PhaseTransitionError(
            _("A cycle moves one phase at a time: from “%(current)s” the next phase is “%(next)s”.")
            % {"current": current.label, "next": cast("Phase", next_phase(current)).label}
        )
    if current == Phase.DRAFT and not cycle.scopes.exists():
        raise PhaseTransitionError(
            _("Add at least one ballot scope with a budget before opening the cycle.")
        )
    now = timezone.now()
    updates: dict[str, Any] = {"phase": to, "phase_changed_at": now}
    moved_dates: dict[str, str] = {}
    date_field = _START_DATE_OF_PHASE.get(to)
    if date_field and not by_schedule and getattr(cycle, date_field) > now:
        updates[date_field] = now
        moved_dates[date_field] = getattr(cycle, date_field).isoformat()
    changed = BudgetCycle.objects.filter(pk=cycle.pk, phase=current).update(**updates)
    if not changed:
        cycle.refresh_from_db()
        return False
    cycle.refresh_from_db()
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.PHASE_ADVANCED,
        subject=cycle,
        actor=actor,
        is_public=True,
        reason=reason,
        from_phase=current.value,
        to_phase=to.value,
        by_schedule=by_schedule,
        moved_dates=moved_dates,
    )
    # Residents who asked are e-mailed that proposals, voting or results opened (fanned out
    # by a task after commit, once each).
    announce_phase_opened(cycle=cycle, phase=to.value)
    if to == Phase.TALLYING:  # voting closed: count every scope (after commit, never raises)
        transaction.on_commit(partial(enqueue, "budgeting.close_voting", (cycle.pk,)))
    return True


# Phases that another app enters by a service of its own rather than by ``advance_phase``
# (results: publishing freezes the count and builds the downloads). Filled at that app's
# ``ready()``, so budgeting imports nothing above it.
_PHASE_STEPS: dict[Phase, Callable[..., bool]] = {}


def register_phase_step(phase: Phase, step: Callable[..., bool]) -> None:
    """``step(cycle_id=…, actor=…) -> bool`` is how a cycle enters ``phase`` by hand."""
    _PHASE_STEPS[phase] = step


def take_next_step(
    *, cycle: BudgetCycle, actor: "AbstractBaseUser | AnonymousUser | None"
) -> tuple[Phase | None, bool]:
    """Move ``cycle`` by hand to its next phase (None at the last one) and whether it moved."""
    target = next_phase(cycle.phase)
    if target is None:
        return None, False
    step = _PHASE_STEPS.get(target)
    if step is not None:
        return target, step(cycle_id=cycle.pk, actor=actor)
    return target, advance_phase(cycle=cycle, to=target, actor=actor)


def advance_due_phases(*, now: datetime | None = None) -> int:
    """Move every cycle whose dates have come, one step at a time. Safe to run twice at once.

    Returns how many phase changes this run made.
    """
    moved = 0
    for cycle, target in list_cycles_with_due_phase(now=now):
        if cycle.phase == Phase.DRAFT and not cycle.scopes.exists():
            continue  # not configured yet: an admin must add scopes first
        while PHASE_ORDER.index(Phase(cycle.phase)) < PHASE_ORDER.index(target):
            step = cast("Phase", next_phase(cycle.phase))  # before ``target``, never the last
            if not advance_phase(cycle=cycle, to=step, by_schedule=True):
                break  # another run moved it; it carries on from there
            moved += 1
    return moved


def check_rules_change_allowed(*, cycle: BudgetCycle, new_values: dict[str, Any]) -> None:
    """Refuse a change to the voting rules of a cycle whose voting has opened."""
    if cycle.pk is None:
        return
    stored = BudgetCycle.objects.get(pk=cycle.pk)
    if not stored.rules_are_frozen:
        return
    changed = [
        field
        for field in BudgetCycle.FROZEN_FIELDS
        if field in new_values and new_values[field] != getattr(stored, field)
    ]
    if changed:
        labels = ", ".join(
            str(cast("Field[Any, Any]", BudgetCycle._meta.get_field(f)).verbose_name)
            for f in changed
        )
        raise RulesFrozenError(
            _(
                "Voting has opened, so the rules residents vote under can no longer change "
                "(%(fields)s)."
            )
            % {"fields": labels},
            code="rules_frozen",
        )


def check_scope_change_allowed(
    *,
    scope: BallotScope,
    new_budget_won: int | None = None,
    deleting: bool = False,
    new_values: dict[str, Any] | None = None,
) -> None:
    """Refuse adding, removing, re-budgeting or changing the rules of a ballot scope (its
    level, track, age bounds and ballot limit) once voting has opened."""
    cycle = BudgetCycle.objects.get(pk=scope.cycle_id)
    if not cycle.rules_are_frozen:
        return
    if scope.pk is None:
        raise RulesFrozenError(_("Voting has opened, so no ballot can be added."))
    if deleting:
        raise RulesFrozenError(_("Voting has opened, so no ballot can be removed."))
    stored = BallotScope.objects.get(pk=scope.pk)
    if new_budget_won is not None and new_budget_won != stored.budget_won:
        raise RulesFrozenError(
            _("Voting has opened, so the budget of “%(scope)s” can no longer change.")
            % {"scope": stored.name}
        )
    values = new_values or {}
    changed = [
        field
        for field in BallotScope.FROZEN_FIELDS
        if field in values and values[field] != getattr(stored, field)
    ]
    if changed:
        labels = ", ".join(
            str(cast("Field[Any, Any]", BallotScope._meta.get_field(f)).verbose_name)
            for f in changed
        )
        raise RulesFrozenError(
            _("Voting has opened, so the rules of “%(scope)s” can no longer change (%(fields)s).")
            % {"scope": stored.name, "fields": labels},
            code="rules_frozen",
        )


@transaction.atomic
def update_cycle(
    *, cycle: BudgetCycle, actor: "AbstractBaseUser | AnonymousUser | None" = None, **changes: Any
) -> BudgetCycle:
    """Change a cycle's settings; rules are refused once voting has opened."""
    check_rules_change_allowed(cycle=cycle, new_values=changes)
    for field, value in changes.items():
        setattr(cycle, field, value)
    cycle.full_clean()
    cycle.save()
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.CYCLE_RULES_CHANGED,
        subject=cycle,
        actor=actor,
        is_public=True,
        fields=sorted(changes),
    )
    return cycle


@overload
def _shift_year(value: _D, years: int) -> _D: ...
@overload
def _shift_year(value: None, years: int) -> None: ...
def _shift_year(value: _D | None, years: int) -> _D | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


@transaction.atomic
def clone_cycle(
    *,
    source: BudgetCycle,
    name: str,
    slug: str,
    years_later: int = 1,
    actor: "AbstractBaseUser | AnonymousUser | None" = None,
) -> BudgetCycle:
    """A new draft cycle with the rules, scopes and policy areas of ``source``, dates shifted."""
    cycle = BudgetCycle(
        name=name,
        slug=slug,
        year=source.year + years_later,
        description=source.description,
        phase=Phase.DRAFT,
        tie_break_seed=new_tie_break_seed(),
        proposals_start_at=_shift_year(source.proposals_start_at, years_later),
        proposals_end_at=_shift_year(source.proposals_end_at, years_later),
        voting_start_at=_shift_year(source.voting_start_at, years_later),
        voting_end_at=_shift_year(source.voting_end_at, years_later),
        results_expected_at=_shift_year(source.results_expected_at, years_later),
        age_reference_date=_shift_year(source.age_reference_date, years_later),
    )
    # The rules carry over, but for a new lot's seed and the age date, both set above.
    carried = [
        f for f in BudgetCycle.FROZEN_FIELDS if f not in ("tie_break_seed", "age_reference_date")
    ]
    for field in (*carried, "proposal_limit_per_resident", "endorsement_threshold"):
        setattr(cycle, field, getattr(source, field))
    for lang in ("ko", "en"):  # both languages (django-modeltranslation)
        setattr(cycle, f"description_{lang}", getattr(source, f"description_{lang}"))
    cycle.full_clean()
    cycle.save()
    cycle.policy_areas.set(source.policy_areas.all())
    # Every pot with its level, amount and track (name and theme in both languages, age bounds,
    # ballot limit).
    scope_fields = [
        *(f for f in BallotScope.FROZEN_FIELDS if f != "district"),
        *(f"{f}_{lang}" for f in ("track_name", "track_theme") for lang in ("ko", "en")),
    ]
    BallotScope.objects.bulk_create(
        BallotScope(
            cycle=cycle,
            district_id=scope.district_id,
            **{field: getattr(scope, field) for field in scope_fields},
        )
        for scope in source.scopes.all()
    )
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.CYCLE_CLONED,
        subject=cycle,
        actor=actor,
        is_public=False,
        source_cycle=source.slug,
    )
    return cycle


@transaction.atomic
def appoint_council_member(
    *,
    cycle: BudgetCycle,
    user: Any,  # accounts.models.User, which budgeting (below accounts) does not import
    policy_area: "PolicyArea | None" = None,
    actor: "AbstractBaseUser | AnonymousUser | None" = None,
) -> CouncilMembership:
    membership, created = CouncilMembership.objects.get_or_create(
        cycle=cycle, user=user, defaults={"policy_area": policy_area}
    )
    if not created and membership.policy_area != policy_area:
        membership.policy_area = policy_area
        membership.save(update_fields=["policy_area"])
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.COUNCIL_MEMBER_APPOINTED,
        subject=membership,
        actor=actor,
        is_public=True,
        member=user.public_name,
        subcommittee=str(policy_area) if policy_area else "",
    )
    return membership


def default_cycle_dates(
    *, start: datetime, proposals_days: int = 30, review_days: int = 30, voting_days: int = 14
) -> dict[str, datetime]:
    """Dates for a new cycle starting at ``start`` (used by the admin form and the demo)."""
    proposals_end = start + timedelta(days=proposals_days)
    voting_start = proposals_end + timedelta(days=review_days)
    voting_end = voting_start + timedelta(days=voting_days)
    return {
        "proposals_start_at": start,
        "proposals_end_at": proposals_end,
        "voting_start_at": voting_start,
        "voting_end_at": voting_end,
        "results_expected_at": voting_end + timedelta(days=7),
    }
