"""Forms of the set-up wizard: one per step, over the cycle (frozen fields disabled)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea
from console.wizard_services import DATE_FIELDS
from console.wizard_services import check_dates
from console.wizard_services import locked_date_fields

DATETIME_WIDGET_FORMAT = "%Y-%m-%dT%H:%M"


class _Bootstrap:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(
                widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)
            ):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_WIDGET_FORMAT)


class BasicsForm(_Bootstrap, forms.Form):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=120)
    name_en = forms.CharField(
        label=_("Name (English)"), max_length=120, required=False, help_text=_("Optional.")
    )
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=80,
        help_text=_("Latin letters, digits and hyphens, e.g. incheon-2028."),
    )
    year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)
    description_ko = forms.CharField(
        label=_("Description (Korean)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if BudgetCycle.objects.filter(slug=slug).exists():
            raise ValidationError(_("Another cycle already has this web address."))
        return slug


class CloneForm(_Bootstrap, forms.Form):
    source: "forms.ModelChoiceField[BudgetCycle]" = forms.ModelChoiceField(
        label=_("Copy from"),
        queryset=BudgetCycle.objects.order_by("-year", "-pk"),
        help_text=_("Its rules, pots and policy areas are copied; its dates move one year on."),
    )
    name_ko = forms.CharField(label=_("Name of the new cycle (Korean)"), max_length=120)
    slug = forms.SlugField(label=_("Web address"), max_length=80)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if BudgetCycle.objects.filter(slug=slug).exists():
            raise ValidationError(_("Another cycle already has this web address."))
        return slug


class CycleStepForm(_Bootstrap, forms.ModelForm):
    """A step over some of the cycle's fields: frozen rules are shown but disabled."""

    frozen_fields: tuple[str, ...] = BudgetCycle.FROZEN_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frozen: list[str] = []
        if self.instance.rules_are_frozen:
            for name, field in self.fields.items():
                if name in self.frozen_fields:
                    field.disabled = True
                    self.frozen.append(name)

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in self.cleaned_data and not self.fields[name].disabled
        }


class DatesForm(CycleStepForm):
    class Meta:
        model = BudgetCycle
        fields = list(DATE_FIELDS)
        widgets = {name: _datetime_widget() for name in DATE_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in locked_date_fields(cycle=self.instance):
            self.fields[name].disabled = True
            self.frozen.append(name)
        for name in DATE_FIELDS:
            field = self.fields[name]
            if isinstance(field, forms.DateTimeField):
                field.input_formats = [DATETIME_WIDGET_FORMAT, "%Y-%m-%d %H:%M"]

    def clean(self):
        cleaned = super().clean() or {}
        for name, message in check_dates({n: cleaned.get(n) for n in DATE_FIELDS}).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def _post_clean(self):
        # Django's own check constraints say the same in database words: ours come first.
        if self.errors:
            return
        super()._post_clean()  # type: ignore[misc]  # ModelForm's own, missing from the stubs


class BallotForm(CycleStepForm):
    class Meta:
        model = BudgetCycle
        fields = list(BudgetCycle.BALLOT_RULE_FIELDS)
        widgets = {"ballot_rule": forms.RadioSelect}

    def clean(self):
        cleaned = super().clean() or {}
        low, high = cleaned.get("approval_min_choices"), cleaned.get("approval_max_choices")
        if low and high and low > high:
            self.add_error(
                "approval_min_choices",
                _("A voter cannot be asked to choose more projects than they may choose."),
            )
        points, cap = cleaned.get("cumulative_points"), cleaned.get("cumulative_max_per_project")
        if points and cap and cap > points:
            self.add_error(
                "cumulative_max_per_project",
                _("The most points on one project cannot exceed the points a voter has."),
            )
        return cleaned

    def _post_clean(self):
        if self.errors:
            return
        super()._post_clean()  # type: ignore[misc]  # ModelForm's own, missing from the stubs


class CountForm(CycleStepForm):
    class Meta:
        model = BudgetCycle
        fields = [
            "tally_rule",
            "council_weight_percent",
            *BudgetCycle.WEIGHT_FIELDS.values(),
            "minimum_support_votes",
            "minimum_support_percent",
        ]
        widgets = {"tally_rule": forms.RadioSelect}


class EligibilityForm(CycleStepForm):
    class Meta:
        model = BudgetCycle
        fields = list(BudgetCycle.ELIGIBILITY_FIELDS)
        widgets = {"age_reference_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        cleaned = super().clean() or {}
        if (
            not any(
                cleaned.get(name)
                for name in ("residents_may_vote", "workers_may_vote", "students_may_vote")
            )
            and not self.frozen
        ):
            raise ValidationError(
                _("No one could vote: allow at least those who live, work or study in the city.")
            )
        return cleaned


class ThresholdsForm(CycleStepForm):
    class Meta:
        model = BudgetCycle
        fields = ["proposal_limit_per_resident", "endorsement_threshold"]


class AreasForm(_Bootstrap, forms.Form):
    areas: "forms.ModelMultipleChoiceField[PolicyArea]" = forms.ModelMultipleChoiceField(
        label=_("Policy areas of this cycle"),
        queryset=PolicyArea.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class PotsForm(_Bootstrap, forms.Form):
    """The city-wide pot and one per district: a budget (empty: no pot) and an optional cap."""

    total_budget_won = forms.IntegerField(
        label=_("Total budget of the cycle (won)"),
        min_value=1,
        required=False,
        help_text=_("What the city set aside; the pots' budgets are added up against it."),
    )

    def __init__(self, *args, cycle: BudgetCycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.rows: list[tuple[District | None, str, str]] = []
        keys: list[tuple[District | None, str]] = [(None, "citywide")]
        keys += [(district, str(district.pk)) for district in District.objects.all()]
        scopes = {scope.district_id: scope for scope in cycle.scopes.all()}
        self.fields["total_budget_won"].initial = cycle.total_budget_won
        for district, key in keys:
            name = district.name if district else str(_("City-wide"))
            scope = scopes.get(district.pk if district else None)
            self.fields[f"budget_{key}"] = forms.IntegerField(
                label=_("Budget of %(pot)s (won)") % {"pot": name},
                min_value=1,
                required=False,
                initial=scope.budget_won if scope else None,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            self.fields[f"cap_{key}"] = forms.IntegerField(
                label=_("Most one project of %(pot)s may cost (won)") % {"pot": name},
                min_value=1,
                required=False,
                initial=scope.per_project_cap_won if scope else None,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            self.rows.append((district, f"budget_{key}", f"cap_{key}"))
        if cycle.rules_are_frozen:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        cleaned = super().clean() or {}
        total = 0
        for _district, budget, cap in self.rows:
            amount, limit = cleaned.get(budget), cleaned.get(cap)
            if limit and not amount:
                self.add_error(budget, _("A cap needs a budget: give the pot its budget first."))
            if amount and limit and limit > amount:
                self.add_error(cap, _("One project cannot cost more than the whole pot."))
            total += amount or 0
        if not total:
            raise ValidationError(_("Give at least one pot a budget: residents vote on pots."))
        whole = cleaned.get("total_budget_won")
        if whole and total > whole:
            raise ValidationError(
                _(
                    "The pots add up to %(sum)s won, more than the cycle's total of %(total)s "
                    "won. Lower a pot or raise the total."
                )
                % {"sum": f"{total:,}", "total": f"{whole:,}"}
            )
        return cleaned

    def bound_rows(self):
        return [(district, self[budget], self[cap]) for district, budget, cap in self.rows]
