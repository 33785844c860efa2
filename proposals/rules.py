"""Permission registrations only; the logic is in the predicates modules."""

import rules

# --- council review (predicates in proposals/review_predicates.py) ---------------------------
from proposals.review_predicates import can_act_on_proposal
from proposals.review_predicates import can_score_proposal
from proposals.review_predicates import can_view_review_details
from proposals.review_predicates import is_reviewer

rules.add_perm("proposals.view_review_desk", is_reviewer)  # object: a cycle or a proposal
rules.add_perm("proposals.review_proposal", can_act_on_proposal)
rules.add_perm("proposals.decide_proposal", can_act_on_proposal)
rules.add_perm("proposals.merge_proposal", can_act_on_proposal)
rules.add_perm("proposals.score_proposal", can_score_proposal)
rules.add_perm("proposals.view_review_details", can_view_review_details)
