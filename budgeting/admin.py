"""The admin of budgeting (superusers only): cycles read-only (the console owns them),
districts, policy areas, the audit trail."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import District
from budgeting.models import PolicyArea
from core.admin import ReadOnlyAdmin


# Cycles, their pots and their phases belong to the budget office's console (the set-up wizard
# and the phase control room, which check, explain and audit every change): the admin, for
# superusers only (config.urls), shows them read-only.
class BallotScopeInline(admin.StackedInline):
    model = BallotScope
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CouncilMembershipInline(BallotScopeInline):
    model = CouncilMembership  # type: ignore[assignment]  # the same read-only inline


@admin.register(BudgetCycle)
class BudgetCycleAdmin(ReadOnlyAdmin, TranslationAdmin):
    list_display = ["name", "year", "phase", "proposals_start_at", "voting_end_at"]
    list_filter = ["phase", "year"]
    search_fields = ["name", "slug"]
    inlines = [BallotScopeInline, CouncilMembershipInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "slug",
                    "year",
                    "description",
                    "phase",
                    "phase_changed_at",
                    "total_budget_won",
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "proposals_start_at",
                    "proposals_end_at",
                    "voting_start_at",
                    "voting_end_at",
                    "results_expected_at",
                )
            },
        ),
        (
            _("Proposals"),
            {"fields": ("policy_areas", "proposal_limit_per_resident", "endorsement_threshold")},
        ),
        (_("Ballot rule (frozen once voting opens)"), {"fields": BudgetCycle.BALLOT_RULE_FIELDS}),
        (_("Tally rule (frozen once voting opens)"), {"fields": BudgetCycle.TALLY_RULE_FIELDS}),
        (_("Eligibility (frozen once voting opens)"), {"fields": BudgetCycle.ELIGIBILITY_FIELDS}),
    )


@admin.register(District)
class DistrictAdmin(TranslationAdmin):
    list_display = ["name", "slug", "parent", "order"]
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(PolicyArea)
class PolicyAreaAdmin(TranslationAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event_type", "cycle", "actor", "is_public"]
    list_filter = ["event_type", "is_public", "cycle"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
