"""Offices and their officers are set up in the admin; codes are managed on the staff pages."""

from django.contrib import admin

from channels.models import Office
from channels.models import OfficeOfficer


class OfficeOfficerInline(admin.TabularInline):
    model = OfficeOfficer
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["name"]
    inlines = [OfficeOfficerInline]
