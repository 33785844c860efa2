"""Offices and their officers are set up in the admin; codes are managed on the staff pages."""

from django.contrib import admin

from channels.models import Office
from channels.models import OfficeOfficer


# Stacked with a raw id field: every input keeps its own label (a tabular inline's delete box and
# the autocomplete widget have none, which axe reports).
class OfficeOfficerInline(admin.StackedInline):
    model = OfficeOfficer
    extra = 1
    raw_id_fields = ["user"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["name"]
    inlines = [OfficeOfficerInline]
