"""Admin for proposals. Review records are read-only here: reviews, decisions and scores are made
on the council's review desk (/council/), where the services audit them and e-mail the authors."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from proposals.models import CouncilDecision
from proposals.models import CouncilScore
from proposals.models import FeasibilityReview
from proposals.models import RubricCriterion


# --- council review ----------------------------------------------------------------------------
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
