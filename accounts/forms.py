from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.consents import TERMS_BY_PURPOSE
from accounts.models import Consent
from accounts.models import ResidentProfile
from accounts.services import record_consents
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


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with the consents of 개인정보 보호법 (one required, the rest optional).

    The page shows each consent's purpose, items and retention (``accounts.consents``) above its
    check box. An address that already has an account gets the same answer and the same work as
    a new one: allauth answers "verification sent" and mails the owner instead of creating an
    account, and this form hashes the typed password in that case too, as creating the account
    would, so the time taken does not tell whether the address is registered (issue #16, item 5).
    """

    consent_account = forms.BooleanField(
        label=TERMS_BY_PURPOSE[Consent.Purpose.ACCOUNT].label,
        required=True,
        error_messages={
            "required": _(
                "You need to agree to the required items to make an account. Without them we "
                "cannot check who may take part."
            )
        },
    )
    consent_committee_attributes = forms.BooleanField(
        label=TERMS_BY_PURPOSE[Consent.Purpose.COMMITTEE_ATTRIBUTES].label, required=False
    )
    consent_phone = forms.BooleanField(
        label=TERMS_BY_PURPOSE[Consent.Purpose.PHONE].label, required=False
    )

    CONSENT_FIELDS = {
        "consent_account": Consent.Purpose.ACCOUNT,
        "consent_committee_attributes": Consent.Purpose.COMMITTEE_ATTRIBUTES,
        "consent_phone": Consent.Purpose.PHONE,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name in self.CONSENT_FIELDS else "form-control"
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_errors"

    def account_fields(self):
        """The e-mail and password fields (and allauth's others), without the consents."""
        return [field for field in self if field.name not in self.CONSENT_FIELDS]

    def consent_rows(self):
        """(terms, check box) per consent, for the page's table of purpose, items, retention."""
        return [
            (TERMS_BY_PURPOSE[purpose], self[name]) for name, purpose in self.CONSENT_FIELDS.items()
        ]

    def consent_answers(self) -> dict[str, bool]:
        return {
            purpose: bool(self.cleaned_data.get(name))
            for name, purpose in self.CONSENT_FIELDS.items()
        }

    def try_save(self, request):
        if self.account_already_exists:
            # The work of creating an account, without one: hash the password (the slow part).
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)

    def save(self, request):
        user = super().save(request)
        record_consents(user=user, answers=self.consent_answers())
        return user
