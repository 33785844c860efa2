import rules

from accounts.predicates import is_budget_office

rules.add_perm("accounts.verify_residents", is_budget_office)
