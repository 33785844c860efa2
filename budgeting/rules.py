"""Permission registrations only; the logic is in predicates.py."""

import rules

from budgeting.predicates import cycle_is_visible
from budgeting.predicates import is_staff_member

rules.add_perm("budgeting.view_cycle", cycle_is_visible | is_staff_member)
rules.add_perm("budgeting.manage_cycle", is_staff_member)
rules.add_perm("budgeting.advance_phase", is_staff_member)

# --- voting ---------------------------------------------------------------------------------------
from budgeting.phases import Feature  # noqa: E402
from budgeting.predicates import is_eligible_voter  # noqa: E402
from budgeting.predicates import phase_allows  # noqa: E402
from budgeting.predicates import voting_is_closed  # noqa: E402

# Council members vote like any resident: only eligibility and the phase matter.
rules.add_perm("budgeting.submit_ballot", is_eligible_voter & phase_allows(Feature.VOTE))
rules.add_perm("budgeting.enter_paper_ballot", is_staff_member & phase_allows(Feature.VOTE))
rules.add_perm("budgeting.view_turnout", cycle_is_visible)
# Per-project counts: nobody, staff included, until voting has closed.
rules.add_perm("budgeting.view_vote_counts", voting_is_closed)

# --- counting and publication ---------------------------------------------------------------------
# Results are public once an admin publishes them (phase PUBLISHED or IMPLEMENTATION), for
# everyone; staff follow the count before that on the staff tally page.
rules.add_perm("budgeting.view_results", phase_allows(Feature.VIEW_RESULTS))
rules.add_perm("budgeting.run_tally", is_staff_member)
rules.add_perm("budgeting.publish_results", is_staff_member)

# --- implementation tracking ----------------------------------------------------------------------
from budgeting.predicates import project_is_funded  # noqa: E402
from budgeting.predicates import took_part_in_project  # noqa: E402

_results_are_out = phase_allows(Feature.VIEW_RESULTS)
# The "what happened to the money" page of a cycle: public once results are published.
rules.add_perm("budgeting.view_accountability", _results_are_out)
rules.add_perm("budgeting.track_implementation", is_staff_member & _results_are_out)
# On a proposal: staff post progress and record the city council's cuts of funded projects.
rules.add_perm(
    "budgeting.post_implementation_update",
    is_staff_member & _results_are_out & project_is_funded,
)
rules.add_perm(
    "budgeting.record_budget_cut", is_staff_member & _results_are_out & project_is_funded
)
rules.add_perm(
    "budgeting.follow_project", _results_are_out & project_is_funded & took_part_in_project
)
