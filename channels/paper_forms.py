"""Forms of the batch paper entry and of a correction: they only parse what was typed; the
rules are ``channels.paper``'s."""

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.forms import CensusRefForm
from channels.paper import MAX_REASON_LENGTH
from channels.paper import MAX_SHEET_BYTES
from voting.ballot_forms import BallotForm

_NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false"}


class PaperSheetForm(forms.Form):
    """A tally sheet: a CSV file, or the lines typed (or pasted) into the box; one of the two."""

    file = forms.FileField(
        label=_("CSV file of the tally sheet"),
        required=False,
        help_text=_("UTF-8 or CP949 (as Excel saves CSV), at most 256 kB."),
    )
    sheet = forms.CharField(
        label=_("Or type the lines of the tally sheet"),
        required=False,
        max_length=MAX_SHEET_BYTES,
        help_text=_(
            "One paper ballot per line: the census or ID reference, a comma, then the codes of "
            "the projects marked, e.g. 900101-1234567, 12 15. For points or ranks write 12:3."
        ),
        widget=forms.Textarea(attrs=_NO_AUTOFILL | {"rows": 12, "class": "font-monospace"}),
    )

    def clean(self):
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("file") and not cleaned.get("sheet", "").strip():
            raise forms.ValidationError(
                _("Choose a CSV file or type the lines of the sheet."), code="empty"
            )
        return cleaned


class PaperSheetConfirmForm(forms.Form):
    """The checked sheet sent back to be stored (the same text the preview showed)."""

    sheet = forms.CharField(max_length=MAX_SHEET_BYTES, widget=forms.HiddenInput)
    # the lines the check refused, handed back with the result to be fixed
    pending = forms.CharField(max_length=MAX_SHEET_BYTES, required=False, widget=forms.HiddenInput)
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


class PaperCorrectionForm(BallotForm):
    """The reference, the whole ballot typed again from the paper, and why."""

    census_ref = CensusRefForm.base_fields["census_ref"]
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=MAX_REASON_LENGTH,
        help_text=_(
            "Public in the audit log: say what went wrong (e.g. a project typed in the wrong "
            "row), never the voter's name, reference or choices."
        ),
        widget=forms.Textarea(attrs=_NO_AUTOFILL | {"rows": 3}),
    )

    field_order = ["census_ref"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = self.fields.pop("reason")  # after the ballot
