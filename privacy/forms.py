"""Forms only check the shape of input; the rules are in privacy.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.consents import TERMS_BY_PURPOSE
from accounts.models import Consent


class OptionalConsentsForm(forms.Form):
    """The optional consents: tick to give, untick to withdraw (the required one is withdrawn by
    deleting the account)."""

    committee_attributes = forms.BooleanField(
        label=TERMS_BY_PURPOSE[Consent.Purpose.COMMITTEE_ATTRIBUTES].title, required=False
    )
    phone = forms.BooleanField(label=TERMS_BY_PURPOSE[Consent.Purpose.PHONE].title, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-check-input"


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and personal data are erased and cannot be restored."
        ),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="password")
        return password
