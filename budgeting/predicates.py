"""Small named predicates for ``rules`` (registrations live in rules.py)."""

import rules

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.phases import Feature


def _cycle_of(obj) -> BudgetCycle | None:
    if isinstance(obj, BudgetCycle):
        return obj
    if isinstance(obj, BallotScope):
        return obj.cycle
    return getattr(obj, "cycle", None)


@rules.predicate
def is_staff_member(user) -> bool:
    return user.is_authenticated and user.is_staff


@rules.predicate
def is_council_member(user, obj) -> bool:
    cycle = _cycle_of(obj)
    if cycle is None or not user.is_authenticated:
        return False
    return CouncilMembership.objects.filter(user=user, cycle=cycle).exists()


@rules.predicate
def is_eligible_voter(user, scope) -> bool:
    from budgeting.selectors import get_ineligibility

    return (
        isinstance(scope, BallotScope)
        and user.is_authenticated
        and get_ineligibility(user=user, scope=scope) is None
    )


def phase_allows(feature: Feature):
    @rules.predicate(name=f"phase_allows_{feature.value}")
    def predicate(user, obj) -> bool:
        cycle = _cycle_of(obj)
        return cycle is not None and cycle.allows(feature)

    return predicate


@rules.predicate
def cycle_is_visible(user, obj) -> bool:
    cycle = _cycle_of(obj)
    return cycle is not None and cycle.phase != "draft"


# --- voting ---------------------------------------------------------------------------------------
@rules.predicate
def voting_is_closed(user, obj) -> bool:
    """Past the voting phase: only then may anyone (staff included) see per-project counts."""
    from budgeting.phases import Phase
    from budgeting.phases import phase_index

    cycle = _cycle_of(obj)
    return cycle is not None and phase_index(cycle.phase) > phase_index(Phase.VOTING)


# --- implementation tracking ----------------------------------------------------------------------
@rules.predicate
def project_is_funded(user, proposal) -> bool:
    """A published result funded this proposal (the projects whose implementation is tracked)."""
    from implementation.selectors import is_funded_project

    return proposal is not None and is_funded_project(proposal=proposal)


@rules.predicate
def took_part_in_project(user, proposal) -> bool:
    """Voted on the project's ballot (never what they chose), endorsed it or wrote it."""
    from implementation.selectors import took_part_in_project as took_part

    return proposal is not None and took_part(user=user, proposal=proposal)
