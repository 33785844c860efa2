"""Permission registrations for the assembly app."""

import rules

from accounts.predicates import is_budget_office
from budgeting.phases import Phase
from core.predicates import is_staff_member


@rules.predicate
def assembly_is_public(user, assembly) -> bool:
    return assembly is not None and assembly.cycle.phase != Phase.DRAFT


rules.add_perm("assembly.manage", is_budget_office)  # schedule, attendance, votes, minutes
rules.add_perm("assembly.view", is_staff_member | assembly_is_public)
