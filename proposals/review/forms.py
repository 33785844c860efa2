"""Forms for the council's review: field shape only; the rules are in services/review.py."""

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import WonField
from proposals.forms import BootstrapFormMixin
from proposals.models import CouncilDecision
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.models import SubcommitteeRecommendation
from proposals.review.predicates import REVIEWABLE_STATUSES
from proposals.review.selectors import QueueFilters
from proposals.review.selectors import QueueProgress
from proposals.review.selectors import QueueSort


class ReviewFormMixin(BootstrapFormMixin):
    """Bootstrap classes (choices as form-check inputs), ``aria-invalid`` on errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):  # and CheckboxSelectMultiple
                field.widget.attrs["class"] = "form-check-input"


class FeasibilityReviewForm(ReviewFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=FeasibilityReview.Verdict.choices, widget=forms.RadioSelect
    )
    reason_codes = forms.MultipleChoiceField(
        label=_("Reasons (required when not feasible)"),
        choices=FeasibilityReview.ReasonCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reviewed_cost_won = WonField(
        label=_("Reviewed cost (won)"),
        required=False,
        help_text=_("What the city would really spend. Required unless not feasible."),
    )
    legal_notes = forms.CharField(
        label=_("Legal notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    technical_notes = forms.CharField(
        label=_("Technical notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )

    @classmethod
    def initial_from(cls, review: FeasibilityReview | None) -> dict:
        if review is None:
            return {}
        return {
            "verdict": review.verdict,
            "reason_codes": review.reason_codes,
            "reviewed_cost_won": review.reviewed_cost_won,
            "legal_notes": review.legal_notes,
            "technical_notes": review.technical_notes,
        }


class CouncilDecisionForm(ReviewFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=CouncilDecision.Decision.choices, widget=forms.RadioSelect
    )
    public_reason = forms.CharField(
        label=_("Public reason"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Shown to everyone on the proposal page and e-mailed to the authors."),
    )
    # How many decisions the member saw when opening the form (stale-decision check).
    expected_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class MergeForm(ReviewFormMixin, forms.Form):
    duplicates = forms.ModelMultipleChoiceField(
        label=_("Proposals to merge into this one"),
        queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They will point to this proposal; their endorsements move here."),
    )
    public_reason = forms.CharField(
        label=_("Public reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Shown to everyone and e-mailed to the authors of every proposal involved."),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["duplicates"].queryset = candidates  # type: ignore[attr-defined]
        # django-stubs types form.fields as plain Fields: this is a ModelMultipleChoiceField
        self.fields["duplicates"].label_from_instance = lambda p: f"#{p.pk} {p.title}"  # type: ignore[attr-defined]


class RubricScoreForm(ReviewFormMixin, forms.Form):
    """One field per rubric criterion: ``criterion_<id>``, 0 to the criterion's most points."""

    def __init__(self, *args, criteria=(), **kwargs):
        self.criteria = list(criteria)
        # Fields are built before Form.__init__ copies them, so the mixin styles them too.
        self.base_fields = {  # type: ignore[misc]  # per-instance fields, before Form.__init__
            f"criterion_{criterion.pk}": forms.IntegerField(
                label=criterion.name,
                min_value=0,
                max_value=criterion.max_points,
                help_text=criterion.description,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            for criterion in self.criteria
        }
        super().__init__(*args, **kwargs)

    def points(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


class ReviewQueueFilterForm(forms.Form):
    """The review queue's filters. A value that is not offered is ignored, never refused
    (nor marked invalid: the select simply shows "any").

    ``area`` left out of the address means the member's subcommittee; ``area=`` (empty) means
    every policy area, so the page links always carry ``area`` to keep the choice.
    """

    q = forms.CharField(label=_("Title or number"), max_length=100, required=False)
    area = forms.ChoiceField(label=_("Policy area"), required=False)
    ballot = forms.ChoiceField(label=_("Ballot"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    review = forms.ChoiceField(
        label=_("Feasibility review"),
        required=False,
        choices=[
            ("", _("Any")),
            (QueueProgress.WAITING_FOR_REVIEW, _("Waiting for review")),
            (QueueProgress.REVIEWED, _("Reviewed")),
        ],
    )
    decision = forms.ChoiceField(
        label=_("Council decision"),
        required=False,
        choices=[
            ("", _("Any")),
            (QueueProgress.NEEDS_DECISION, _("Needs a decision")),
            (QueueProgress.DECIDED, _("Decision recorded")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (QueueSort.URGENT, _("Most urgent")),
            (QueueSort.MOST_ENDORSED, _("Most endorsed")),
            (QueueSort.NEWEST, _("Newest")),
            (QueueSort.OLDEST, _("Oldest")),
        ],
    )

    def __init__(self, data, *, areas, scopes, subcommittee=None):
        self.areas = {str(area.pk): area for area in areas}
        self.scopes = {str(scope.pk): scope for scope in scopes}
        data = data.copy()
        if "area" not in data:
            data["area"] = str(subcommittee.pk) if subcommittee is not None else ""
        super().__init__(data)
        # django-stubs types form.fields as plain Fields: these are ChoiceFields
        self.fields["area"].choices = [("", _("All policy areas"))] + [  # type: ignore[attr-defined]
            (pk, area.name) for pk, area in self.areas.items()
        ]
        self.fields["ballot"].choices = [("", _("All ballots"))] + [  # type: ignore[attr-defined]
            (pk, scope.name) for pk, scope in self.scopes.items()
        ]
        self.fields["status"].choices = [("", _("Any status"))] + [  # type: ignore[attr-defined]
            (value, Proposal.Status(value).label) for value in sorted(REVIEWABLE_STATUSES)
        ]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def _valid_values(self) -> dict[str, str]:
        """The submitted values, each one dropped (as if empty) when it is not valid."""
        self.is_valid()
        return {
            name: "" if name in self.errors else str(self.cleaned_data.get(name) or "")
            for name in self.fields
        }

    def filters(self) -> QueueFilters:
        values = self._valid_values()
        return QueueFilters(
            policy_area=self.areas.get(values["area"]),
            scope=self.scopes.get(values["ballot"]),
            status=values["status"],
            review=values["review"],
            decision=values["decision"],
            query=values["q"].strip(),
            sort=values["sort"] or QueueSort.URGENT,
        )

    def query_string(self) -> str:
        """The valid filters for the page links (``area`` always, so "all areas" is kept)."""
        values = self._valid_values()
        return urlencode({name: value for name, value in values.items() if value or name == "area"})


class RecommendationForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=SubcommitteeRecommendation.Recommendation.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Public reason"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class StepAsideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you step aside (public with the decision)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
