from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ResidentProfile
from budgeting.models import District


class ResidentProfileForm(forms.ModelForm):
    district: "forms.ModelChoiceField[District]" = forms.ModelChoiceField(
        queryset=District.objects.all(),
        label=_("District"),
        help_text=_("The district whose ballot you vote on, besides the city-wide one."),
        empty_label=_("Choose your district"),
    )

    class Meta:
        model = ResidentProfile
        fields = [
            "display_name",
            "district",
            "birth_year",
            "relation",
            "preferred_language",
            "voting_reminders",
            "email_phase_opened",
            "email_proposal_review",
            "email_followed_projects",
        ]
        widgets = {
            "relation": forms.RadioSelect,
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1900}),
        }
        help_texts = {
            "birth_year": _("Used only to check the minimum voting age."),
        }

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of birth cannot be in the future."))
        return year

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if "@" in name:
            raise forms.ValidationError(
                _("Please do not use an e-mail address as your public name.")
            )
        return name


class ResidentCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of e-mail addresses"),
        help_text=_("One address per line (a header row is fine). UTF-8 or CP949, at most 2 MB."),
    )
