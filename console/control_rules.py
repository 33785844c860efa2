"""Who may use the set-up wizard and the phase control room (imported by their views).

The budget office: staff with their second factor (``core.predicates.is_staff_member``).
"""

import rules

from core.predicates import is_staff_member

rules.add_perm("console.run_cycles", is_staff_member)
