"""Forms of the voting pages; the ballot form itself is voting.ballot_forms'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from voting.ballot_forms import BallotForm
from voting.ballot_forms import parse_choices

__all__ = ["BallotForm", "PaperBallotForm", "parse_choices"]


class PaperBallotForm(BallotForm):
    email = forms.EmailField(
        label=_("Resident's e-mail address"),
        help_text=_("The account of the person who cast this paper ballot."),
    )

    field_order = ["email"]
