"""Response shapes of the budgeting part of the open-data API (cycles, ballots, policy areas,
turnout, published results and the public audit trail).

Nothing here names a person: no author, actor, reviewer, e-mail or user id.
"""

from datetime import date
from datetime import datetime
from typing import Any
from typing import Literal

from django.urls import reverse
from ninja import Field
from ninja import Schema

from budgeting.models import AuditEvent
from budgeting.models import BudgetCut
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.models import ImplementationStatus
from budgeting.phases import Phase
from budgeting.selectors import list_scopes_for_cycle
from results.reasons import describe_reason

PhaseCode = Literal[tuple(Phase.values)]
AuditEventType = Literal[tuple(AuditEvent.Type.values)]
ImplementationStatusCode = Literal[tuple(ImplementationStatus.values)]


def absolute_url(context: dict | None, path: str) -> str:
    request = (context or {}).get("request")
    return request.build_absolute_uri(path) if request is not None else path


# --- cycles ---------------------------------------------------------------------------------------
class DistrictOut(Schema):
    slug: str
    name: str


class ScopeOut(Schema):
    id: int
    cycle: str = Field(..., description="Slug of the budget cycle.")
    name: str = Field(..., description="The district's name, or 'City-wide'.")
    district: DistrictOut | None = Field(..., description="None for the city-wide ballot.")
    budget_won: int
    per_project_cap_won: int = Field(..., description="The most one project may cost (won).")

    @staticmethod
    def resolve_cycle(obj) -> str:
        return obj.cycle.slug

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj.name)

    @staticmethod
    def resolve_per_project_cap_won(obj) -> int:
        return obj.project_cost_cap_won


class PolicyAreaOut(Schema):
    slug: str
    name: str
    description: str
    order: int


class CycleDates(Schema):
    proposals_start_at: datetime
    proposals_end_at: datetime
    voting_start_at: datetime
    voting_end_at: datetime
    results_expected_at: datetime | None


class BallotRuleOut(Schema):
    rule: Literal[tuple(BudgetCycle.BallotRule.values)]
    label: str
    approval_min_choices: int
    approval_max_choices: int
    cumulative_points: int
    cumulative_max_per_project: int
    ranked_max_ranks: int = Field(
        ..., description="Ranked ballots: most projects a voter may rank (k points for rank 1)."
    )


class TallyRuleOut(Schema):
    rule: Literal[tuple(BudgetCycle.TallyRule.values)]
    label: str
    council_weight_percent: int
    tie_break_seed: str = Field(..., description="Seed of the lot that breaks exact ties.")


class EligibilityOut(Schema):
    minimum_age: int
    age_counted_on: date
    residents_may_vote: bool
    workers_may_vote: bool
    students_may_vote: bool
    requires_verification: bool


class CycleOut(Schema):
    slug: str
    name: str
    year: int
    phase: PhaseCode
    phase_label: str
    phase_changed_at: datetime | None
    dates: CycleDates
    total_budget_won: int
    url: str = Field(..., description="The cycle's page on the site.")

    @staticmethod
    def resolve_phase_label(obj) -> str:
        return str(obj.get_phase_display())

    @staticmethod
    def resolve_dates(obj) -> dict:
        return {
            "proposals_start_at": obj.proposals_start_at,
            "proposals_end_at": obj.proposals_end_at,
            "voting_start_at": obj.voting_start_at,
            "voting_end_at": obj.voting_end_at,
            "results_expected_at": obj.results_expected_at,
        }

    @staticmethod
    def resolve_total_budget_won(obj) -> int:
        # the sum of the pots (annotated by the list's query); the cycle's own optional
        # ``total_budget_won`` is the office's planning figure, not what the pots hold
        total = getattr(obj, "pots_budget_won", None)
        if total is None:
            total = sum(scope.budget_won for scope in obj.scopes.all())
        return int(total or 0)

    @staticmethod
    def resolve_url(obj, context) -> str:
        return absolute_url(context, obj.get_absolute_url())


class CycleDetailOut(CycleOut):
    description: str
    ballot_rule: BallotRuleOut
    tally_rule: TallyRuleOut
    eligibility: EligibilityOut
    proposal_limit_per_resident: int
    endorsement_threshold: int = Field(
        ..., description="Endorsements after which the council must answer a proposal."
    )
    scopes: list[ScopeOut]
    policy_areas: list[PolicyAreaOut]

    @staticmethod
    def resolve_ballot_rule(obj) -> dict:
        return {
            "rule": obj.ballot_rule,
            "label": str(obj.get_ballot_rule_display()),
            "approval_min_choices": obj.approval_min_choices,
            "approval_max_choices": obj.approval_max_choices,
            "cumulative_points": obj.cumulative_points,
            "cumulative_max_per_project": obj.cumulative_max_per_project,
            "ranked_max_ranks": obj.ranked_max_ranks,
        }

    @staticmethod
    def resolve_tally_rule(obj) -> dict:
        return {
            "rule": obj.tally_rule,
            "label": str(obj.get_tally_rule_display()),
            "council_weight_percent": obj.council_weight_percent,
            "tie_break_seed": obj.tie_break_seed,
        }

    @staticmethod
    def resolve_eligibility(obj) -> dict:
        return {
            "minimum_age": obj.minimum_age,
            "age_counted_on": obj.age_counted_on,
            "residents_may_vote": obj.residents_may_vote,
            "workers_may_vote": obj.workers_may_vote,
            "students_may_vote": obj.students_may_vote,
            "requires_verification": obj.requires_verification,
        }

    @staticmethod
    def resolve_scopes(obj) -> list:
        return list(list_scopes_for_cycle(cycle=obj))

    @staticmethod
    def resolve_policy_areas(obj) -> list:
        return list(obj.policy_areas.order_by("order", "pk"))


# --- turnout --------------------------------------------------------------------------------------
class ScopeTurnoutOut(Schema):
    scope_id: int
    name: str
    voters: int


class GroupTurnoutOut(Schema):
    label: str
    voters: int


class TurnoutOut(Schema):
    cycle: str
    total_voters: int = Field(..., description="People who voted on at least one ballot.")
    per_scope: list[ScopeTurnoutOut]
    per_district: list[GroupTurnoutOut] = Field(..., description="By the voter's district.")
    per_age_band: list[GroupTurnoutOut]
    per_channel: list[GroupTurnoutOut] = Field(
        ..., description="Ballots per channel: online, phone, code, kiosk, paper."
    )
    per_office: list[GroupTurnoutOut] = Field(
        ..., description="Kiosk and paper ballots per district office."
    )


# --- results --------------------------------------------------------------------------------------
class DownloadOut(Schema):
    format: Literal[tuple(ExportFile.Kind.values)]
    url: str
    sha256: str


class ResultOut(Schema):
    id: int
    cycle: str
    scope: ScopeOut
    rule: Literal[tuple(BudgetCycle.TallyRule.values)]
    rule_label: str
    ballots: int
    budget_won: int
    allocated_won: int
    left_over_won: int
    funded_projects: int
    fingerprint_sha256: str = Field(
        ..., description="SHA-256 of the anonymised ballot file (the .pb download)."
    )
    published_at: datetime
    downloads: list[DownloadOut]
    url: str = Field(..., description="The result's page on the site.")

    @staticmethod
    def resolve_cycle(obj) -> str:
        return obj.scope.cycle.slug

    @staticmethod
    def resolve_rule_label(obj) -> str:
        return str(BudgetCycle.TallyRule(obj.rule).label)

    @staticmethod
    def resolve_ballots(obj) -> int:
        return obj.ballot_count

    @staticmethod
    def resolve_funded_projects(obj) -> int:
        return obj.funded_count

    @staticmethod
    def resolve_fingerprint_sha256(obj) -> str:
        return obj.fingerprint

    @staticmethod
    def resolve_downloads(obj, context) -> list[dict]:
        scope = obj.scope
        return [
            {
                "format": export.kind,
                "url": absolute_url(
                    context,
                    reverse(
                        "results:results-download",
                        kwargs={
                            "slug": scope.cycle.slug,
                            "scope_pk": scope.pk,
                            "kind": export.kind,
                        },
                    ),
                ),
                "sha256": export.sha256,
            }
            for export in obj.exports.all()
        ]

    @staticmethod
    def resolve_url(obj, context) -> str:
        scope = obj.scope
        return absolute_url(
            context,
            reverse(
                "results:results-scope", kwargs={"slug": scope.cycle.slug, "scope_pk": scope.pk}
            ),
        )


class AllocationOut(Schema):
    rank: int
    proposal_id: int
    title: str
    cost_won: int
    votes: int = Field(..., description="Ballots that chose the project.")
    points: int = Field(..., description="Points given (cumulative ballots; else the votes).")
    score: str = Field(..., description="Exact council-weighted score as a fraction, or empty.")
    funded: bool
    reason_code: str
    reason: str = Field(..., description="Why it was (not) funded, in plain words.")
    reason_details: dict[str, Any]
    funded_by_greedy: bool | None = Field(
        ..., description="Whether most-votes-first would have funded it (None: the rule is greedy)."
    )

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.proposal.title

    @staticmethod
    def resolve_funded(obj) -> bool:
        return obj.is_funded

    @staticmethod
    def resolve_reason(obj) -> str:
        return str(describe_reason(obj))

    @staticmethod
    def resolve_reason_details(obj) -> dict:
        return dict(obj.reason_params or {})


# --- implementation -------------------------------------------------------------------------------
class PhotoOut(Schema):
    url: str
    caption: str


class ImplementationUpdateOut(Schema):
    id: int
    proposal_id: int
    cycle: str
    status: ImplementationStatusCode
    status_label: str
    percent_done: int
    spent_won: int = Field(..., description="Money spent on the project so far (won).")
    note: str
    photos: list[PhotoOut]
    created_at: datetime

    @staticmethod
    def resolve_cycle(obj) -> str:
        return obj.proposal.cycle.slug

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_photos(obj, context) -> list[dict]:
        return [
            {"url": absolute_url(context, photo.image.url), "caption": photo.caption}
            for photo in obj.photos.all()
        ]


class BudgetCutOut(Schema):
    id: int
    proposal_id: int
    cycle: str
    kind: Literal[tuple(BudgetCut.Kind.values)]
    kind_label: str
    amount_won: int = Field(..., description="How much was cut (won).")
    reason: str = Field(..., description="The public reason.")
    decided_on: date | None = Field(..., description="When the city council decided it.")
    created_at: datetime

    @staticmethod
    def resolve_cycle(obj) -> str:
        return obj.proposal.cycle.slug

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


# --- audit trail ----------------------------------------------------------------------------------
# What each public event may show of its details. Anything else (for example the name of an
# appointed council member) stays out of the API.
PUBLIC_EVENT_DETAILS: dict[str, tuple[str, ...]] = {
    AuditEvent.Type.PHASE_ADVANCED: ("from_phase", "to_phase"),
    AuditEvent.Type.CYCLE_RULES_CHANGED: ("fields",),
    AuditEvent.Type.COUNCIL_MEMBER_APPOINTED: ("subcommittee",),
    AuditEvent.Type.PROPOSAL_SUBMITTED: ("title", "cost_estimate_won", "scope"),
    AuditEvent.Type.PROPOSAL_EDITED: ("fields", "version"),
    AuditEvent.Type.ENDORSEMENT_THRESHOLD_REACHED: ("threshold", "endorsements"),
    AuditEvent.Type.PROPOSALS_MERGED: (
        "survivor_id",
        "survivor_title",
        "merged_ids",
        "merged_titles",
        "endorsements_moved",
    ),
    AuditEvent.Type.COUNCIL_DECISION_RECORDED: (
        "decision",
        "previous_decision",
        "revision",
        "proposal_title",
    ),
    AuditEvent.Type.VOTING_CLOSED: ("scope", "ballots"),
    AuditEvent.Type.RESULTS_PUBLISHED: ("scopes",),
    AuditEvent.Type.IMPLEMENTATION_UPDATED: (
        "proposal",
        "title",
        "status",
        "percent_done",
        "spent_won",
        "photos",
    ),
    AuditEvent.Type.PROJECT_CUT: (
        "proposal",
        "title",
        "kind",
        "amount_won",
        "funded_before_won",
        "funded_after_won",
    ),
}

# The kinds of thing an event may be about, as the API names them.
SUBJECT_KINDS: dict[tuple[str, str], str] = {
    ("budgeting", "budgetcycle"): "cycle",
    ("budgeting", "ballotscope"): "scope",
    ("proposals", "proposal"): "proposal",
    ("budgeting", "implementationupdate"): "implementation_update",
    ("budgeting", "budgetcut"): "budget_cut",
}


class SubjectOut(Schema):
    kind: Literal[tuple(SUBJECT_KINDS.values())]
    id: str = Field(..., description="The cycle's slug, or the id of the thing.")


class AuditEventOut(Schema):
    id: int
    cycle: str
    type: AuditEventType
    label: str
    created_at: datetime
    subject: SubjectOut | None
    reason: str = Field(..., description="The public reason given, if any.")
    details: dict[str, Any]

    @staticmethod
    def resolve_cycle(obj) -> str:
        return obj.cycle.slug

    @staticmethod
    def resolve_type(obj) -> str:
        return obj.event_type

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.get_event_type_display())

    @staticmethod
    def resolve_subject(obj) -> dict | None:
        if obj.subject_type is None:
            return None
        kind = SUBJECT_KINDS.get((obj.subject_type.app_label, obj.subject_type.model))
        if kind is None:
            return None
        return {"kind": kind, "id": obj.cycle.slug if kind == "cycle" else obj.subject_id}

    @staticmethod
    def resolve_details(obj) -> dict:
        allowed = PUBLIC_EVENT_DETAILS.get(obj.event_type, ())
        return {key: obj.parameters[key] for key in allowed if key in (obj.parameters or {})}
