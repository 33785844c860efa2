"""Permission registrations for the committee app."""

import rules

from accounts.predicates import is_budget_office

rules.add_perm("committee.manage", is_budget_office)  # the budget office's committee console
