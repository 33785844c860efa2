"""Open-data API: proposals with their council decisions, public reviews and results."""

from django.utils.translation import gettext as _
from ninja import Field
from ninja import Path
from ninja import Query
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from opendata.common import MAX_ID
from opendata.common import NOT_FOUND
from opendata.common import SLUG_PATTERN
from opendata.common import Localised
from opendata.common import OpenDataPagination
from opendata.proposals_schemas import ProposalDetailOut
from opendata.proposals_schemas import ProposalOut
from opendata.proposals_schemas import ProposalStatus
from opendata.selectors import get_open_data_proposal
from opendata.selectors import list_open_data_proposals

router = Router()


class ProposalFilters(Localised):
    cycle: str | None = Field(
        None, max_length=80, pattern=SLUG_PATTERN, description="Only this cycle's (slug)."
    )
    scope: int | None = Field(None, ge=1, le=MAX_ID, description="Only this ballot's (id).")
    district: str | None = Field(
        None, max_length=80, pattern=SLUG_PATTERN, description="Only this district's (slug)."
    )
    policy_area: str | None = Field(
        None, max_length=80, pattern=SLUG_PATTERN, description="Only this policy area's (slug)."
    )
    status: ProposalStatus | None = Field(None, description="Only proposals in this status.")


@router.get(
    "/proposals",
    response={200: list[ProposalOut], **NOT_FOUND},
    tags=["proposals"],
    summary="Proposals",
    description="Submitted proposals with the council's decision and public reason, oldest "
    "first. Drafts, withdrawn proposals and proposals hidden by moderation are not listed.",
)
@paginate(OpenDataPagination)
def list_proposals(request, filters: Query[ProposalFilters]):
    return list_open_data_proposals(
        cycle_slug=filters.cycle,
        scope_id=filters.scope,
        district_slug=filters.district,
        policy_area_slug=filters.policy_area,
        status=filters.status,
    )


@router.get(
    "/proposals/{proposal_id}",
    response={200: ProposalDetailOut, **NOT_FOUND},
    tags=["proposals"],
    summary="One proposal",
    description="The proposal's text, costs, place, council decision, feasibility reviews "
    "(notes once the review phase is over, never who wrote them) and its published result.",
)
def get_proposal(
    request,
    params: Query[Localised],
    proposal_id: int = Path(..., ge=1, le=MAX_ID, description="The proposal's id."),
):
    proposal = get_open_data_proposal(pk=proposal_id)
    if proposal is None:
        raise HttpError(404, _("There is no public proposal with this id."))
    return proposal
