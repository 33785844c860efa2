"""Permission registrations only; the logic is in predicates.py."""

import rules

from accounts.predicates import is_budget_office
from channels.predicates import is_office_officer

rules.add_perm("channels.manage_voting_codes", is_budget_office)
# Kiosk and walk-in paper ballots: staff with a second factor, posted at that office.
rules.add_perm("channels.assist_at_office", is_office_officer)
