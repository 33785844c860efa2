"""Predicates for the council's review (registrations live in proposals/rules.py).

Who: council members of the proposal's cycle (any subcommittee) and budget-office staff; never
the proposal's author or a co-author (checked by user). When: the cycle's review phase
(``Feature.REVIEW``), on a proposal still in the review funnel.
"""

import rules

from budgeting.phases import PHASE_ORDER
from budgeting.phases import Feature
from budgeting.phases import Phase
from budgeting.predicates import is_council_member
from budgeting.predicates import phase_allows
from core.predicates import is_staff_member
from proposals.models import Proposal

# Statuses a proposal can have while the council works on it (decisions can be changed).
REVIEWABLE_STATUSES: frozenset[str] = frozenset(
    {
        Proposal.Status.SUBMITTED,
        Proposal.Status.INFEASIBLE,
        Proposal.Status.REJECTED,
        Proposal.Status.ON_BALLOT,
    }
)


def user_wrote(user, proposal: Proposal) -> bool:
    """Whether ``user`` is the author or a co-author of ``proposal``."""
    if not user.is_authenticated:
        return False
    return proposal.author_id == user.pk or proposal.co_authors.filter(pk=user.pk).exists()


def review_phase_has_ended(cycle) -> bool:
    return PHASE_ORDER.index(Phase(cycle.phase)) > PHASE_ORDER.index(Phase.REVIEW)


@rules.predicate
def is_author_or_co_author(user, proposal) -> bool:
    return isinstance(proposal, Proposal) and user_wrote(user, proposal)


@rules.predicate
def is_in_review(user, proposal) -> bool:
    return (
        isinstance(proposal, Proposal)
        and proposal.status in REVIEWABLE_STATUSES
        and proposal.hidden_at is None
    )


@rules.predicate
def review_is_over(user, obj) -> bool:
    cycle = getattr(obj, "cycle", obj)
    return cycle is not None and review_phase_has_ended(cycle)


review_is_open = phase_allows(Feature.REVIEW)

is_reviewer = is_council_member | is_staff_member
# Act on a proposal: review, decide, merge.
can_act_on_proposal = is_reviewer & ~is_author_or_co_author & review_is_open & is_in_review
# Score on the rubric: the council's own votes, so council members only.
can_score_proposal = is_council_member & ~is_author_or_co_author & review_is_open & is_in_review
# Per-member notes and rubric scores: the council and staff (not on their own proposal) during
# the review, everyone once it is over.
can_view_review_details = (is_reviewer & ~is_author_or_co_author) | review_is_over
