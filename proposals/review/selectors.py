"""Reads for the council's review and the public funnel."""

from dataclasses import dataclass
from dataclasses import field

import rules
from django.db.models import Avg
from django.db.models import Count
from django.db.models import Exists
from django.db.models import IntegerField
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.selectors import is_office_staff
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import PolicyArea
from budgeting.models import SubcommitteeMember
from budgeting.selectors import cycle_has_subcommittees
from budgeting.selectors import list_policy_area_ids_for
from proposals.models import CouncilDecision
from proposals.models import CouncilScore
from proposals.models import Endorsement
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.models import Recusal
from proposals.models import RubricCriterion
from proposals.models import SubcommitteeRecommendation
from proposals.review.predicates import REVIEWABLE_STATUSES
from proposals.review.predicates import review_phase_has_ended


# --- the council's desk ------------------------------------------------------------------------
def list_review_cycles(*, user) -> QuerySet[BudgetCycle]:
    """Cycles whose review desk ``user`` may open: their council's, or every one for staff."""
    if not user.is_authenticated:
        return BudgetCycle.objects.none()
    cycles = BudgetCycle.objects.visible()
    if not is_office_staff(user=user):
        member_of = CouncilMembership.objects.filter(
            user=user, status=CouncilMembership.Status.MEMBER
        ).values("cycle_id")
        seated_in = SubcommitteeMember.objects.filter(user=user).values("subcommittee__cycle_id")
        cycles = cycles.filter(Q(pk__in=member_of) | Q(pk__in=seated_in))
    return cycles.annotate(
        in_review=Count("proposals", filter=Q(proposals__status__in=REVIEWABLE_STATUSES))
    ).order_by("-year", "-proposals_start_at")


class QueueProgress:
    """Where a proposal is in the council's work, for the queue's filters."""

    WAITING_FOR_REVIEW = "waiting"  # no feasibility review yet
    REVIEWED = "reviewed"  # at least one feasibility review
    NEEDS_DECISION = "undecided"  # no council decision yet
    DECIDED = "decided"
    REVIEW_CHOICES = (WAITING_FOR_REVIEW, REVIEWED)
    DECISION_CHOICES = (NEEDS_DECISION, DECIDED)


class QueueSort:
    URGENT = "urgent"  # undecided first, then those the council must answer, most endorsed
    MOST_ENDORSED = "endorsed"
    NEWEST = "newest"
    OLDEST = "oldest"
    CHOICES = (URGENT, MOST_ENDORSED, NEWEST, OLDEST)


_QUEUE_ORDER = {
    QueueSort.URGENT: ("has_decision", "-must_answer", "-endorsement_count", "pk"),
    QueueSort.MOST_ENDORSED: ("-endorsement_count", "pk"),
    QueueSort.NEWEST: ("-submitted_at", "-pk"),
    QueueSort.OLDEST: ("submitted_at", "pk"),
}


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, already checked against the cycle (see ``ReviewQueueFilterForm``)."""

    policy_area: PolicyArea | None = None
    scope: BallotScope | None = None
    status: str = ""  # one of REVIEWABLE_STATUSES, or "" for any
    review: str = ""  # QueueProgress.REVIEW_CHOICES, or ""
    decision: str = ""  # QueueProgress.DECISION_CHOICES, or ""
    query: str = ""  # words of the title, or a proposal number ("#12" or "12")
    sort: str = QueueSort.URGENT


def count_decision_revisions(*, proposal: Proposal) -> int:
    """How many times the council's decision on ``proposal`` has been recorded (0: never)."""
    return AuditEvent.objects.filter(
        event_type=AuditEvent.Type.COUNCIL_DECISION_RECORDED,
        subject_type__app_label="proposals",
        subject_type__model="proposal",
        subject_id=str(proposal.pk),
    ).count()


def list_review_queue(
    *, user, cycle: BudgetCycle, filters: QueueFilters = QueueFilters()
) -> QuerySet[Proposal]:
    """Proposals waiting for (or under) the council's review, most urgent first by default.

    Each carries ``endorsement_count``, ``review_count``, ``has_my_review``, ``has_decision``,
    ``is_mine`` (author or co-author: the user may not act) and ``must_answer`` (the
    endorsement threshold is reached, so the council owes the proposal an answer). The counts
    are subqueries, so a page of the queue costs the same whatever the number of endorsements.
    """
    proposals = (
        Proposal.objects.filter(cycle=cycle, status__in=REVIEWABLE_STATUSES, hidden_at__isnull=True)
        .select_related("scope__district", "policy_area")
        .annotate(
            endorsement_count=_count_of(Endorsement),
            review_count=_count_of(FeasibilityReview),
            has_review=Exists(FeasibilityReview.objects.filter(proposal=OuterRef("pk"))),
            has_my_review=Exists(
                FeasibilityReview.objects.filter(proposal=OuterRef("pk"), reviewer=user)
            ),
            has_decision=Exists(CouncilDecision.objects.filter(proposal=OuterRef("pk"))),
            is_mine=Q(author=user)
            | Exists(
                Proposal.co_authors.through.objects.filter(proposal_id=OuterRef("pk"), user=user)
            ),
        )
        .annotate(must_answer=Q(endorsement_count__gte=cycle.endorsement_threshold))
        .annotate(is_recused=Exists(Recusal.objects.filter(proposal=OuterRef("pk"), member=user)))
    )
    if not is_office_staff(user=user) and cycle_has_subcommittees(cycle=cycle):
        # the 분과 boundary: a member sees only the proposals of their 분과's policy areas
        proposals = proposals.filter(
            policy_area_id__in=list_policy_area_ids_for(user=user, cycle=cycle)
        )
    if filters.policy_area is not None:
        proposals = proposals.filter(policy_area=filters.policy_area)
    if filters.scope is not None:
        proposals = proposals.filter(scope=filters.scope)
    if filters.status in REVIEWABLE_STATUSES:
        proposals = proposals.filter(status=filters.status)
    if filters.review in QueueProgress.REVIEW_CHOICES:
        proposals = proposals.filter(
            has_review=filters.review == QueueProgress.REVIEWED,
        )
    if filters.decision in QueueProgress.DECISION_CHOICES:
        proposals = proposals.filter(has_decision=filters.decision == QueueProgress.DECIDED)
    query = filters.query.strip()
    if query:
        number = query.removeprefix("#")
        matches = Q(title__icontains=query)
        if number.isdigit() and len(number) < 10:
            matches |= Q(pk=int(number))
        proposals = proposals.filter(matches)
    return proposals.order_by(*_QUEUE_ORDER.get(filters.sort, _QUEUE_ORDER[QueueSort.URGENT]))


def _count_of(model) -> Coalesce:
    """How many ``model`` rows point to the outer proposal (0 when none)."""
    rows = (
        model.objects.filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def list_merge_candidates(*, proposal: Proposal) -> QuerySet[Proposal]:
    """Proposals that could be merged into ``proposal``: same ballot, still under review."""
    return (
        Proposal.objects.filter(
            scope_id=proposal.scope_id, status__in=REVIEWABLE_STATUSES, hidden_at__isnull=True
        )
        .exclude(pk=proposal.pk)
        .exclude(status=Proposal.Status.ON_BALLOT)
        .select_related("policy_area")
        .order_by("policy_area__order", "title", "pk")
    )


def list_rubric(*, cycle: BudgetCycle) -> QuerySet[RubricCriterion]:
    return RubricCriterion.objects.filter(cycle=cycle).order_by("order", "pk")


def get_member_scores(*, proposal: Proposal, member) -> dict[int, int]:
    """``member``'s rubric points for ``proposal``, by criterion id."""
    return dict(
        CouncilScore.objects.filter(proposal=proposal, member=member).values_list(
            "criterion_id", "points"
        )
    )


def get_decision_revision(*, proposal: Proposal) -> int:
    return count_decision_revisions(proposal=proposal)


# --- what the public (and the council) sees on a proposal page -------------------------------
@dataclass
class ReviewSummary:
    proposal: Proposal
    details_are_public: bool  # notes and scores visible to everyone (review phase over)
    show_details: bool  # visible to this viewer
    decision: CouncilDecision | None
    reviews: list[FeasibilityReview] = field(default_factory=list)
    merged_into: Proposal | None = None
    merged_from: list[Proposal] = field(default_factory=list)
    rubric: list[dict] = field(default_factory=list)
    verdict_counts: dict[str, int] = field(default_factory=dict)
    latest_verdict: str = ""


def get_review_summary(*, proposal: Proposal, user) -> ReviewSummary:
    """The review block of a proposal page.

    Public at once: the status, the reviewed cost, the council's decision and public reason,
    merges, and how many reviews found what. Per-member review notes and rubric scores: to the
    council and staff at once, to everyone once the review phase has ended.
    """
    details_are_public = review_phase_has_ended(proposal.cycle)
    show_details = rules.has_perm("proposals.view_review_details", user, proposal)
    decision = (
        CouncilDecision.objects.filter(proposal=proposal).select_related("decided_by").first()
    )
    reviews = list(
        proposal.feasibility_reviews.select_related("reviewer__resident_profile").order_by(
            "-updated_at", "-pk"
        )
    )
    counts: dict[str, int] = {}
    for review in reviews:
        counts[review.verdict] = counts.get(review.verdict, 0) + 1
    summary = ReviewSummary(
        proposal=proposal,
        details_are_public=details_are_public,
        show_details=show_details,
        decision=decision,
        reviews=reviews if show_details else [],
        merged_into=proposal.merged_into if proposal.merged_into_id else None,
        merged_from=list(proposal.merged_proposals.order_by("pk")),
        verdict_counts=counts,
        latest_verdict=reviews[0].verdict if reviews else "",
    )
    if show_details:
        averages = {
            row["criterion_id"]: row
            for row in CouncilScore.objects.filter(proposal=proposal)
            .values("criterion_id")
            .annotate(average=Avg("points"), count=Count("pk"))
        }
        for criterion in list_rubric(cycle=proposal.cycle):
            row = averages.get(criterion.pk)
            summary.rubric.append(
                {
                    "criterion": criterion,
                    "average": round(float(row["average"]), 1) if row else None,
                    "count": row["count"] if row else 0,
                }
            )
    return summary


# --- the public funnel -------------------------------------------------------------------------
FUNNEL_STEPS: tuple[str, ...] = (
    "submitted",
    "withdrawn",
    "merged",
    "infeasible",
    "rejected",
    "on_ballot",
    "in_review",
)


_STEP_STATUS = {
    "withdrawn": Proposal.Status.WITHDRAWN,
    "merged": Proposal.Status.MERGED,
    "infeasible": Proposal.Status.INFEASIBLE,
    "rejected": Proposal.Status.REJECTED,
    "on_ballot": Proposal.Status.ON_BALLOT,
    "in_review": Proposal.Status.SUBMITTED,
}


def _funnel_annotations(*, within: Q) -> dict:
    """Count aggregates over the related ``proposals`` matching ``within`` (and their reviews,
    for the reasons). Reviews are joined, so every count is distinct on the proposal."""
    within = within & ~Q(proposals__status=Proposal.Status.DRAFT)
    counts = {"submitted": Count("proposals", filter=within, distinct=True)}
    for step, status in _STEP_STATUS.items():
        counts[step] = Count(
            "proposals", filter=within & Q(proposals__status=status), distinct=True
        )
    for code in FeasibilityReview.ReasonCode.values:
        counts[f"reason_{code}"] = Count(
            "proposals",
            filter=within
            & Q(
                proposals__status=Proposal.Status.INFEASIBLE,
                proposals__feasibility_reviews__verdict=FeasibilityReview.Verdict.INFEASIBLE,
                # the JSON text holds each code in quotes; this lookup works on SQLite (demo) too
                proposals__feasibility_reviews__reason_codes__icontains=f'"{code}"',
            ),
            distinct=True,
        )
    return counts


@dataclass
class FunnelRow:
    label: str
    counts: dict[str, int]
    reasons: list[tuple[str, int]]  # (reason label, proposals) for reasons cited at least once

    def percent(self, step: str) -> int:
        """``step`` as a share of submitted proposals, rounded to 5 % for the CSS bars."""
        total = self.counts.get("submitted", 0)
        if not total:
            return 0
        return round(self.counts.get(step, 0) * 20 / total) * 5


@dataclass
class Funnel:
    by_scope: list[FunnelRow]
    by_area: list[FunnelRow]
    total: FunnelRow


def _row(label: str, obj) -> FunnelRow:
    counts = {step: getattr(obj, step) for step in FUNNEL_STEPS}
    reasons = [
        (str(label_), getattr(obj, f"reason_{code}"))
        for code, label_ in FeasibilityReview.ReasonCode.choices
        if getattr(obj, f"reason_{code}")
    ]
    return FunnelRow(label=label, counts=counts, reasons=reasons)


def get_proposal_funnel(*, cycle: BudgetCycle) -> Funnel:
    """How many proposals were submitted, withdrawn, merged, found infeasible (by reason),
    rejected and put on the ballot, per ballot scope and per policy area: two queries.

    A proposal counts once per step (its current status); "submitted" counts every proposal
    that was ever submitted. Infeasible reasons count the infeasible proposals whose reviews
    cite that reason, so a proposal may count under several reasons.
    """
    scopes = list(
        BallotScope.objects.filter(cycle=cycle)
        .select_related("district")
        .annotate(**_funnel_annotations(within=Q(proposals__isnull=False)))
        .order_by("district__order", "pk")
    )
    areas = list(
        PolicyArea.objects.annotate(
            **_funnel_annotations(within=Q(proposals__cycle=cycle))
        ).order_by("order", "pk")
    )
    by_scope = [_row(scope.name, scope) for scope in scopes]
    by_area = [_row(area.name, area) for area in areas if area.submitted]  # type: ignore[attr-defined]
    totals = {step: sum(row.counts[step] for row in by_scope) for step in FUNNEL_STEPS}
    reason_totals: dict[str, int] = {}
    for row in by_scope:
        for label, count in row.reasons:
            reason_totals[label] = reason_totals.get(label, 0) + count
    total = FunnelRow(label=_("All ballots"), counts=totals, reasons=list(reason_totals.items()))
    return Funnel(by_scope=by_scope, by_area=by_area, total=total)


# --- 분과 -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicRecusal:
    member: str  # the committee page's label: a name only with consent, else "member 17"
    reason: str


def list_recusals(*, proposal: Proposal) -> list[PublicRecusal]:
    """Who stepped aside from ``proposal`` and why, labelled as on the committee page."""
    recusals = list(Recusal.objects.filter(proposal=proposal).order_by("created_at"))
    seats = {
        m.user_id: m
        for m in CouncilMembership.objects.filter(
            cycle_id=proposal.cycle_id, user_id__in=[r.member_id for r in recusals]
        ).select_related("user__resident_profile")
    }
    return [
        PublicRecusal(
            member=seats[r.member_id].public_label if r.member_id in seats else _("Expert member"),
            reason=r.reason,
        )
        for r in recusals
    ]


def get_recommendation(*, proposal: Proposal) -> SubcommitteeRecommendation | None:
    return (
        SubcommitteeRecommendation.objects.filter(proposal=proposal)
        .select_related("subcommittee")
        .first()
    )
