"""Permission registrations only; the logic is in predicates.py."""

import rules

from budgeting.predicates import cycle_is_visible
from core.predicates import is_staff_member

rules.add_perm("budgeting.view_cycle", cycle_is_visible | is_staff_member)
