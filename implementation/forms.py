"""Staff forms for implementation tracking: a progress update (with photos) and a budget cut."""

from typing import Any
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models import ImplementationStatus
from core.images import reencode_image

PHOTO_SLOTS = 3
ACCEPTED_IMAGES = "image/jpeg,image/png,image/webp"


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _mark_errors(form: forms.Form) -> None:
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["aria-invalid"] = "true"


class ImplementationUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    percent_done = forms.IntegerField(
        label=_("Percent done"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    spent_won = forms.IntegerField(
        label=_("Money spent so far (won)"),
        min_value=0,
        help_text=_("The total spent since the start, not since the last update."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=5000,
        help_text=_("What happened, what is next, and any delay and why. Public."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, PHOTO_SLOTS + 1):
            self.fields[f"photo_{n}"] = forms.ImageField(
                label=_("Photo %(n)s") % {"n": n},
                required=False,
                help_text=_("JPEG, PNG or WebP, at most 5 MB. Location data is removed.")
                if n == 1
                else "",
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_IMAGES}),
            )
            self.fields[f"caption_{n}"] = forms.CharField(
                label=_("Caption of photo %(n)s") % {"n": n}, max_length=200, required=False
            )
        _bootstrap(self)

    def clean(self):
        cleaned = cast("dict[str, Any]", super().clean())  # Form.clean returns cleaned_data
        for n in range(1, PHOTO_SLOTS + 1):
            upload = cleaned.get(f"photo_{n}")
            if upload:
                try:
                    cleaned[f"photo_{n}"] = reencode_image(upload)
                except forms.ValidationError as error:
                    self.add_error(f"photo_{n}", error)
        if (
            cleaned.get("status") == ImplementationStatus.DONE
            and cleaned.get("percent_done") is not None
            and cleaned["percent_done"] != 100
        ):
            self.add_error("percent_done", _("A project that is done must be at 100 percent."))
        _mark_errors(self)
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "percent_done": data["percent_done"],
            "spent_won": data["spent_won"],
            "note": data["note"],
            "photos": [
                (data[f"photo_{n}"], data.get(f"caption_{n}", ""))
                for n in range(1, PHOTO_SLOTS + 1)
                if data.get(f"photo_{n}")
            ],
        }


class BudgetCutForm(forms.Form):
    amount_won = forms.IntegerField(
        label=_("Amount cut (won)"),
        min_value=1,
        help_text=_("Cutting everything that is left cancels the project."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label=_("Public reason"),
        max_length=5000,
        help_text=_("Shown to everyone on the project's page and the accountability page."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decided_on = forms.DateField(
        label=_("Decided by the city council on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        _mark_errors(self)
        return cleaned
