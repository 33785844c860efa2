"""The ballot form every channel shows (online, code, kiosk, paper): it only parses what the
voter ticked; the rule check is ballot_rules'. Apart from voting.forms so that the channels app
may use it (an app imports no other app's forms)."""

from typing import Any
from typing import cast

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from voting.ballot_rules import CUMULATIVE
from voting.ballot_rules import RANKED
from voting.ballot_rules import BallotLimits
from voting.ballot_rules import BallotRuleError
from voting.ballot_rules import check_ballot
from voting.shared import describe_rule_error


def points_field_name(proposal_id: int) -> str:
    return f"points_{proposal_id}"


def rank_field_name(proposal_id: int) -> str:
    return f"rank_{proposal_id}"


# The per-project field of the rules that take a number per project (points or rank).
_NUMBER_FIELD = {CUMULATIVE: "points_", RANKED: "rank_"}


def _is_whole_number(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 10


def parse_choices(data, *, rule: str) -> dict[int, int] | None:
    """Strictly parse a submitted ballot (proposal id -> points) without touching the database;
    None when anything does not parse (the caller then shows the form with its errors)."""
    choices: dict[int, int] = {}
    prefix = _NUMBER_FIELD.get(rule)
    if prefix is not None:  # cumulative points or ranks: a number per project, empty or 0 = none
        for name, value in data.items():
            if not name.startswith(prefix):
                continue
            pk = name[len(prefix) :]
            if not (_is_whole_number(pk) and (value == "" or _is_whole_number(value))):
                return None
            if value and int(value) > 0:
                choices[int(pk)] = int(value)
        return choices
    for value in data.getlist("proposals"):
        if not _is_whole_number(value):
            return None
        choices[int(value)] = 1
    return choices


class BallotForm(forms.Form):
    """Approval and knapsack: a checkbox per project (``proposals``). Cumulative: a number of
    points per project (``points_<id>``). Ranked: a select box per project (``rank_<id>``: no
    rank, or 1 to k). ``cleaned_choices`` maps proposal id -> points (the rank when ranked)."""

    def __init__(self, *args, proposals, limits: BallotLimits, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        self.limits = limits
        self.is_cumulative = limits.rule == CUMULATIVE
        self.is_ranked = limits.rule == RANKED
        self.field_prefix = _NUMBER_FIELD.get(limits.rule)
        if self.is_ranked:
            rank_choices = [("", _("Not ranked"))] + [
                (str(rank), str(rank)) for rank in range(1, limits.max_ranks + 1)
            ]
            for proposal in proposals:
                self.fields[rank_field_name(proposal.pk)] = forms.TypedChoiceField(
                    label=proposal.title,
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=rank_choices,
                )
        elif self.is_cumulative:
            for proposal in proposals:
                self.fields[points_field_name(proposal.pk)] = forms.IntegerField(
                    label=proposal.title,
                    required=False,
                    min_value=0,
                    max_value=limits.max_points_per_project,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
        else:
            self.fields["proposals"] = forms.TypedMultipleChoiceField(
                label=_("Projects"),
                required=False,
                coerce=int,
                choices=[(proposal.pk, proposal.title) for proposal in proposals],
                widget=forms.CheckboxSelectMultiple,
            )

    @classmethod
    def initial_for(cls, choices: dict[int, int], *, limits: BallotLimits) -> dict:
        if limits.rule == CUMULATIVE:
            return {points_field_name(pk): points for pk, points in choices.items()}
        if limits.rule == RANKED:
            return {rank_field_name(pk): rank for pk, rank in choices.items()}
        return {"proposals": list(choices)}

    def parse_leniently(self) -> dict[int, int]:
        """The choices in the submitted data, ignoring what does not parse (to re-show them)."""
        choices = {}
        # request.POST when bound, Django's empty MultiValueDict when not
        data = cast("MultiValueDict[str, Any]", self.data)
        for proposal in self.proposals:
            if self.field_prefix is not None:
                raw = data.get(f"{self.field_prefix}{proposal.pk}", "")
                if _is_whole_number(str(raw)) and int(raw) > 0:
                    choices[proposal.pk] = int(raw)
            elif str(proposal.pk) in data.getlist("proposals"):
                choices[proposal.pk] = 1
        return choices

    def clean(self):
        cleaned = cast("dict[str, Any]", super().clean())  # Form.clean returns cleaned_data
        if self.errors:
            return cleaned
        if self.field_prefix is not None:
            choices = {
                proposal.pk: cleaned[f"{self.field_prefix}{proposal.pk}"]
                for proposal in self.proposals
                if cleaned.get(f"{self.field_prefix}{proposal.pk}")
            }
        else:
            choices = dict.fromkeys(cleaned.get("proposals", []), 1)
        try:
            check_ballot(self.limits, choices)
        except BallotRuleError as error:
            raise forms.ValidationError(describe_rule_error(error), code=error.code) from error
        self.cleaned_choices = choices
        return cleaned
