"""Admin for departments: the budget office names departments, the policy areas they own and
their officials here. Reviews, routings and answers are made on the department desk
(/staff/departments/), where the services audit them."""

from django.contrib import admin

from departments.models import Department
from departments.models import DepartmentOfficial


class DepartmentOfficialInline(admin.StackedInline):
    model = DepartmentOfficial
    extra = 1
    raw_id_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "slug", "email")
    search_fields = ("name_ko", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [DepartmentOfficialInline]
