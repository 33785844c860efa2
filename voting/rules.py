"""Permission registrations only; the logic is in predicates.py."""

import rules

from accounts.predicates import acts_for_district
from budgeting.phases import Feature
from budgeting.predicates import phase_allows
from budgeting.predicates import voting_is_closed
from voting.predicates import is_eligible_voter

# Council members vote like any resident: only eligibility and the phase matter.
rules.add_perm("voting.submit_ballot", is_eligible_voter & phase_allows(Feature.VOTE))
# The one ballot page: any logged-in resident while voting is open (it lists the pots they may
# vote in, and says so when there are none).
rules.add_perm("voting.open_ballot_page", rules.is_authenticated & phase_allows(Feature.VOTE))
rules.add_perm("voting.enter_paper_ballot", acts_for_district & phase_allows(Feature.VOTE))
# (a district officer: the paper ballots of their 구's pots only; object: a cycle or a scope)
# Per-project counts: nobody, staff included, until voting has closed.
rules.add_perm("voting.view_vote_counts", voting_is_closed)
