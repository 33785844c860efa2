"""Forms of the channels app: they only parse what was typed; the rules are the services'."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models import BallotScope
from voting.ballot_forms import BallotForm

_NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class VotingCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your voting code"),
        max_length=40,
        help_text=_(
            "The 16 letters and digits printed on your code sheet, e.g. ABCD-EFGH-JKMN-PQRS."
        ),
        widget=forms.TextInput(attrs=_NO_AUTOFILL),
    )


class PhoneNumberForm(forms.Form):
    phone_number = forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        help_text=_("A Korean mobile number, e.g. 010-1234-5678. We send a code by SMS."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneConsentForm(PhoneNumberForm):
    consent = forms.BooleanField(
        label=_(
            "I agree that Chamyeo keeps my mobile phone number to verify that I vote once "
            "(optional; I can withdraw this consent in my profile)."
        ),
    )


class SmsCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CodeBatchForm(forms.Form):
    size = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=10_000)
    label = forms.CharField(label=_("Label"), max_length=120, required=False)
    scopes: "forms.ModelMultipleChoiceField[BallotScope]" = forms.ModelMultipleChoiceField(
        label=_("Ballots the codes vote on"),
        queryset=BallotScope.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        scopes = cast("forms.ModelMultipleChoiceField", self.fields["scopes"])
        scopes.queryset = cycle.scopes.order_by("pk")


class CensusRefForm(forms.Form):
    census_ref = forms.CharField(
        label=_("Census or ID reference"),
        max_length=40,
        help_text=_("Checked by the officer against the voter's ID card."),
        widget=forms.TextInput(attrs=_NO_AUTOFILL),
    )


class WalkInPaperBallotForm(BallotForm):
    census_ref = CensusRefForm.base_fields["census_ref"]

    field_order = ["census_ref"]
