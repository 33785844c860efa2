"""Open-data API: cycles, ballots, policy areas, turnout, published results, implementation
updates and cuts, and the public audit trail.

Read-only and anonymous; each operation reads through a selector and answers 404 with a reason
for what is missing or not public yet.
"""

from django.utils.translation import gettext as _
from ninja import Field
from ninja import Path
from ninja import Query
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from budgeting.models import BudgetCycle
from channels.selectors import count_cycle_turnout_by_office
from opendata.common import MAX_ID
from opendata.common import NOT_FOUND
from opendata.common import SLUG_PATTERN
from opendata.common import Localised
from opendata.common import OpenDataPagination
from opendata.schemas import AllocationOut
from opendata.schemas import AuditEventOut
from opendata.schemas import AuditEventType
from opendata.schemas import BudgetCutOut
from opendata.schemas import CycleDetailOut
from opendata.schemas import CycleOut
from opendata.schemas import ImplementationStatusCode
from opendata.schemas import ImplementationUpdateOut
from opendata.schemas import PhaseCode
from opendata.schemas import PolicyAreaOut
from opendata.schemas import ResultOut
from opendata.schemas import ScopeOut
from opendata.schemas import TurnoutOut
from opendata.selectors import get_open_data_result
from opendata.selectors import get_visible_cycle
from opendata.selectors import list_open_data_allocations
from opendata.selectors import list_open_data_audit_events
from opendata.selectors import list_open_data_budget_cuts
from opendata.selectors import list_open_data_cycles
from opendata.selectors import list_open_data_implementation_updates
from opendata.selectors import list_open_data_policy_areas
from opendata.selectors import list_open_data_proposals
from opendata.selectors import list_open_data_results
from opendata.selectors import list_open_data_scopes
from voting.selectors import get_turnout

router = Router()


def _cycle_slug():
    return Path(..., max_length=80, pattern=SLUG_PATTERN, description="The cycle's slug.")


def _result_id():
    return Path(..., ge=1, le=MAX_ID, description="The result's id.")


def _cycle_or_404(slug: str) -> BudgetCycle:
    cycle = get_visible_cycle(slug=slug)
    if cycle is None:
        raise HttpError(404, _("There is no public budget cycle with this slug."))
    return cycle


def _slug_filter(description: str):
    return Field(None, max_length=80, pattern=SLUG_PATTERN, description=description)


def _id_filter(description: str):
    return Field(None, ge=1, le=MAX_ID, description=description)


# --- cycles ---------------------------------------------------------------------------------------
class CycleFilters(Localised):
    phase: PhaseCode | None = Field(None, description="Only cycles in this phase.")
    year: int | None = Field(None, ge=2000, le=2100, description="Only cycles of this budget year.")


@router.get(
    "/cycles",
    response={200: list[CycleOut], **NOT_FOUND},
    tags=["cycles"],
    summary="Budget cycles",
    description="Every public budget cycle (not those still in preparation), newest first.",
)
@paginate(OpenDataPagination)
def list_cycles(request, filters: Query[CycleFilters]):
    return list_open_data_cycles(phase=filters.phase, year=filters.year)


@router.get(
    "/cycles/{slug}",
    response={200: CycleDetailOut, **NOT_FOUND},
    tags=["cycles"],
    summary="One budget cycle",
    description="Dates, phase, ballot and tally rules, eligibility, ballots with their budgets "
    "and policy areas of one cycle.",
)
def get_cycle(request, params: Query[Localised], slug: str = _cycle_slug()):
    return _cycle_or_404(slug)


@router.get(
    "/cycles/{slug}/turnout",
    response={200: TurnoutOut, **NOT_FOUND},
    tags=["cycles"],
    summary="Turnout",
    description="How many people voted, per ballot, district, age band, channel and office. "
    "Never how many "
    "chose a project: those counts exist only in published results.",
)
def get_cycle_turnout(request, params: Query[Localised], slug: str = _cycle_slug()):
    cycle = _cycle_or_404(slug)
    turnout = get_turnout(cycle=cycle)  # counts only: never what anyone chose
    return {
        "cycle": cycle.slug,
        "total_voters": turnout["total_voters"],
        "per_scope": [
            {"scope_id": row["scope"].pk, "name": str(row["scope"].name), "voters": row["count"]}
            for row in turnout["per_scope"]
        ],
        "per_district": [
            {"label": str(name), "voters": count} for name, count in turnout["per_district"]
        ],
        "per_age_band": [
            {"label": str(band["label"]), "voters": band["count"]}
            for band in turnout["per_age_band"]
        ],
        "per_channel": [
            {"label": str(label), "voters": count} for label, count in turnout["per_channel"]
        ],
        "per_office": [
            {"label": name, "voters": count}
            for name, count in count_cycle_turnout_by_office(cycle=cycle)
        ],
    }


# --- ballots and policy areas ---------------------------------------------------------------------
class ScopeFilters(Localised):
    cycle: str | None = _slug_filter("Only the ballots of this cycle (slug).")
    district: str | None = _slug_filter("Only this district's ballots (slug).")


@router.get(
    "/scopes",
    response={200: list[ScopeOut], **NOT_FOUND},
    tags=["cycles"],
    summary="Ballots and their budgets",
    description="Each ballot (a district's pot of money, or the city-wide one) of public cycles.",
)
@paginate(OpenDataPagination)
def list_scopes(request, filters: Query[ScopeFilters]):
    return list_open_data_scopes(cycle_slug=filters.cycle, district_slug=filters.district)


class PolicyAreaFilters(Localised):
    cycle: str | None = _slug_filter("Only the policy areas of this cycle (slug).")


@router.get(
    "/policy-areas",
    response={200: list[PolicyAreaOut], **NOT_FOUND},
    tags=["cycles"],
    summary="Policy areas",
    description="Policy areas (welfare, transport, ...); council subcommittees follow them.",
)
@paginate(OpenDataPagination)
def list_policy_areas(request, filters: Query[PolicyAreaFilters]):
    return list_open_data_policy_areas(cycle_slug=filters.cycle)


# --- results --------------------------------------------------------------------------------------
class ResultFilters(Localised):
    cycle: str | None = _slug_filter("Only the results of this cycle (slug).")
    scope: int | None = _id_filter("Only the result of this ballot (id).")


@router.get(
    "/results",
    response={200: list[ResultOut], **NOT_FOUND},
    tags=["results"],
    summary="Published results",
    description="The official count of each ballot, once the results are published: budget, "
    "what was allocated, the ballot-set fingerprint and the open-data downloads.",
)
@paginate(OpenDataPagination)
def list_results(request, filters: Query[ResultFilters]):
    return list_open_data_results(cycle_slug=filters.cycle, scope_id=filters.scope)


@router.get(
    "/results/{result_id}",
    response={200: ResultOut, **NOT_FOUND},
    tags=["results"],
    summary="One published result",
)
def get_result(
    request,
    params: Query[Localised],
    result_id: int = _result_id(),
):
    run = get_open_data_result(run_id=result_id)
    if run is None:
        raise HttpError(404, _("There is no published result with this id."))
    return run


class AllocationFilters(Localised):
    funded: bool | None = Field(None, description="Only funded (true) or unfunded (false).")


@router.get(
    "/results/{result_id}/allocations",
    response={200: list[AllocationOut], **NOT_FOUND},
    tags=["results"],
    summary="Projects of a published result",
    description="Every project on the ballot by rank: votes, points, cost, funded or not and why.",
)
@paginate(OpenDataPagination)
def list_allocations(
    request,
    filters: Query[AllocationFilters],
    result_id: int = _result_id(),
):
    run = get_open_data_result(run_id=result_id)
    if run is None:
        raise HttpError(404, _("There is no published result with this id."))
    return list_open_data_allocations(run=run, funded=filters.funded)


# --- implementation -------------------------------------------------------------------------------
class ImplementationFilters(Localised):
    cycle: str | None = _slug_filter("Only this cycle's projects (slug).")
    proposal: int | None = _id_filter("Only this project's (proposal id).")
    status: ImplementationStatusCode | None = Field(None, description="Only this status.")


@router.get(
    "/implementation-updates",
    response={200: list[ImplementationUpdateOut], **NOT_FOUND},
    tags=["implementation"],
    summary="Implementation updates",
    description="Progress reports on funded projects (status, percent done, money spent, note, "
    "photos), newest first; a project's latest update is its current state.",
)
@paginate(OpenDataPagination)
def list_implementation_updates(request, filters: Query[ImplementationFilters]):
    return list_open_data_implementation_updates(
        visible_proposals=list_open_data_proposals(),
        cycle_slug=filters.cycle,
        proposal_id=filters.proposal,
        status=filters.status,
    )


class CutFilters(Localised):
    cycle: str | None = _slug_filter("Only this cycle's projects (slug).")
    proposal: int | None = _id_filter("Only this project's (proposal id).")


@router.get(
    "/budget-cuts",
    response={200: list[BudgetCutOut], **NOT_FOUND},
    tags=["implementation"],
    summary="Budget cuts",
    description="Funded projects the city council later cut or reduced: the amount and the "
    "public reason, newest first.",
)
@paginate(OpenDataPagination)
def list_budget_cuts(request, filters: Query[CutFilters]):
    return list_open_data_budget_cuts(
        visible_proposals=list_open_data_proposals(),
        cycle_slug=filters.cycle,
        proposal_id=filters.proposal,
    )


# --- audit trail ----------------------------------------------------------------------------------
class AuditFilters(Localised):
    cycle: str | None = _slug_filter("Only the events of this cycle (slug).")
    type: AuditEventType | None = Field(None, description="Only events of this type.")
    proposal: int | None = _id_filter("Only the events about this proposal (id).")


@router.get(
    "/audit-events",
    response={200: list[AuditEventOut], **NOT_FOUND},
    tags=["audit"],
    summary="Public audit trail",
    description="Phase changes, council decisions with their reasons, merges, publication... "
    "newest first. Who acted is not part of the open data.",
)
@paginate(OpenDataPagination)
def list_audit_events(request, filters: Query[AuditFilters]):
    return list_open_data_audit_events(
        visible_proposals=list_open_data_proposals(),
        cycle_slug=filters.cycle,
        event_type=filters.type,
        proposal_id=filters.proposal,
    )
