"""Forms of voting by phone alone and of the kiosk's phone identification: they only parse."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ResidentProfile
from budgeting.models import BudgetCycle
from budgeting.models import District
from channels.forms import PhoneNumberForm
from channels.forms import SmsCodeForm
from channels.phone import PhoneDeclaration
from channels.phone import cycle_has_district_pots
from channels.phone import list_declarable_districts

_NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false"}


def _district_label(district: District) -> str:
    if district.parent_id is not None:
        return f"{district.parent} · {district.name}"
    return str(district.name)


class PhoneDeclarationForm(forms.Form):
    """What a phone voter states about themself: their district (when the cycle has district
    pots), year of birth and relation to the city, and that it is true."""

    district = forms.TypedChoiceField(
        label=_("Your district"),
        coerce=int,
        help_text=_("Where you live, work or study: you vote on its pot as well as the city's."),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        min_value=1900,
        help_text=_("Used only to check the minimum voting age (and a track's ages)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(label=_("Your relation to the city"), widget=forms.RadioSelect)
    truthful = forms.BooleanField(
        label=_(
            "I state that this is true. A false statement may make my ballots void, and one "
            "mobile number votes once on each pot."
        )
    )

    def __init__(self, *args, cycle: BudgetCycle, **kwargs):
        super().__init__(*args, **kwargs)
        relation = cast("forms.ChoiceField", self.fields["relation"])
        relation.choices = [
            (value, label)
            for value, label in ResidentProfile.Relation.choices
            if value in cycle.eligible_relations
        ]
        if cycle_has_district_pots(cycle=cycle):
            district = cast("forms.TypedChoiceField", self.fields["district"])
            district.choices = [("", _("Choose your district (gu or dong)"))] + [
                (d.pk, _district_label(d)) for d in list_declarable_districts()
            ]
        else:
            del self.fields["district"]

    def clean_birth_year(self) -> int:
        year = self.cleaned_data["birth_year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of birth cannot be in the future."))
        return year

    def declaration(self) -> PhoneDeclaration:
        return PhoneDeclaration(
            birth_year=self.cleaned_data["birth_year"],
            relation=self.cleaned_data["relation"],
            district_id=self.cleaned_data.get("district") or None,
        )


class KioskPhoneNumberForm(PhoneNumberForm):
    """The officer types the voter's number: no autofill on a kiosk."""

    phone_number = forms.CharField(
        label=_("Voter's mobile phone number"),
        max_length=20,
        help_text=_("A Korean mobile number, e.g. 010-1234-5678. A code is sent to it by SMS."),
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "inputmode": "tel"}),
    )


class KioskSmsCodeForm(SmsCodeForm):
    """The voter types the code from their phone on the kiosk."""

    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=10,
        widget=forms.TextInput(attrs={**_NO_AUTOFILL, "inputmode": "numeric"}),
    )
