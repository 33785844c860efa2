"""Permission registrations for the committee app."""

import rules

from core.predicates import is_staff_member

rules.add_perm("committee.manage", is_staff_member)  # the budget office's committee console
