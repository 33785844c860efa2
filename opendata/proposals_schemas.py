"""Response shapes of the proposals part of the open-data API.

No author, co-author, endorser, commenter or reviewer appears: a proposal is public, who wrote it
is not part of the open data.
"""

from datetime import datetime
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from ninja import Field
from ninja import Schema

from budgeting.phases import Feature
from opendata.schemas import absolute_url
from opendata.selectors import OPEN_DATA_EXCLUDED_STATUSES
from proposals.models import CouncilDecision
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.review.selectors import get_review_summary
from results.selectors import get_funded_allocation

ProposalStatus = Literal[
    tuple(value for value in Proposal.Status.values if value not in OPEN_DATA_EXCLUDED_STATUSES)
]


class DecisionOut(Schema):
    decision: Literal[tuple(CouncilDecision.Decision.values)]
    label: str
    public_reason: str
    decided_at: datetime

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.get_decision_display())


def _decision_of(proposal: Proposal) -> CouncilDecision | None:
    try:
        return proposal.council_decision
    except CouncilDecision.DoesNotExist:
        return None


class ProposalOut(Schema):
    id: int
    cycle: str = Field(..., description="Slug of the budget cycle.")
    scope_id: int = Field(..., description="The ballot it is proposed for.")
    district: str | None = Field(..., description="District slug; None for the city-wide ballot.")
    policy_area: str = Field(..., description="Policy area slug.")
    title: str
    summary: str
    status: ProposalStatus
    status_label: str
    cost_estimate_won: int = Field(..., description="The cost the proposer estimated.")
    reviewed_cost_won: int | None = Field(..., description="The cost after the council's review.")
    ballot_cost_won: int = Field(..., description="The cost on the ballot and in the count.")
    address: str
    latitude: float | None
    longitude: float | None
    endorsements: int
    merged_into: int | None = Field(..., description="Id of the proposal it was merged into.")
    submitted_at: datetime | None
    council_decision: DecisionOut | None
    url: str = Field(..., description="The proposal's page on the site.")

    @staticmethod
    def resolve_cycle(obj) -> str:
        return obj.cycle.slug

    @staticmethod
    def resolve_district(obj) -> str | None:
        return obj.scope.district.slug if obj.scope.district_id else None

    @staticmethod
    def resolve_policy_area(obj) -> str:
        return obj.policy_area.slug

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_latitude(obj) -> float | None:
        return None if obj.latitude is None else float(obj.latitude)

    @staticmethod
    def resolve_longitude(obj) -> float | None:
        return None if obj.longitude is None else float(obj.longitude)

    @staticmethod
    def resolve_endorsements(obj) -> int:
        return obj.endorsement_count

    @staticmethod
    def resolve_merged_into(obj) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_council_decision(obj) -> CouncilDecision | None:
        return _decision_of(obj)

    @staticmethod
    def resolve_url(obj, context) -> str:
        return absolute_url(context, obj.get_absolute_url())


class FeasibilityReviewOut(Schema):
    verdict: Literal[tuple(FeasibilityReview.Verdict.values)]
    verdict_label: str
    reasons: list[str] = Field(..., description="Reason codes (for infeasible verdicts).")
    legal_notes: str
    technical_notes: str
    reviewed_cost_won: int | None
    updated_at: datetime

    @staticmethod
    def resolve_verdict_label(obj) -> str:
        return str(obj.get_verdict_display())

    @staticmethod
    def resolve_reasons(obj) -> list[str]:
        return [str(code) for code in obj.reason_codes or []]


class RubricLineOut(Schema):
    criterion: str
    max_points: int
    average: float | None
    scores: int = Field(..., description="How many council members scored it.")


class ReviewOut(Schema):
    verdict_counts: dict[str, int] = Field(
        ..., description="How many feasibility reviews found feasible, needs_changes, infeasible."
    )
    details_public: bool = Field(
        ..., description="Whether review notes and rubric scores are public (review phase over)."
    )
    reviews: list[FeasibilityReviewOut] = Field(
        ..., description="The review notes, without reviewers; empty until the review ends."
    )
    rubric: list[RubricLineOut]
    merged_from: list[int] = Field(..., description="Ids of proposals merged into this one.")


class ResultLineOut(Schema):
    result_id: int
    rank: int
    votes: int
    points: int
    cost_won: int
    funded: bool


class ProposalDetailOut(ProposalOut):
    description: str = Field(..., description="Markdown text as the proposer wrote it.")
    problem: str
    beneficiaries: str
    image_url: str | None
    review: ReviewOut
    result: ResultLineOut | None = Field(
        ..., description="Its line in the published result (None until results are published)."
    )

    @staticmethod
    def resolve_image_url(obj, context) -> str | None:
        return absolute_url(context, obj.image.url) if obj.image else None

    @staticmethod
    def resolve_review(obj) -> dict:
        # What an anonymous visitor of the proposal page sees (notes once the review is over).
        summary = get_review_summary(proposal=obj, user=AnonymousUser())
        return {
            "verdict_counts": summary.verdict_counts,
            "details_public": summary.show_details,
            "reviews": summary.reviews,
            "rubric": [
                {
                    "criterion": str(line["criterion"].name),
                    "max_points": line["criterion"].max_points,
                    "average": line["average"],
                    "scores": line["count"],
                }
                for line in summary.rubric
            ],
            "merged_from": [merged.pk for merged in summary.merged_from],
        }

    @staticmethod
    def resolve_result(obj) -> dict | None:
        allocation = get_funded_allocation(proposal=obj)
        if allocation is None or not allocation.tally_run.scope.cycle.allows(Feature.VIEW_RESULTS):
            return None
        return {
            "result_id": allocation.tally_run_id,
            "rank": allocation.rank,
            "votes": allocation.votes,
            "points": allocation.points,
            "cost_won": allocation.cost_won,
            "funded": allocation.is_funded,
        }
