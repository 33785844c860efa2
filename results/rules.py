"""Permission registrations only; the logic is in budgeting's predicates."""

import rules

from accounts.predicates import is_budget_office
from budgeting.phases import Feature
from budgeting.phases import Phase
from budgeting.predicates import phase_allows
from budgeting.predicates import phase_is

# Results are public once an admin publishes them (phase PUBLISHED or IMPLEMENTATION), for
# everyone; staff follow the count before that on the staff tally page.
rules.add_perm("results.view_results", phase_allows(Feature.VIEW_RESULTS))
# Staff ask for a count again only while counting: once published, the results are frozen.
rules.add_perm("results.run_tally", is_budget_office & phase_is(Phase.TALLYING))
rules.add_perm("results.publish_results", is_budget_office)
