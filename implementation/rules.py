"""Permission registrations only; the logic is in predicates.py."""

import rules

from accounts.predicates import acts_for_district
from accounts.predicates import is_budget_office
from budgeting.phases import Feature
from budgeting.predicates import phase_allows
from implementation.predicates import project_is_funded
from implementation.predicates import took_part_in_project

_results_are_out = phase_allows(Feature.VIEW_RESULTS)
# The "what happened to the money" page of a cycle: public once results are published.
rules.add_perm("implementation.view_accountability", _results_are_out)
# District officers follow and update the projects of their 구 (the page lists only those).
rules.add_perm("implementation.track_implementation", acts_for_district & _results_are_out)
# On a proposal: staff post progress and record the city council's cuts of funded projects.
rules.add_perm(
    "implementation.post_implementation_update",
    acts_for_district & _results_are_out & project_is_funded,
)
rules.add_perm(
    "implementation.record_budget_cut", is_budget_office & _results_are_out & project_is_funded
)
rules.add_perm(
    "implementation.follow_project", _results_are_out & project_is_funded & took_part_in_project
)
