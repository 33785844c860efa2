"""Small named predicates for proposals (registrations live in rules.py).

The permission object is what is acted on: a ``BudgetCycle`` to propose in, a ``Proposal`` to
edit, withdraw, comment on, endorse or report, a ``Comment`` to edit or report.
"""

import rules
from django.utils import timezone

from budgeting.models import BudgetCycle
from budgeting.phases import Feature
from proposals.models import Comment
from proposals.models import Proposal
from proposals.selectors import COMMENT_EDIT_WINDOW
from proposals.selectors import OPEN_STATUSES
from proposals.selectors import get_participation_ineligibility


def _cycle_of(obj) -> BudgetCycle | None:
    if isinstance(obj, BudgetCycle):
        return obj
    if isinstance(obj, Comment):
        return obj.proposal.cycle
    return getattr(obj, "cycle", None)


def _proposal_of(obj) -> Proposal | None:
    if isinstance(obj, Proposal):
        return obj
    if isinstance(obj, Comment):
        return obj.proposal
    return None


def phase_allows(feature: Feature):
    """Whether the cycle of the object (a cycle, proposal or comment) allows ``feature`` now."""

    @rules.predicate(name=f"proposals_phase_allows_{feature.value}")
    def predicate(user, obj) -> bool:
        cycle = _cycle_of(obj)
        return cycle is not None and cycle.allows(feature)

    return predicate


@rules.predicate
def is_eligible_participant(user, obj) -> bool:
    """A resident the cycle's rule admits (profile; verified if the cycle requires it; age)."""

    cycle = _cycle_of(obj)
    return (
        cycle is not None
        and user.is_authenticated
        and get_participation_ineligibility(user=user, cycle=cycle) is None
    )


@rules.predicate
def is_proposal_author(user, obj) -> bool:
    proposal = _proposal_of(obj)
    return proposal is not None and user.is_authenticated and proposal.author_id == user.pk


@rules.predicate
def is_open_for_changes(user, proposal) -> bool:
    """A draft or submitted proposal not hidden by moderation (its author may still change it)."""

    return (
        isinstance(proposal, Proposal)
        and proposal.status in OPEN_STATUSES
        and proposal.hidden_at is None
    )


@rules.predicate
def is_open_for_discussion(user, obj) -> bool:
    """A public proposal (not a draft, not withdrawn, not hidden) that takes comments."""
    proposal = _proposal_of(obj)
    return (
        proposal is not None
        and proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN)
        and proposal.hidden_at is None
    )


@rules.predicate
def is_endorsable(user, proposal) -> bool:
    return (
        isinstance(proposal, Proposal)
        and proposal.status == Proposal.Status.SUBMITTED
        and proposal.hidden_at is None
    )


@rules.predicate
def is_comment_author(user, comment) -> bool:
    return isinstance(comment, Comment) and user.is_authenticated and comment.author_id == user.pk


@rules.predicate
def is_within_comment_edit_window(user, comment) -> bool:

    return (
        isinstance(comment, Comment)
        and comment.hidden_at is None
        and timezone.now() < comment.created_at + COMMENT_EDIT_WINDOW
    )
