"""Reads for budgeting: one intent-named function per question."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField
from django.db.models import CharField
from django.db.models import Count
from django.db.models import Exists
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models import Value
from django.db.models.functions import Cast
from django.utils import timezone

from budgeting.eligibility import EligibilityRule
from budgeting.eligibility import Ineligibility
from budgeting.eligibility import ResidentFacts
from budgeting.eligibility import check_eligibility
from budgeting.models import Allocation
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCut
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import ExportFile
from budgeting.models import ImplementationUpdate
from budgeting.models import PolicyArea
from budgeting.models import TallyRun
from budgeting.phases import MANUAL_ONLY_TARGETS
from budgeting.phases import PHASE_ORDER
from budgeting.phases import Phase
from results.selectors import get_comparison_run


def list_visible_cycles() -> QuerySet[BudgetCycle]:
    return BudgetCycle.objects.visible().prefetch_related(
        Prefetch("scopes", queryset=BallotScope.objects.select_related("district"))
    )


def list_current_cycles() -> QuerySet[BudgetCycle]:
    """Cycles residents can take part in or follow now (not yet in implementation)."""
    return list_visible_cycles().exclude(phase=Phase.IMPLEMENTATION)


def list_scopes_for_cycle(*, cycle: BudgetCycle) -> QuerySet[BallotScope]:
    return cycle.scopes.select_related("district").order_by("district__order", "pk")


def get_cycle_budget_total(*, cycle: BudgetCycle) -> int:
    return cycle.scopes.aggregate(total=Sum("budget_won"))["total"] or 0


def list_public_audit_events(*, cycle: BudgetCycle) -> QuerySet[AuditEvent]:
    return cycle.audit_events.public().select_related("subject_type")


def get_phase_due(*, cycle: BudgetCycle, now=None) -> Phase:
    """The phase the dates say ``cycle`` should be in now; publication is never date-driven."""
    now = now or timezone.now()
    if now >= cycle.voting_end_at:
        due = Phase.TALLYING
    elif now >= cycle.voting_start_at:
        due = Phase.VOTING
    elif now >= cycle.proposals_end_at:
        due = Phase.REVIEW
    elif now >= cycle.proposals_start_at:
        due = Phase.PROPOSALS
    else:
        due = Phase.DRAFT
    assert due not in MANUAL_ONLY_TARGETS
    return due


def list_cycles_with_due_phase(*, now=None) -> list[tuple[BudgetCycle, Phase]]:
    """Cycles whose dates have moved past their phase, with the phase they are due in."""
    now = now or timezone.now()
    active = BudgetCycle.objects.filter(
        phase__in=[Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING],
        proposals_start_at__lte=now,
    )
    due = []
    for cycle in active:
        target = get_phase_due(cycle=cycle, now=now)
        if PHASE_ORDER.index(target) > PHASE_ORDER.index(Phase(cycle.phase)):
            due.append((cycle, target))
    return due


def get_eligibility_rule(*, cycle: BudgetCycle) -> EligibilityRule:
    return EligibilityRule(
        minimum_age=cycle.minimum_age,
        age_counted_on=cycle.age_counted_on,
        accepted_relations=cycle.eligible_relations,
        requires_verification=cycle.requires_verification,
    )


def get_resident_facts(*, user) -> ResidentFacts | None:
    profile = getattr(user, "resident_profile", None) if user.is_authenticated else None
    if profile is None:
        return None
    return ResidentFacts(
        birth_year=profile.birth_year,
        relation=profile.relation,
        district_id=profile.district_id,
        is_verified=profile.is_verified,
    )


def get_ineligibility(*, user, scope: BallotScope) -> Ineligibility | None:
    """Why ``user`` may not vote on ``scope`` (None: they may)."""
    return check_eligibility(
        get_resident_facts(user=user),
        get_eligibility_rule(cycle=scope.cycle),
        scope_district_id=scope.district_id,
    )


def list_ballot_scopes_for_resident(*, user, cycle: BudgetCycle) -> list[BallotScope]:
    """The resident's district ballot and the city-wide one, where they are eligible."""
    facts = get_resident_facts(user=user)
    rule = get_eligibility_rule(cycle=cycle)  # one cycle: facts and rule are read once
    return [
        scope
        for scope in list_scopes_for_cycle(cycle=cycle)
        if check_eligibility(facts, rule, scope_district_id=scope.district_id) is None
    ]


def get_council_membership(*, user, cycle: BudgetCycle) -> CouncilMembership | None:
    if not user.is_authenticated:
        return None
    return (
        CouncilMembership.objects.filter(user=user, cycle=cycle)
        .select_related("policy_area")
        .first()
    )


def is_council_member_anywhere(*, user) -> bool:
    return user.is_authenticated and CouncilMembership.objects.filter(user=user).exists()


# --- open data (the read-only API) --------------------------------------------------------------
# Everything below answers anonymous readers: only what the public pages show, never who did what.
def get_visible_cycle(*, slug: str) -> BudgetCycle | None:
    """The cycle ``slug`` if the public may see it (not in preparation), else None."""
    return BudgetCycle.objects.visible().filter(slug=slug).first()


def list_open_data_cycles(*, phase: str | None = None, year: int | None = None):
    """Visible cycles, newest first, with their budget total."""
    cycles = BudgetCycle.objects.visible().annotate(total_budget_won=Sum("scopes__budget_won"))
    if phase:
        cycles = cycles.filter(phase=phase)
    if year:
        cycles = cycles.filter(year=year)
    return cycles.order_by("-year", "-proposals_start_at", "pk")


def list_open_data_scopes(
    *, cycle_slug: str | None = None, district_slug: str | None = None
) -> QuerySet[BallotScope]:
    """The ballots (pots of money) of visible cycles, city-wide first in each cycle."""
    scopes = BallotScope.objects.exclude(cycle__phase=Phase.DRAFT).select_related(
        "cycle", "district"
    )
    if cycle_slug:
        scopes = scopes.filter(cycle__slug=cycle_slug)
    if district_slug:
        scopes = scopes.filter(district__slug=district_slug)
    return scopes.order_by(
        "-cycle__year", "cycle_id", F("district__order").asc(nulls_first=True), "pk"
    )


def list_open_data_policy_areas(*, cycle_slug: str | None = None) -> QuerySet[PolicyArea]:
    areas = PolicyArea.objects.all()
    if cycle_slug:
        areas = areas.filter(cycles__slug=cycle_slug).exclude(cycles__phase=Phase.DRAFT)
    return areas.order_by("order", "pk")


def list_open_data_results(
    *, cycle_slug: str | None = None, scope_id: int | None = None
) -> QuerySet[TallyRun]:
    """Published official counts (one per ballot), once their cycle shows results."""
    runs = (
        TallyRun.objects.defer("canonical_pb_gz")
        .filter(
            is_official=True,
            status=TallyRun.Status.SUCCEEDED,
            published_at__isnull=False,
            scope__cycle__phase__in=[Phase.PUBLISHED, Phase.IMPLEMENTATION],
        )
        .select_related("scope__cycle", "scope__district")
        .prefetch_related(
            Prefetch(
                "exports",
                queryset=ExportFile.objects.filter(status=ExportFile.Status.SUCCEEDED).order_by(
                    "kind"
                ),
            )
        )
        .annotate(funded_count=Count("allocations", filter=Q(allocations__is_funded=True)))
    )
    if cycle_slug:
        runs = runs.filter(scope__cycle__slug=cycle_slug)
    if scope_id:
        runs = runs.filter(scope_id=scope_id)
    return runs.order_by(
        "-scope__cycle__year",
        "scope__cycle_id",
        F("scope__district__order").asc(nulls_first=True),
        "scope_id",
        "pk",
    )


def get_open_data_result(*, run_id: int) -> TallyRun | None:
    return list_open_data_results().filter(pk=run_id).first()


def list_open_data_allocations(
    *, run: TallyRun, funded: bool | None = None
) -> QuerySet[Allocation]:
    """A published count's lines by rank, each with ``funded_by_greedy`` (None when the rule
    is greedy itself, so there is no comparison count)."""
    comparison = get_comparison_run(run=run)
    allocations = run.allocations.select_related("proposal").annotate(
        funded_by_greedy=Exists(
            Allocation.objects.filter(
                tally_run=comparison, proposal_id=OuterRef("proposal_id"), is_funded=True
            )
        )
        if comparison
        else Value(None, output_field=BooleanField(null=True))
    )
    if funded is not None:
        allocations = allocations.filter(is_funded=funded)
    return allocations.order_by("rank", "pk")


def list_open_data_audit_events(
    *,
    visible_proposals: QuerySet,
    cycle_slug: str | None = None,
    event_type: str | None = None,
    proposal_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """The public audit trail of visible cycles, newest first.

    Events about a proposal are kept only while that proposal is in ``visible_proposals`` (the
    open-data proposals: no drafts, nothing hidden by moderation or withdrawn).
    """
    proposal_type = ContentType.objects.get_for_model(visible_proposals.model)
    visible_ids = visible_proposals.annotate(
        subject_key=Cast("pk", output_field=CharField())
    ).values("subject_key")
    events = (
        AuditEvent.objects.public()
        .filter(cycle__isnull=False)
        .exclude(cycle__phase=Phase.DRAFT)
        .filter(
            Q(subject_type__isnull=True)
            | ~Q(subject_type=proposal_type)
            | Q(subject_id__in=Subquery(visible_ids))
        )
        .select_related("cycle", "subject_type")
    )
    if cycle_slug:
        events = events.filter(cycle__slug=cycle_slug)
    if event_type:
        events = events.filter(event_type=event_type)
    if proposal_id:
        events = events.filter(subject_type=proposal_type, subject_id=str(proposal_id))
    return events.order_by("-created_at", "-pk")


def list_open_data_implementation_updates(
    *,
    visible_proposals: QuerySet,
    cycle_slug: str | None = None,
    proposal_id: int | None = None,
    status: str | None = None,
) -> QuerySet[ImplementationUpdate]:
    """Progress reports on funded projects of published cycles, newest first (never who
    posted them). Only about proposals in ``visible_proposals``."""
    updates = (
        ImplementationUpdate.objects.filter(
            proposal__in=visible_proposals,
            proposal__cycle__phase__in=[Phase.PUBLISHED, Phase.IMPLEMENTATION],
        )
        .select_related("proposal__cycle")
        .prefetch_related("photos")
    )
    if cycle_slug:
        updates = updates.filter(proposal__cycle__slug=cycle_slug)
    if proposal_id:
        updates = updates.filter(proposal_id=proposal_id)
    if status:
        updates = updates.filter(status=status)
    return updates.order_by("-created_at", "-pk")


def list_open_data_budget_cuts(
    *,
    visible_proposals: QuerySet,
    cycle_slug: str | None = None,
    proposal_id: int | None = None,
) -> QuerySet[BudgetCut]:
    """Cuts and reductions of funded projects with their public reasons, newest first (never
    who recorded them). Only about proposals in ``visible_proposals``."""
    cuts = BudgetCut.objects.filter(
        proposal__in=visible_proposals,
        proposal__cycle__phase__in=[Phase.PUBLISHED, Phase.IMPLEMENTATION],
    ).select_related("proposal__cycle")
    if cycle_slug:
        cuts = cuts.filter(proposal__cycle__slug=cycle_slug)
    if proposal_id:
        cuts = cuts.filter(proposal_id=proposal_id)
    return cuts.order_by("-created_at", "-pk")
