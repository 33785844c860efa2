"""The assembly's records in the admin, listed only: the budget office works in its own screens
(/staff/cycles/<cycle>/assemblies/, /staff/cycles/<cycle>/survey/), which check every change and
write it to the audit log."""

from django.contrib import admin

from assembly.models import Assembly
from assembly.models import SurveyCount
from core.admin import ReadOnlyAdmin


@admin.register(Assembly)
class AssemblyAdmin(ReadOnlyAdmin):
    list_display = ["title", "cycle", "starts_at", "place", "status"]
    list_filter = ["status"]


@admin.register(SurveyCount)
class SurveyCountAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "count", "updated_at"]
    raw_id_fields = ["proposal"]
