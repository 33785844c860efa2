"""Permission registrations for the departments app (the predicates say who)."""

import rules

from accounts.predicates import is_budget_office
from departments.predicates import is_official
from departments.predicates import may_answer
from departments.predicates import may_moderate
from departments.predicates import may_review

rules.add_perm("departments.route_proposal", is_budget_office)
rules.add_perm("departments.manage", is_budget_office)  # overdue list, ladder, all exports
rules.add_perm("departments.open_desk", is_official | is_budget_office)
rules.add_perm("departments.review_proposal", may_review)
rules.add_perm("departments.answer_escalation", may_answer)
rules.add_perm("departments.moderate_forum", may_moderate)
