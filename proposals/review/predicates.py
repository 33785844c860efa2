"""Predicates for the council's review (registrations live in proposals/rules.py).

Who: council members of the proposal's cycle (any subcommittee) and budget-office staff; never
the proposal's author or a co-author (checked by user). When: the cycle's review phase
(``Feature.REVIEW``), on a proposal still in the review funnel.

``get_review_refusal`` is that rule, written once: the permissions below, the review desk's
message and the services' defence in depth all ask it.
"""

from dataclasses import dataclass

import rules
from django.utils.translation import gettext as _

from budgeting.phases import Feature
from budgeting.phases import Phase
from budgeting.phases import phase_index
from budgeting.predicates import is_council_member
from budgeting.selectors import is_council_member as is_council_member_of
from core.predicates import has_second_factor
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
    return phase_index(cycle.phase) > phase_index(Phase.REVIEW)


@dataclass(frozen=True)
class ReviewRefusal:
    """Why someone may not act on a proposal now: a stable ``code`` and a translated message."""

    code: str
    message: str

    LOGIN = "login"  # not signed in
    NOT_REVIEWER = "not_reviewer"  # neither on this cycle's council nor staff
    NOT_COUNCIL = "not_council"  # staff, on an action only council members take (the rubric)
    AUTHOR = "author"  # wrote or co-wrote the proposal
    PHASE = "phase"  # the review phase is not open
    STATUS = "status"  # the proposal is no longer under review


REFUSAL_CODES: frozenset[str] = frozenset(
    {
        ReviewRefusal.LOGIN,
        ReviewRefusal.NOT_REVIEWER,
        ReviewRefusal.NOT_COUNCIL,
        ReviewRefusal.AUTHOR,
        ReviewRefusal.PHASE,
        ReviewRefusal.STATUS,
    }
)


def get_review_refusal(
    *, user, proposal: Proposal, council_only: bool = False
) -> ReviewRefusal | None:
    """Why ``user`` may not review, decide, merge (or, ``council_only``, score) ``proposal``
    now, the first reason found; None when they may."""
    if not user.is_authenticated:
        return ReviewRefusal(ReviewRefusal.LOGIN, _("Please log in."))
    is_member = is_council_member_of(user=user, cycle=proposal.cycle)
    if not (is_member or (user.is_staff and not council_only)):
        if council_only:
            refusal = ReviewRefusal(
                ReviewRefusal.NOT_COUNCIL, _("Only council members score proposals on the rubric.")
            )
        else:
            refusal = ReviewRefusal(
                ReviewRefusal.NOT_REVIEWER, _("Only the council of this budget cycle can do this.")
            )
        return refusal
    if user_wrote(user, proposal):
        return ReviewRefusal(
            ReviewRefusal.AUTHOR,
            _("You wrote or co-wrote this proposal, so you may not review or decide it."),
        )
    if not proposal.cycle.allows(Feature.REVIEW):
        return ReviewRefusal(
            ReviewRefusal.PHASE,
            _("The council review is not open: the review phase has not begun or has ended."),
        )
    if proposal.status not in REVIEWABLE_STATUSES or proposal.hidden_at is not None:
        return ReviewRefusal(
            ReviewRefusal.STATUS,
            _("This proposal is no longer under review (%(status)s).")
            % {"status": proposal.get_status_display()},
        )
    return None


@rules.predicate
def is_author_or_co_author(user, proposal) -> bool:
    return isinstance(proposal, Proposal) and user_wrote(user, proposal)


# Act on a proposal: review, decide, merge.
@rules.predicate
def can_act_on_proposal(user, proposal) -> bool:
    return (
        isinstance(proposal, Proposal) and get_review_refusal(user=user, proposal=proposal) is None
    )


# Score on the rubric: the council's own votes, so council members only.
@rules.predicate
def can_score_proposal(user, proposal) -> bool:
    return (
        isinstance(proposal, Proposal)
        and get_review_refusal(user=user, proposal=proposal, council_only=True) is None
    )


@rules.predicate
def review_is_over(user, obj) -> bool:
    cycle = getattr(obj, "cycle", obj)
    return cycle is not None and review_phase_has_ended(cycle)


# Council members see what the council sees only with their second factor, as staff do.
is_reviewer = (is_council_member & has_second_factor) | is_staff_member
# Per-member notes and rubric scores: the council and staff (not on their own proposal) during
# the review, everyone once it is over.
can_view_review_details = (is_reviewer & ~is_author_or_co_author) | review_is_over
