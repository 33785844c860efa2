"""Permission registrations only; the logic is in predicates.py."""

import rules

from accounts.predicates import has_resident_profile
from accounts.predicates import is_moderator
from budgeting.phases import Feature
from budgeting.predicates import is_council_member
from proposals.predicates import is_comment_author
from proposals.predicates import is_eligible_participant
from proposals.predicates import is_endorsable
from proposals.predicates import is_open_for_changes
from proposals.predicates import is_open_for_discussion
from proposals.predicates import is_proposal_author
from proposals.predicates import is_within_comment_edit_window
from proposals.predicates import phase_allows
from proposals.review.predicates import can_act_on_proposal
from proposals.review.predicates import can_decide_proposal
from proposals.review.predicates import can_recommend_proposal
from proposals.review.predicates import can_score_proposal
from proposals.review.predicates import can_step_aside
from proposals.review.predicates import can_view_review_details
from proposals.review.predicates import is_reviewer

# --- submission (object: the cycle for add, the proposal otherwise) -------------------------------
# Views gate on the role alone (``*_role``) so that a post arriving after the phase ended gets the
# service's message with the resident's text kept; buttons and services use the full permission.
rules.add_perm("proposals.add_proposal_role", is_eligible_participant)
rules.add_perm("proposals.add_proposal", is_eligible_participant & phase_allows(Feature.PROPOSE))
rules.add_perm("proposals.change_proposal_role", is_proposal_author)
rules.add_perm(
    "proposals.change_proposal",
    is_proposal_author & is_open_for_changes & phase_allows(Feature.PROPOSE),
)
rules.add_perm(
    "proposals.withdraw_proposal",
    is_proposal_author & is_open_for_changes & phase_allows(Feature.PROPOSE),
)

# --- deliberation ---------------------------------------------------------------------------------
rules.add_perm(
    "proposals.comment_on_proposal",
    is_eligible_participant & is_open_for_discussion & phase_allows(Feature.COMMENT),
)
rules.add_perm(
    "proposals.change_comment",
    is_comment_author & is_within_comment_edit_window & phase_allows(Feature.COMMENT),
)
# Council members answer proposals that reach the threshold, so they do not endorse in their cycle.
rules.add_perm(
    "proposals.endorse_proposal",
    is_eligible_participant
    & ~is_proposal_author
    & ~is_council_member
    & is_endorsable
    & phase_allows(Feature.ENDORSE),
)
rules.add_perm("proposals.report_content", has_resident_profile & is_open_for_discussion)

# --- moderation -----------------------------------------------------------------------------------
rules.add_perm("proposals.moderate", is_moderator)

# --- council review (predicates in proposals/review/predicates.py) --------------------------------
# Views gate on ``view_review_desk`` (council of the cycle or staff); the action permissions below
# add "not the author", the review phase and the proposal's status (``get_review_refusal``), so a
# post arriving after the phase ended is answered with its reason and the typed text kept (403).

rules.add_perm("proposals.view_review_desk", is_reviewer)  # object: a cycle or a proposal
rules.add_perm("proposals.review_proposal", can_act_on_proposal)
rules.add_perm("proposals.decide_proposal", can_decide_proposal)
rules.add_perm("proposals.merge_proposal", can_decide_proposal)
rules.add_perm("proposals.recommend_proposal", can_recommend_proposal)
rules.add_perm("proposals.step_aside", can_step_aside)
rules.add_perm("proposals.score_proposal", can_score_proposal)
rules.add_perm("proposals.view_review_details", can_view_review_details)
