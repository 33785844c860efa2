"""Admin for proposals. Review records are read-only here: reviews, decisions and scores are made
on the council's review desk (/council/), where the services audit them and e-mail the authors."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from core.admin import ReadOnlyAdmin
from proposals.models import Comment
from proposals.models import CouncilDecision
from proposals.models import CouncilScore
from proposals.models import Endorsement
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.models import Report
from proposals.models import RubricCriterion


# --- council review ----------------------------------------------------------------------------
@admin.register(RubricCriterion)
class RubricCriterionAdmin(TranslationAdmin):
    """The published rubric council members score proposals on (per cycle)."""

    list_display = ("name", "cycle", "max_points", "order")
    list_filter = ("cycle",)
    ordering = ("cycle", "order", "pk")


@admin.register(FeasibilityReview)
class FeasibilityReviewAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "reviewer", "verdict", "reviewed_cost_won", "updated_at")
    list_filter = ("verdict", "proposal__cycle")
    search_fields = ("proposal__title",)


@admin.register(CouncilDecision)
class CouncilDecisionAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "decision", "decided_by", "decided_at")
    list_filter = ("decision", "proposal__cycle")
    search_fields = ("proposal__title", "public_reason")


@admin.register(CouncilScore)
class CouncilScoreAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "member", "criterion", "points", "updated_at")
    list_filter = ("criterion__cycle",)


# --- proposals and discussion ------------------------------------------------------------------
# Read-only too: residents change proposals on the site (versioned, audited), and staff hide
# content with a public reason on the moderation pages (/staff/moderation/), never silently here.
@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "cycle", "scope", "policy_area", "status", "submitted_at", "hidden_at")
    list_filter = ("status", "cycle", "policy_area", "scope__district")
    search_fields = ("title", "summary", "author__email")
    date_hierarchy = "submitted_at"


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "proposal", "author", "created_at", "hidden_at")
    list_filter = ("proposal__cycle",)
    search_fields = ("body", "author__email")


@admin.register(Endorsement)
class EndorsementAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "user", "created_at")
    list_filter = ("proposal__cycle",)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "proposal", "comment", "created_at", "resolved_at", "resolution")
    list_filter = ("resolved_at",)
