"""Forms of the staff roles page: grant a role to an existing account, revoke one."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffRole
from accounts.models import User
from budgeting.models import District
from console.control_forms import ReasonForm
from departments.models import Department


class StaffReasonForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason (kept in the audit log, not public)"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        max_length=2000,
        error_messages={"required": _("Write the reason: it is kept in the audit log.")},
    )


class GrantForm(StaffReasonForm):
    email = forms.EmailField(
        label=_("E-mail address of the account"),
        help_text=_("The person signs up first; their account is found by this address."),
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=StaffRole.Role.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    district: "forms.ModelChoiceField[District]" = forms.ModelChoiceField(
        label=_("Gu (for a district officer)"),
        queryset=District.objects.filter(parent__isnull=True),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    department: "forms.ModelChoiceField[Department]" = forms.ModelChoiceField(
        label=_("Department (for a department official)"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    field_order = ["email", "role", "district", "department", "reason"]

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip()
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise ValidationError(
                _("No account has this e-mail address: the person signs up first.")
            )
        return person

    def clean(self):
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        if role == StaffRole.Role.DISTRICT_OFFICER and not cleaned.get("district"):
            self.add_error("district", _("Choose the gu this district officer acts for."))
        if role == StaffRole.Role.DEPARTMENT_OFFICIAL and not cleaned.get("department"):
            self.add_error("department", _("Choose the department this official acts for."))
        return cleaned
