"""Budget office screens for what has no console page yet: assemblies and survey counts."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly
from assembly.models import SurveyCount
from budgeting.phases import Phase
from budgeting.phases import phase_index


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "starts_at", "place", "status"]
    list_filter = ["status"]
    readonly_fields = ["status"]  # opened and closed from the assembly's staff page


class SurveyCountForm(forms.ModelForm):
    class Meta:
        model = SurveyCount
        fields = ["proposal", "count"]

    def clean(self):
        cleaned = super().clean()
        proposal = cleaned.get("proposal") if cleaned else None
        if proposal is not None and phase_index(proposal.cycle.phase) >= phase_index(
            Phase.TALLYING
        ):
            raise ValidationError(
                _("Voting has closed: the survey counts are frozen with the other sources.")
            )
        return cleaned


@admin.register(SurveyCount)
class SurveyCountAdmin(admin.ModelAdmin):
    form = SurveyCountForm
    list_display = ["proposal", "count", "updated_at"]
    raw_id_fields = ["proposal"]  # the autocomplete widget (select2) has no accessible name

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
