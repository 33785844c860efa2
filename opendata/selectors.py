"""Reads for the open-data API: published, non-personal data only."""

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

from budgeting.models import Allocation
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCut
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.models import ImplementationUpdate
from budgeting.models import PolicyArea
from budgeting.models import TallyRun
from budgeting.phases import Phase
from proposals.models import Proposal
from results.selectors import get_comparison_run


def get_visible_cycle(*, slug: str) -> BudgetCycle | None:
    """The cycle ``slug`` if the public may see it (not in preparation), else None."""
    return BudgetCycle.objects.visible().filter(slug=slug).first()


def list_open_data_cycles(*, phase: str | None = None, year: int | None = None):
    """Visible cycles, newest first, with their budget total."""
    cycles = BudgetCycle.objects.visible().annotate(pots_budget_won=Sum("scopes__budget_won"))
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


def list_open_data_proposals(
    *,
    cycle_slug: str | None = None,
    scope_id: int | None = None,
    district_slug: str | None = None,
    policy_area_slug: str | None = None,
    status: str | None = None,
) -> QuerySet[Proposal]:
    """Proposals anyone may read through the API: submitted or later, not withdrawn, not hidden
    by moderation, in a visible cycle. Oldest first, so pages stay stable as new ones arrive.

    Each carries ``endorsement_count``; who wrote or endorsed it is never part of the answer.
    """
    qs = (
        Proposal.objects.public()
        .exclude(status__in=OPEN_DATA_EXCLUDED_STATUSES)
        .exclude(cycle__phase=Phase.DRAFT)
        .select_related("cycle", "scope__district", "policy_area", "council_decision")
        .annotate(endorsement_count=Count("endorsements", distinct=True))
    )
    if cycle_slug:
        qs = qs.filter(cycle__slug=cycle_slug)
    if scope_id:
        qs = qs.filter(scope_id=scope_id)
    if district_slug:
        qs = qs.filter(scope__district__slug=district_slug)
    if policy_area_slug:
        qs = qs.filter(policy_area__slug=policy_area_slug)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("submitted_at", "pk")


# --- open data (the read-only API) --------------------------------------------------------------
# Statuses the API never shows: private drafts and proposals their authors withdrew.
OPEN_DATA_EXCLUDED_STATUSES = (Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN)


def get_open_data_proposal(*, pk: int) -> Proposal | None:
    return list_open_data_proposals().filter(pk=pk).first()
