"""Forms of the departments app: field shape only; the rules are in departments/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import WonField
from departments.models import Department
from departments.models import DepartmentReview
from departments.services import MAX_ATTACHMENT_BYTES


class ReviewFormMixin:
    """Bootstrap classes and ``aria-invalid`` (the review desk's look; proposals' forms are
    not importable from here)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"  # RadioSelect covers CheckboxSelectMultiple
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_helptext"  # type: ignore[attr-defined]

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class DepartmentReviewForm(ReviewFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("Feasibility"),
        choices=DepartmentReview.Verdict.choices,
        widget=forms.RadioSelect,
    )
    reason_codes = forms.MultipleChoiceField(
        label=_("Reasons (required when not feasible)"),
        choices=DepartmentReview.ReasonCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    legal_basis = forms.CharField(
        label=_("Legal basis or obstacle"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    has_legal_obstacle = forms.BooleanField(label=_("There is a legal obstacle"), required=False)
    overlap_programme = forms.CharField(
        label=_("Overlaps an existing programme (which one)"), max_length=200, required=False
    )
    reviewed_cost_won = WonField(
        label=_("Reviewed cost (won)"),
        required=False,
        help_text=_("Required unless not feasible; at most the ballot's limit per project."),
    )
    cost_breakdown = forms.CharField(
        label=_("Cost breakdown"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text=_('One line per item: "item, amount in won". The lines add up to the cost.'),
    )
    duration_months = forms.IntegerField(
        label=_("Duration (months)"), min_value=1, max_value=120, required=False
    )
    notes = forms.CharField(
        label=_("Findings"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    consulted = forms.CharField(
        label=_("External consultation: who"), max_length=200, required=False
    )
    consultation_summary = forms.CharField(
        label=_("External consultation: summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    consultation_file = forms.FileField(
        label=_("External consultation: attachment"),
        required=False,
        help_text=_("PDF, HWP, Word, Excel or text, at most %(mb)s MB.")
        % {"mb": MAX_ATTACHMENT_BYTES // 1024 // 1024},
    )


class RouteForm(ReviewFormMixin, forms.Form):
    departments: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Reason (public)"), max_length=300)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments  # type: ignore[attr-defined]


class AnswerForm(ReviewFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("Public answer"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000
    )


class ForumPostForm(ReviewFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your contribution"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )


class ExpertStatementForm(ReviewFormMixin, forms.Form):
    expert_name = forms.CharField(label=_("Expert (name and affiliation)"), max_length=150)
    body = forms.CharField(
        label=_("Statement"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )


class CloseForumForm(ReviewFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("Closing summary (public)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
    )


class CycleSettingsForm(ReviewFormMixin, forms.Form):
    review_days = forms.IntegerField(
        label=_("Days for the department review"), min_value=1, max_value=365
    )
    ladder = forms.CharField(
        label=_("Escalation ladder"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_(
            'One step per line: "supporters, action, days", and for an answer by a named office '
            'its slug: "1000, office_answer, 30, mayor". Actions: department_answer, forum, '
            "office_answer."
        ),
    )
