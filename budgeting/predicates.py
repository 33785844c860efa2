"""Small named predicates about cycles for ``rules`` (registrations live in rules.py)."""

import rules

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Feature
from budgeting.phases import Phase
from budgeting.phases import phase_index
from budgeting.selectors import is_council_member as is_council_member_of


def cycle_of(obj) -> BudgetCycle | None:
    if isinstance(obj, BudgetCycle):
        return obj
    if isinstance(obj, BallotScope):
        return obj.cycle
    return getattr(obj, "cycle", None)


@rules.predicate
def is_council_member(user, obj) -> bool:
    cycle = cycle_of(obj)
    return cycle is not None and is_council_member_of(user=user, cycle=cycle)


def phase_allows(feature: Feature):
    @rules.predicate(name=f"phase_allows_{feature.value}")
    def predicate(user, obj) -> bool:
        cycle = cycle_of(obj)
        return cycle is not None and cycle.allows(feature)

    return predicate


def phase_is(phase: Phase):
    @rules.predicate(name=f"phase_is_{phase.value}")
    def predicate(user, obj) -> bool:
        cycle = cycle_of(obj)
        return cycle is not None and cycle.phase == phase

    return predicate


@rules.predicate
def cycle_is_visible(user, obj) -> bool:
    cycle = cycle_of(obj)
    return cycle is not None and cycle.phase != Phase.DRAFT


@rules.predicate
def voting_is_closed(user, obj) -> bool:
    """Past the voting phase: only then may anyone (staff included) see per-project counts."""
    cycle = cycle_of(obj)
    return cycle is not None and phase_index(cycle.phase) > phase_index(Phase.VOTING)
