"""Implementation records in the admin: read-only, as staff write them on the staff pages
(/staff/cycles/<slug>/implementation/), where the services audit them."""

from django.contrib import admin

from budgeting.models import BudgetCut
from budgeting.models import ImplementationUpdate
from core.admin import ReadOnlyAdmin


@admin.register(ImplementationUpdate)
class ImplementationUpdateAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "proposal", "status", "percent_done", "spent_won", "posted_by"]
    list_filter = ["status", "proposal__cycle"]
    readonly_fields = [f.name for f in ImplementationUpdate._meta.fields]


@admin.register(BudgetCut)
class BudgetCutAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "proposal", "kind", "amount_won", "decided_on", "recorded_by"]
    list_filter = ["kind", "proposal__cycle"]
    readonly_fields = [f.name for f in BudgetCut._meta.fields]
