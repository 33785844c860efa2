"""Forms of the phase control room: every act asks for its reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from console.wizard_forms import DATETIME_WIDGET_FORMAT


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit log, public with the step)"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=2000,
        error_messages={"required": _("Write the reason: it is kept in the audit log.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write the reason: it is kept in the audit log."))
        return reason


class DeadlineForm(ReasonForm):
    new_end = forms.DateTimeField(
        label=_("New deadline"),
        input_formats=[DATETIME_WIDGET_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"},
            format=DATETIME_WIDGET_FORMAT,
        ),
    )

    field_order = ["new_end", "reason"]
