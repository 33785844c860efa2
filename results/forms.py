"""The one form of the results pages: a resident checks that their receipt code was counted."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models.ballots import RECEIPT_ALPHABET

RECEIPT_LENGTH = 16


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        max_length=40,
        help_text=_("16 letters and digits, as on your receipt; dashes and spaces are optional."),
        widget=forms.TextInput(
            attrs={
                "class": "form-control font-monospace",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        """``7kq4 mx2p-9hta c3ve`` -> ``7KQ4-MX2P-9HTA-C3VE``; anything else is refused."""
        raw = re.sub(r"[\s\-]", "", self.cleaned_data["code"]).upper()
        if len(raw) != RECEIPT_LENGTH or any(char not in RECEIPT_ALPHABET for char in raw):
            raise forms.ValidationError(
                _(
                    "This is not a receipt code: a code has 16 letters and digits, "
                    "without 0, 1, I, L or O."
                ),
                code="invalid",
            )
        return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))
