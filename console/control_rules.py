"""Who may use the set-up wizard and the phase control room (imported by their views).

The budget office (``accounts.predicates.is_budget_office``: staff with their second factor and
the budget-office role, or no role at all).
"""

import rules

from accounts.predicates import is_budget_office

rules.add_perm("console.run_cycles", is_budget_office)
