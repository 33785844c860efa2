"""Predicates for the council's review (registrations live in proposals/rules.py).

Who: council members of the proposal's cycle and budget-office staff; when the cycle's committee
works in 분과 (``budgeting.Subcommittee``), a member acts only on proposals of their 분과's policy
areas, and the 분과's expert members review and score but never decide or merge; only the chair
records the 분과's recommendation. Never the proposal's author or a co-author, nor a member who
stepped aside from it or whose declared interest it matches. When: the cycle's review phase
(``Feature.REVIEW``), on a proposal still in the review funnel.

``get_review_refusal`` is that rule, written once: the permissions below, the review desk's
message and the services' defence in depth all ask it.
"""

from dataclasses import dataclass

import rules
from django.utils.translation import gettext as _

from accounts.selectors import is_office_staff
from budgeting.models import DeclaredInterest
from budgeting.models import SubcommitteeMember
from budgeting.phases import Feature
from budgeting.phases import Phase
from budgeting.phases import phase_index
from budgeting.selectors import cycle_has_subcommittees
from budgeting.selectors import get_subcommittee_seat_for_area
from budgeting.selectors import is_council_member as is_council_member_of
from budgeting.selectors import is_subcommittee_expert
from budgeting.selectors import list_declared_interests
from core.predicates import has_second_factor
from proposals.models import Proposal
from proposals.models import Recusal

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
    SUBCOMMITTEE = "subcommittee"  # the proposal belongs to another 분과
    EXPERT = "expert"  # expert members review and score but do not decide
    NOT_CHAIR = "not_chair"  # only the 분과's chair records its recommendation
    RECUSED = "recused"  # stepped aside from the proposal
    INTEREST = "interest"  # the proposal matches a declared interest
    PHASE = "phase"  # the review phase is not open
    STATUS = "status"  # the proposal is no longer under review


REFUSAL_CODES: frozenset[str] = frozenset(
    {
        ReviewRefusal.LOGIN,
        ReviewRefusal.NOT_REVIEWER,
        ReviewRefusal.NOT_COUNCIL,
        ReviewRefusal.AUTHOR,
        ReviewRefusal.SUBCOMMITTEE,
        ReviewRefusal.EXPERT,
        ReviewRefusal.NOT_CHAIR,
        ReviewRefusal.RECUSED,
        ReviewRefusal.INTEREST,
        ReviewRefusal.PHASE,
        ReviewRefusal.STATUS,
    }
)


class Action:
    """What someone wants to do on the review desk (each has its own rule for experts/chairs)."""

    REVIEW = "review"  # feasibility review
    SCORE = "score"  # rubric scores: committee members and experts, not staff
    DECIDE = "decide"  # the council's decision: members (and staff), never experts
    MERGE = "merge"  # merging duplicates is a decision too
    RECOMMEND = "recommend"  # the 분과's recommendation: its chair only
    STEP_ASIDE = "step_aside"  # a member steps aside


def matching_interest(*, user, proposal: Proposal) -> DeclaredInterest | None:
    """The first of ``user``'s declared interests that ``proposal`` matches (None if none).

    A district interest matches proposals in that district's ballot, a policy-area interest
    proposals of that area, and a named organisation any proposal whose text names it.
    """
    text = " ".join(
        [proposal.title, proposal.summary, proposal.description, proposal.problem,
         proposal.beneficiaries]
    ).casefold()  # fmt: skip
    district_id = proposal.scope.district_id
    for interest in list_declared_interests(user=user, cycle=proposal.cycle):
        if interest.district_id is not None and interest.district_id == district_id:
            return interest
        if (
            interest.policy_area_id is not None
            and interest.policy_area_id == proposal.policy_area_id
        ):
            return interest
        name = interest.organisation.strip().casefold()
        if len(name) >= 2 and name in text:
            return interest
    return None


def _acting_seat(*, user, proposal: Proposal) -> tuple[bool, SubcommitteeMember | None, bool]:
    """(is a council member, their seat for the proposal's area, the cycle works in 분과)."""
    cycle = proposal.cycle
    return (
        is_council_member_of(user=user, cycle=cycle),
        get_subcommittee_seat_for_area(
            user=user, cycle=cycle, policy_area_id=proposal.policy_area_id
        ),
        cycle_has_subcommittees(cycle=cycle),
    )


def get_review_refusal(  # noqa: PLR0911 (one rule, read top to bottom)
    *, user, proposal: Proposal, council_only: bool = False, action: str = Action.REVIEW
) -> ReviewRefusal | None:
    """Why ``user`` may not take ``action`` on ``proposal`` now (``council_only``: score, the
    older spelling), the first reason found; None when they may."""
    if council_only:
        action = Action.SCORE
    if not user.is_authenticated:
        return ReviewRefusal(ReviewRefusal.LOGIN, _("Please log in."))
    is_member, seat, has_subcommittees = _acting_seat(user=user, proposal=proposal)
    is_expert = seat is not None and seat.role == SubcommitteeMember.Role.EXPERT
    staff_may = is_office_staff(user=user) and action not in {Action.SCORE, Action.RECOMMEND}
    if not (is_member or is_expert or staff_may):
        if action == Action.SCORE:
            return ReviewRefusal(
                ReviewRefusal.NOT_COUNCIL, _("Only council members score proposals on the rubric.")
            )
        if action == Action.RECOMMEND:
            return ReviewRefusal(
                ReviewRefusal.NOT_CHAIR,
                _("Only the chair of the proposal's subcommittee records its recommendation."),
            )
        return ReviewRefusal(
            ReviewRefusal.NOT_REVIEWER, _("Only the council of this budget cycle can do this.")
        )
    if not staff_may and has_subcommittees and seat is None:
        return ReviewRefusal(
            ReviewRefusal.SUBCOMMITTEE,
            _(
                "This proposal's policy area (%(area)s) belongs to another subcommittee; "
                "you act only on your subcommittee's proposals."
            )
            % {"area": proposal.policy_area.name},
        )
    if is_expert and not is_member and action in {Action.DECIDE, Action.MERGE}:
        return ReviewRefusal(
            ReviewRefusal.EXPERT,
            _("Expert members review and score proposals but do not vote on decisions."),
        )
    if action == Action.RECOMMEND and (seat is None or seat.role != SubcommitteeMember.Role.CHAIR):
        return ReviewRefusal(
            ReviewRefusal.NOT_CHAIR,
            _("Only the chair of the proposal's subcommittee records its recommendation."),
        )
    if user_wrote(user, proposal):
        return ReviewRefusal(
            ReviewRefusal.AUTHOR,
            _("You wrote or co-wrote this proposal, so you may not review or decide it."),
        )
    if action != Action.STEP_ASIDE:
        recusal = Recusal.objects.filter(proposal=proposal, member=user).first()
        if recusal is not None:
            return ReviewRefusal(
                ReviewRefusal.RECUSED,
                _("You stepped aside from this proposal (“%(reason)s”).")
                % {"reason": recusal.reason},
            )
        interest = matching_interest(user=user, proposal=proposal)
        if interest is not None:
            return ReviewRefusal(
                ReviewRefusal.INTEREST,
                _("This proposal matches an interest you declared (%(interest)s).")
                % {"interest": interest.organisation or interest.get_kind_display()},
            )
    return get_phase_or_status_refusal(proposal=proposal)


def get_phase_or_status_refusal(*, proposal: Proposal) -> ReviewRefusal | None:
    """Why nobody may review ``proposal`` now (phase closed, proposal out of the funnel)."""
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


def may_open_on_desk(*, user, obj) -> bool:
    """Whether ``user`` may open the review desk for ``obj`` (a cycle or a proposal).

    Staff always; council members of the cycle and the cycle's expert members, but, when the
    committee works in 분과, a proposal only if it belongs to one of their 분과.
    """
    if not user.is_authenticated:
        return False
    if is_office_staff(user=user):
        return True
    cycle = getattr(obj, "cycle", obj)
    if cycle is None or not hasattr(cycle, "phase"):
        return False
    is_member = is_council_member_of(user=user, cycle=cycle)
    if not isinstance(obj, Proposal):
        return is_member or is_subcommittee_expert(user=user, cycle=cycle)
    seat = get_subcommittee_seat_for_area(user=user, cycle=cycle, policy_area_id=obj.policy_area_id)
    if cycle_has_subcommittees(cycle=cycle):
        return seat is not None
    return is_member


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


# Record the 분과's recommendation: the chair of the proposal's 분과.
@rules.predicate
def can_recommend_proposal(user, proposal) -> bool:
    return (
        isinstance(proposal, Proposal)
        and get_review_refusal(user=user, proposal=proposal, action=Action.RECOMMEND) is None
    )


# Decide (and merge): members and staff, never an expert member.
@rules.predicate
def can_decide_proposal(user, proposal) -> bool:
    return (
        isinstance(proposal, Proposal)
        and get_review_refusal(user=user, proposal=proposal, action=Action.DECIDE) is None
    )


@rules.predicate
def can_step_aside(user, proposal) -> bool:
    return (
        isinstance(proposal, Proposal)
        and get_review_refusal(user=user, proposal=proposal, action=Action.STEP_ASIDE) is None
        and not user.is_staff
    )


@rules.predicate
def can_open_desk(user, obj) -> bool:
    return may_open_on_desk(user=user, obj=obj)


@rules.predicate
def review_is_over(user, obj) -> bool:
    cycle = getattr(obj, "cycle", obj)
    return cycle is not None and review_phase_has_ended(cycle)


# The desk: staff, and the cycle's members and experts (a proposal only within their 분과),
# and only with their second factor (what the council sees is not shown without it).
is_reviewer = can_open_desk & has_second_factor
# Per-member notes and rubric scores: the council and staff (not on their own proposal) during
# the review, everyone once it is over.
can_view_review_details = (is_reviewer & ~is_author_or_co_author) | review_is_over
