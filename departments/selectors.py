"""Reads of the departments app: who is an official where, queues, overdue lists, the ladder,
the public trail of a proposal and the funnel by department."""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from django.db.models import Count
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from budgeting.models import BudgetCycle
from departments.models import CycleSettings
from departments.models import Department
from departments.models import DepartmentReview
from departments.models import Escalation
from departments.models import EscalationStep
from departments.models import Routing
from proposals.models import Proposal

DEFAULT_REVIEW_DAYS = 21


def is_department_official(user) -> bool:
    """Posted in a city department (whatever their second factor)."""
    return bool(user.is_authenticated and list_official_department_ids(user=user))


def list_official_department_ids(*, user) -> set[int]:
    """The departments ``user`` acts for (empty for anyone else)."""
    if not user.is_authenticated:
        return set()
    return set(user.department_posts.values_list("department_id", flat=True))


def list_departments() -> QuerySet[Department]:
    return Department.objects.prefetch_related("policy_areas").order_by("name_ko", "pk")


def list_owning_departments(*, policy_area_id: int) -> QuerySet[Department]:
    return Department.objects.filter(policy_areas=policy_area_id).order_by("pk")


def list_active_routings(*, proposal: Proposal) -> QuerySet[Routing]:
    return proposal.routings.filter(removed_at__isnull=True).select_related("department")


def list_routed_department_ids(*, proposal: Proposal) -> set[int]:
    return set(list_active_routings(proposal=proposal).values_list("department_id", flat=True))


def get_review_days(*, cycle: BudgetCycle) -> int:
    settings_row = CycleSettings.objects.filter(cycle=cycle).first()
    return settings_row.review_days if settings_row else DEFAULT_REVIEW_DAYS


def list_review_queue(
    *, cycle: BudgetCycle, department_ids: set[int] | None = None
) -> QuerySet[DepartmentReview]:
    """Reviews of ``cycle`` (of the given departments; None: all), open ones first by due date."""
    reviews = DepartmentReview.objects.filter(
        proposal__cycle=cycle, department__isnull=False
    ).select_related("proposal", "proposal__scope", "proposal__policy_area", "department")
    if department_ids is not None:
        reviews = reviews.filter(department_id__in=department_ids)
    return reviews.order_by("-status", "due_at", "pk")  # "pending" sorts after "submitted"


def list_overdue_reviews(*, now: datetime | None = None) -> QuerySet[DepartmentReview]:
    now = now or timezone.now()
    return (
        DepartmentReview.objects.filter(
            status=DepartmentReview.Status.PENDING, due_at__lt=now, department__isnull=False
        )
        .select_related("proposal", "department", "proposal__cycle")
        .order_by("due_at", "pk")
    )


def list_ladder(*, cycle: BudgetCycle) -> QuerySet[EscalationStep]:
    return EscalationStep.objects.filter(cycle=cycle).select_related("office").order_by("threshold")


def list_escalations(*, cycle: BudgetCycle) -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(proposal__cycle=cycle)
        .select_related("proposal", "step", "step__office")
        .order_by("answered_at", "due_at", "pk")
    )


def list_answers(
    *, cycle: BudgetCycle, department_ids: set[int] | None = None
) -> QuerySet[Escalation]:
    """Ladder steps with their answers (given or due) of ``cycle``, for one office's export."""
    rows = list_escalations(cycle=cycle).exclude(step__action=EscalationStep.Action.FORUM)
    if department_ids is not None:
        rows = rows.filter(
            Q(step__office_id__in=department_ids)
            | Q(
                step__office__isnull=True,
                proposal__routings__department_id__in=department_ids,
                proposal__routings__removed_at__isnull=True,
            )
        ).distinct()
    return rows


def list_escalation_owner_ids(*, escalation: Escalation) -> set[int]:
    """Departments that answer ``escalation``: the named office, else the routed departments,
    else those owning the proposal's policy area."""
    if escalation.step.office_id:
        return {escalation.step.office_id}
    routed = list_routed_department_ids(proposal=escalation.proposal)
    if routed:
        return routed
    return set(
        list_owning_departments(policy_area_id=escalation.proposal.policy_area_id).values_list(
            "pk", flat=True
        )
    )


def days_overdue(due_at: datetime | None, answered_at: datetime | None, now=None) -> int:
    """Whole days past ``due_at`` (0 when answered on time or not yet due)."""
    if due_at is None:
        return 0
    end = answered_at or now or timezone.now()
    if end <= due_at:
        return 0
    return (end - due_at).days or 1


@dataclass
class TrailEntry:
    """One dated step of a proposal's public path."""

    kind: str
    at: datetime | None
    obj: object
    overdue_days: int = 0


@dataclass
class PublicTrail:
    routings: list[Routing] = field(default_factory=list)
    entries: list[TrailEntry] = field(default_factory=list)


def get_public_trail(*, proposal: Proposal) -> PublicTrail:
    """Departments, their (submitted) reviews with consultation, the 분과's recommendation, the
    ladder's steps and answers and the council's decision, in date order."""
    now = timezone.now()
    trail = PublicTrail(routings=list(proposal.routings.select_related("department")))
    for routing in trail.routings:
        trail.entries.append(TrailEntry("routed", routing.routed_at, routing))
        if routing.removed_at:
            trail.entries.append(TrailEntry("unrouted", routing.removed_at, routing))
    for review in proposal.department_reviews.select_related("department"):
        if review.status == DepartmentReview.Status.SUBMITTED:
            trail.entries.append(TrailEntry("review", review.submitted_at, review))
        else:
            overdue = days_overdue(review.due_at, None, now)
            trail.entries.append(TrailEntry("review_due", review.due_at, review, overdue))
    # the 분과's recommendation and the council's decision: one query for both
    decided = (
        Proposal.objects.select_related("subcommittee_recommendation", "council_decision")
        .filter(pk=proposal.pk)
        .first()
    )
    recommendation = getattr(decided, "subcommittee_recommendation", None)
    if recommendation is not None:
        trail.entries.append(
            TrailEntry("recommendation", recommendation.recorded_at, recommendation)
        )
    for escalation in proposal.escalations.select_related("step", "step__office"):
        trail.entries.append(TrailEntry("escalation", escalation.reached_at, escalation))
        if escalation.answered_at:
            trail.entries.append(TrailEntry("answer", escalation.answered_at, escalation))
        else:
            overdue = days_overdue(escalation.due_at, None, now)
            trail.entries.append(TrailEntry("answer_due", escalation.due_at, escalation, overdue))
    decision = getattr(decided, "council_decision", None)
    if decision is not None:
        trail.entries.append(TrailEntry("decision", decision.decided_at, decision))
    trail.entries.sort(key=lambda entry: (entry.at is None, entry.at or now))
    return trail


def count_reviews_by_department(*, cycle: BudgetCycle) -> list[dict]:
    """Funnel rows: per department, reviews pending / feasible / with changes / infeasible."""
    return list(
        DepartmentReview.objects.filter(proposal__cycle=cycle, department__isnull=False)
        .values("department__name_ko", "department__name_en")
        .annotate(
            total=Count("pk"),
            pending=Count("pk", filter=Q(status=DepartmentReview.Status.PENDING)),
            feasible=Count("pk", filter=Q(verdict=DepartmentReview.Verdict.FEASIBLE)),
            needs_changes=Count("pk", filter=Q(verdict=DepartmentReview.Verdict.NEEDS_CHANGES)),
            infeasible=Count("pk", filter=Q(verdict=DepartmentReview.Verdict.INFEASIBLE)),
        )
        .order_by("department__name_ko")
    )


def count_infeasible_by_reason(*, cycle: BudgetCycle) -> dict[str, int]:
    """How many submitted reviews of ``cycle`` name each reason code."""
    counts: dict[str, int] = {}
    codes = DepartmentReview.objects.filter(
        proposal__cycle=cycle, verdict=DepartmentReview.Verdict.INFEASIBLE
    ).values_list("reason_codes", flat=True)
    for review_codes in codes:
        for code in review_codes:
            counts[code] = counts.get(code, 0) + 1
    return counts


def get_pending_review_refusal(proposal) -> str | None:
    """Why the 분과 must wait before recommending: a department the proposal is routed to has not
    answered yet (registered as a gate of ``proposals.review.gates`` by the app's config)."""
    routed = Routing.objects.filter(proposal=proposal, removed_at__isnull=True).values(
        "department_id"
    )
    pending = DepartmentReview.objects.filter(
        proposal=proposal,
        status=DepartmentReview.Status.PENDING,
        department_id__in=routed,
    ).select_related("department")
    names = [review.department.name for review in pending if review.department is not None]
    if not names:
        return None
    return gettext(
        "The department's review is still pending (%(departments)s): the subcommittee "
        "recommends after it has answered."
    ) % {"departments": ", ".join(names)}
