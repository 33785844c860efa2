"""Form fields more than one app's forms use."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

MAX_WON = 9_223_372_036_854_775_807  # PositiveBigIntegerField's upper bound


class WonField(forms.IntegerField):
    """A whole number of won; accepts 1,200,000 / 1 200 000 / ₩1,200,000 / 1,200,000원."""

    default_error_messages = {
        "invalid": _("Enter a whole number of won, for example 12,000,000."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
        self.validators.append(MaxValueValidator(MAX_WON))
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = re.sub(r"[\s,₩원]", "", value)
            if value and not re.fullmatch(r"-?\d+", value):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
