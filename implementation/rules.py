"""Permission registrations only; the logic is in predicates.py."""

import rules

from budgeting.phases import Feature
from budgeting.predicates import phase_allows
from core.predicates import is_staff_member
from implementation.predicates import project_is_funded
from implementation.predicates import took_part_in_project

_results_are_out = phase_allows(Feature.VIEW_RESULTS)
# The "what happened to the money" page of a cycle: public once results are published.
rules.add_perm("implementation.view_accountability", _results_are_out)
rules.add_perm("implementation.track_implementation", is_staff_member & _results_are_out)
# On a proposal: staff post progress and record the city council's cuts of funded projects.
rules.add_perm(
    "implementation.post_implementation_update",
    is_staff_member & _results_are_out & project_is_funded,
)
rules.add_perm(
    "implementation.record_budget_cut", is_staff_member & _results_are_out & project_is_funded
)
rules.add_perm(
    "implementation.follow_project", _results_are_out & project_is_funded & took_part_in_project
)
