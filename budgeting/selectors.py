"""Reads for budgeting: one intent-named function per question."""

from datetime import datetime

from django.db.models import F
from django.db.models import Prefetch
from django.db.models import QuerySet
from django.db.models import Sum
from django.utils import timezone

from budgeting.eligibility import NO_TRACK
from budgeting.eligibility import EligibilityRule
from budgeting.eligibility import Ineligibility
from budgeting.eligibility import ResidentFacts
from budgeting.eligibility import TrackBounds
from budgeting.eligibility import check_eligibility
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import DeclaredInterest
from budgeting.models import District
from budgeting.models import Subcommittee
from budgeting.models import SubcommitteeMember
from budgeting.phases import MANUAL_ONLY_TARGETS
from budgeting.phases import PHASE_ORDER
from budgeting.phases import Phase


def list_visible_cycles() -> QuerySet[BudgetCycle]:
    return BudgetCycle.objects.visible().prefetch_related(
        Prefetch("scopes", queryset=BallotScope.objects.select_related("district"))
    )


def list_current_cycles() -> QuerySet[BudgetCycle]:
    """Cycles residents can take part in or follow now (not yet in implementation)."""
    return list_visible_cycles().exclude(phase=Phase.IMPLEMENTATION)


def list_scopes_for_cycle(*, cycle: BudgetCycle) -> QuerySet[BallotScope]:
    return cycle.scopes.select_related("district").order_by(
        F("district__parent__order").asc(nulls_first=True),
        F("district__order").asc(nulls_first=True),
        "track_slug",
        "pk",
    )


def get_cycle_budget_total(*, cycle: BudgetCycle) -> int:
    return cycle.scopes.aggregate(total=Sum("budget_won"))["total"] or 0


def list_public_audit_events(*, cycle: BudgetCycle) -> QuerySet[AuditEvent]:
    return cycle.audit_events.public().select_related("subject_type")


def get_published_chain_head(*, cycle: BudgetCycle) -> AuditEvent | None:
    """The audit event that published ``cycle``'s results: its ``chain_hash`` is the head of the
    cycle's audit chain at publication, shown with the results (None before publication)."""
    return (
        cycle.audit_events.filter(event_type=AuditEvent.Type.RESULTS_PUBLISHED)
        .order_by("position")
        .first()
    )


def get_phase_due(*, cycle: BudgetCycle, now=None) -> Phase:
    """The phase the dates say ``cycle`` should be in now; publication is never date-driven."""
    now = now or timezone.now()
    if now >= cycle.voting_end_at:
        due = Phase.TALLYING
    elif now >= cycle.voting_start_at:
        due = Phase.VOTING
    elif now >= cycle.proposals_end_at:
        due = Phase.REVIEW
    elif now >= cycle.proposals_start_at:
        due = Phase.PROPOSALS
    else:
        due = Phase.DRAFT
    assert due not in MANUAL_ONLY_TARGETS
    return due


def list_cycles_with_due_phase(*, now=None) -> list[tuple[BudgetCycle, Phase]]:
    """Cycles whose dates have moved past their phase, with the phase they are due in."""
    now = now or timezone.now()
    active = BudgetCycle.objects.filter(
        phase__in=[Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING],
        proposals_start_at__lte=now,
    )
    due = []
    for cycle in active:
        target = get_phase_due(cycle=cycle, now=now)
        if PHASE_ORDER.index(target) > PHASE_ORDER.index(Phase(cycle.phase)):
            due.append((cycle, target))
    return due


def get_eligibility_rule(*, cycle: BudgetCycle) -> EligibilityRule:
    return EligibilityRule(
        minimum_age=cycle.minimum_age,
        age_counted_on=cycle.age_counted_on,
        accepted_relations=cycle.eligible_relations,
        requires_verification=cycle.requires_verification,
        requires_phone=cycle.requires_phone,
    )


def get_resident_facts(*, user, with_gu: bool = True) -> ResidentFacts | None:
    """The resident's facts; ``with_gu`` also reads the gu of a dong they are registered in
    (one query; the ballot path asks for it only when a gu's pot is not their own district)."""
    profile = getattr(user, "resident_profile", None) if user.is_authenticated else None
    if profile is None:
        return None
    parent_id = None
    if with_gu and profile.district_id is not None:
        parent_id = (
            District.objects.filter(pk=profile.district_id).values_list("parent_id", flat=True)
        ).first()
    return ResidentFacts(
        birth_year=profile.birth_year,
        relation=profile.relation,
        district_id=profile.district_id,
        is_verified=profile.is_verified,
        district_parent_id=parent_id,
        has_verified_phone=profile.phone_verified_at is not None,
    )


def get_track_bounds(*, scope: BallotScope) -> TrackBounds:
    if not scope.has_age_bounds:
        return NO_TRACK
    return TrackBounds(minimum_age=scope.minimum_age, maximum_age=scope.maximum_age)


def get_ineligibility(*, user, scope: BallotScope) -> Ineligibility | None:
    """Why ``user`` may not vote on (or propose in) ``scope`` (None: they may)."""
    profile = getattr(user, "resident_profile", None) if user.is_authenticated else None
    own_district = profile is not None and scope.district_id in (None, profile.district_id)
    return check_eligibility(
        get_resident_facts(user=user, with_gu=not own_district),
        get_eligibility_rule(cycle=scope.cycle),
        scope_district_id=scope.district_id,
        track=get_track_bounds(scope=scope),
    )


def list_ballot_scopes_for_resident(*, user, cycle: BudgetCycle) -> list[BallotScope]:
    """Every pot of ``cycle`` the resident may vote in (or propose in): city-wide, their gu's,
    their dong's, and the themed tracks whose own rule they meet."""
    facts = get_resident_facts(user=user)
    rule = get_eligibility_rule(cycle=cycle)  # one cycle: facts and rule are read once
    return [
        scope
        for scope in list_scopes_for_cycle(cycle=cycle)
        if check_eligibility(
            facts,
            rule,
            scope_district_id=scope.district_id,
            track=get_track_bounds(scope=scope),
        )
        is None
    ]


def get_council_membership(*, user, cycle: BudgetCycle) -> CouncilMembership | None:
    if not user.is_authenticated:
        return None
    return (
        CouncilMembership.objects.filter(
            user=user, cycle=cycle, status=CouncilMembership.Status.MEMBER
        )
        .select_related("policy_area")
        .first()
    )


def is_council_member(*, user, cycle: BudgetCycle) -> bool:
    """The one rule for "is on this cycle's residents' committee"."""
    return (
        user.is_authenticated
        and CouncilMembership.objects.filter(
            user=user, cycle_id=cycle.pk, status=CouncilMembership.Status.MEMBER
        ).exists()
    )


def is_council_member_anywhere(*, user) -> bool:
    """On the committee of any cycle (the roles that must use MFA, the review desk link)."""
    return user.is_authenticated and (
        CouncilMembership.objects.filter(user=user, status=CouncilMembership.Status.MEMBER).exists()
        or SubcommitteeMember.objects.filter(user=user).exists()
    )


# --- subcommittees (분과): the authority boundary the review desk reads ------------------------
def cycle_has_subcommittees(*, cycle: BudgetCycle) -> bool:
    """Whether the cycle's committee works in 분과 (then members act only in theirs)."""
    return Subcommittee.objects.filter(cycle_id=cycle.pk).exists()


def list_subcommittee_seats(*, user, cycle: BudgetCycle) -> QuerySet[SubcommitteeMember]:
    """``user``'s seats in the cycle's 분과 (with their policy areas)."""
    if not user.is_authenticated:
        return SubcommitteeMember.objects.none()
    return (
        SubcommitteeMember.objects.filter(user=user, subcommittee__cycle_id=cycle.pk)
        .select_related("subcommittee")
        .prefetch_related("subcommittee__policy_areas")
    )


def get_subcommittee_seat_for_area(
    *, user, cycle: BudgetCycle, policy_area_id: int
) -> SubcommitteeMember | None:
    """The seat through which ``user`` may act on a proposal of ``policy_area_id`` (or None)."""
    if not user.is_authenticated:
        return None
    seats = SubcommitteeMember.objects.filter(
        user=user,
        subcommittee__cycle_id=cycle.pk,
        subcommittee__policy_areas__id=policy_area_id,
    ).select_related("subcommittee")
    # the seat with the most rights wins: chair, then member, then expert (no vote)
    priority: dict[str, int] = {
        SubcommitteeMember.Role.CHAIR: 0,
        SubcommitteeMember.Role.MEMBER: 1,
        SubcommitteeMember.Role.EXPERT: 2,
    }
    return min(seats, key=lambda seat: (priority.get(seat.role, 9), seat.pk), default=None)


def is_subcommittee_expert(*, user, cycle: BudgetCycle) -> bool:
    return (
        user.is_authenticated
        and SubcommitteeMember.objects.filter(
            user=user, subcommittee__cycle_id=cycle.pk, role=SubcommitteeMember.Role.EXPERT
        ).exists()
    )


def list_policy_area_ids_for(*, user, cycle: BudgetCycle) -> set[int]:
    """The policy areas of every 분과 ``user`` sits in for ``cycle``."""
    if not user.is_authenticated:
        return set()
    return set(
        Subcommittee.objects.filter(cycle_id=cycle.pk, members__user=user).values_list(
            "policy_areas__id", flat=True
        )
    ) - {None}


def list_declared_interests(*, user, cycle: BudgetCycle) -> QuerySet[DeclaredInterest]:
    if not user.is_authenticated:
        return DeclaredInterest.objects.none()
    return DeclaredInterest.objects.filter(user=user, cycle_id=cycle.pk).select_related(
        "district", "policy_area"
    )


# --- open data (the read-only API) --------------------------------------------------------------
# Everything below answers anonymous readers: only what the public pages show, never who did what.


# The date field at which each phase is planned to start (publication: the expected results).
PLANNED_START_FIELD = {
    Phase.PROPOSALS: "proposals_start_at",
    Phase.REVIEW: "proposals_end_at",
    Phase.VOTING: "voting_start_at",
    Phase.TALLYING: "voting_end_at",
    Phase.PUBLISHED: "results_expected_at",
}


def build_cycle_timeline(*, cycle: BudgetCycle) -> list[dict]:
    """The phases with their dates and whether each is past, current or next.

    A phase that has started shows when it really started (its latest phase change in the audit
    log) and ended (the next one's start); where that differs from the plan (an office moved it
    by hand, or published early), ``planned_start`` holds the planned date, which pages strike
    through. ``advance_phase`` moves a date that was ahead to the moment of the change and keeps
    the date it replaced in the event's ``moved_dates``: that is the plan shown.
    """
    entered: dict[str, tuple] = {}
    events = AuditEvent.objects.filter(
        cycle=cycle, event_type=AuditEvent.Type.PHASE_ADVANCED
    ).order_by("position", "pk")
    for event in events.only("created_at", "parameters"):
        params = event.parameters or {}
        to = params.get("to_phase")
        if to:
            entered[to] = (event.created_at, params.get("moved_dates") or {})
    planned = {
        phase: getattr(cycle, field) if field else None
        for phase, field in PLANNED_START_FIELD.items()
    }
    for _actual, moved in entered.values():
        for phase, field in PLANNED_START_FIELD.items():
            if field in moved:
                planned[phase] = datetime.fromisoformat(moved[field])
    current = PHASE_ORDER.index(Phase(cycle.phase))
    phases = PHASE_ORDER[1:]
    steps = []
    for index, phase in enumerate(phases, start=1):
        state = "past" if index < current else "current" if index == current else "future"
        planned_start = planned.get(phase)
        following = phases[index] if index < len(phases) else None
        planned_end = planned.get(following) if following else None
        start, end = planned_start, planned_end
        if state != "future" and phase.value in entered:
            start = entered[phase.value][0]
        if state == "past" and following is not None and following.value in entered:
            end = entered[following.value][0]
        if state == "current" and following is not None:
            end = planned_end
        steps.append(
            {
                "phase": phase,
                "label": phase.label,
                "start": start,
                "end": end,
                "planned_start": planned_start if _differs(planned_start, start) else None,
                "planned_end": planned_end if _differs(planned_end, end) else None,
                "state": state,
                "is_next": index == current + 1,
            }
        )
    return steps


def _differs(planned, actual) -> bool:
    """Whether a planned date and the actual one are more than a minute apart."""
    if planned is None or actual is None:
        return False
    return abs((planned - actual).total_seconds()) >= 60
