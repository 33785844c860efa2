"""The survey counts form: one whole number per project on each pot's ballot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assembly.selectors import SurveyPot

# the largest value SurveyCount.count (a PositiveIntegerField) holds everywhere
MAX_COUNT = 2_147_483_647


class SurveyCountsForm(forms.Form):
    """A field ``count-<proposal id>`` per project of ``pots``, with its current count."""

    def __init__(self, *args, pots: list[SurveyPot], **kwargs):
        super().__init__(*args, **kwargs)
        self.pots = pots
        for pot in pots:
            for proposal, count in pot.lines:
                self.fields[self.field_name(proposal.pk)] = forms.IntegerField(
                    label=proposal.title,
                    min_value=0,
                    max_value=MAX_COUNT,
                    initial=count,
                    error_messages={
                        "required": _("Enter the survey count (0 if none)."),
                        "invalid": _("Enter a whole number."),
                        "min_value": _("A survey count is 0 or more."),
                    },
                    widget=forms.NumberInput(
                        attrs={"class": "form-control", "min": 0, "inputmode": "numeric"}
                    ),
                )

    @staticmethod
    def field_name(proposal_id: int) -> str:
        return f"count-{proposal_id}"

    def grouped(self) -> list[tuple[SurveyPot, list[forms.BoundField]]]:
        """The bound fields pot by pot, for the template."""
        return [
            (pot, [self[self.field_name(proposal.pk)] for proposal, _count in pot.lines])
            for pot in self.pots
        ]

    def counts(self) -> dict[int, int]:
        """Proposal id -> the count entered (after ``is_valid``)."""
        return {
            int(name.removeprefix("count-")): value for name, value in self.cleaned_data.items()
        }
