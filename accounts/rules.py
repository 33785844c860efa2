import rules

from core.predicates import is_staff_member

rules.add_perm("accounts.verify_residents", is_staff_member)
