"""Forms of the set-up wizard: one per step, over the cycle (frozen fields disabled)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.selectors import get_cycle_budget_total
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
        if (
            cleaned.get("allow_phone_voting")
            and cleaned.get("requires_verification")
            and "allow_phone_voting" not in self.frozen
        ):
            self.add_error(
                "allow_phone_voting",
                _(
                    "Voting by phone alone cannot be offered when only verified residents may "
                    "vote: a phone number does not show where someone lives."
                ),
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


class TotalForm(_Bootstrap, forms.Form):
    """The pots step's own form: the cycle's total, which the pots (added one by one) must fit."""

    total_budget_won = forms.IntegerField(
        label=_("Total budget of the cycle (won)"),
        min_value=1,
        required=False,
        help_text=_("What the city set aside; the pots' budgets are added up against it."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, cycle: BudgetCycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["total_budget_won"].initial = cycle.total_budget_won
        self.frozen: list[str] = []
        if cycle.rules_are_frozen:
            self.fields["total_budget_won"].disabled = True
            self.frozen.append("total_budget_won")

    def clean(self):
        cleaned = super().clean() or {}
        whole = cleaned.get("total_budget_won")
        pots = get_cycle_budget_total(cycle=self.cycle)
        if whole and pots > whole:
            self.add_error("total_budget_won", over_total_message(pots, whole))
        if "stay" not in self.data and not self.cycle.scopes.exists():
            raise ValidationError(_("Give at least one pot a budget: residents vote on pots."))
        return cleaned


def over_total_message(pots: int, whole: int) -> str:
    return str(
        _(
            "The pots add up to %(sum)s won, more than the cycle's total of %(total)s won. "
            "Lower a pot or raise the total."
        )
        % {"sum": f"{pots:,}", "total": f"{whole:,}"}
    )


class _DongChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.parent} · {obj.name}"


class PotForm(_Bootstrap, forms.ModelForm):
    """One pot of the cycle: its level and place, its budget, and (for a themed track) its name,
    theme, age bounds and ballot limit. Every field is frozen once voting opens."""

    level = forms.ChoiceField(
        label=_("Level"),
        choices=BallotScope.Level.choices,
        initial=BallotScope.Level.CITY,
        widget=forms.RadioSelect,
    )
    gu: "forms.ModelChoiceField[District]" = forms.ModelChoiceField(
        label=_("Gu (for a gu-level pot)"),
        queryset=District.objects.filter(parent__isnull=True),
        required=False,
    )
    dong = _DongChoiceField(
        label=_("Dong (for a dong-level pot)"),
        queryset=District.objects.filter(parent__isnull=False)
        .select_related("parent")
        .order_by("parent__order", "parent__pk", "order", "pk"),
        required=False,
        help_text=_("Each dong is shown with the gu it belongs to."),
    )

    class Meta:
        model = BallotScope
        fields = [
            "budget_won",
            "per_project_cap_won",
            "track_name_ko",
            "track_name_en",
            "track_slug",
            "track_theme_ko",
            "track_theme_en",
            "minimum_age",
            "maximum_age",
            "max_choices",
        ]
        labels = {
            "budget_won": _("Budget of the pot (won)"),
            "track_name_ko": _("Track name (Korean)"),
            "track_name_en": _("Track name (English)"),
            "track_slug": _("Track's short name in links"),
            "track_theme_ko": _("Theme (Korean)"),
            "track_theme_en": _("Theme (English)"),
            "minimum_age": _("Youngest age to propose and vote"),
            "maximum_age": _("Oldest age to propose and vote"),
            "max_choices": _("Most projects a voter may choose in this pot"),
        }
        help_texts = {
            "track_name_ko": _("Leave the track's fields empty for a free pot."),
            "track_slug": _("Latin letters, digits and hyphens, e.g. youth."),
            "minimum_age": _("Leave empty to use only the cycle's rule."),
        }
        widgets = {
            "budget_won": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "per_project_cap_won": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "track_theme_ko": forms.Textarea(attrs={"rows": 2}),
            "track_theme_en": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, cycle: BudgetCycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["budget_won"].min_value = 1  # type: ignore[attr-defined]
        district = self.instance.district if self.instance.pk else None
        if district is not None:
            self.fields["level"].initial = self.instance.level
            self.fields["dong" if district.parent_id else "gu"].initial = district.pk
        self.frozen: list[str] = []
        if cycle.rules_are_frozen:
            for name, field in self.fields.items():
                field.disabled = True
                self.frozen.append(name)

    def clean(self):
        cleaned = super().clean() or {}
        level = cleaned.get("level")
        district: District | None = None
        if level == BallotScope.Level.GU:
            district = cleaned.get("gu")
            if district is None:
                self.add_error("gu", _("Choose the gu of this pot."))
        elif level == BallotScope.Level.DONG:
            district = cleaned.get("dong")
            if district is None:
                self.add_error("dong", _("Choose the dong of this pot."))
        self.instance.district = district
        budget, cap = cleaned.get("budget_won"), cleaned.get("per_project_cap_won")
        if budget and cap and cap > budget:
            self.add_error(
                "per_project_cap_won", _("One project cannot cost more than the whole pot.")
            )
        low, high = cleaned.get("minimum_age"), cleaned.get("maximum_age")
        if low is not None and high is not None and high < low:
            self.add_error("maximum_age", _("The oldest age cannot be below the youngest."))
        name_ko, name_en = cleaned.get("track_name_ko"), cleaned.get("track_name_en")
        slug = cleaned.get("track_slug")
        if (name_ko or name_en or slug) and not (name_ko and slug):
            self.add_error(
                "track_name_ko" if not name_ko else "track_slug",
                _(
                    "A themed track needs its Korean name and its short name; leave all three "
                    "empty for a free pot."
                ),
            )
        if not self.errors:
            clash = BallotScope.objects.filter(
                cycle=self.cycle, district=district, track_slug=slug or ""
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "track_slug" if slug else "level",
                    _(
                        "This cycle already has this pot; edit that one or give the track "
                        "another short name."
                    ),
                )
        whole = self.cycle.total_budget_won
        if budget and whole:
            others = (
                self.cycle.scopes.exclude(pk=self.instance.pk).aggregate(t=Sum("budget_won"))["t"]
                or 0
            )
            if others + budget > whole:
                self.add_error("budget_won", over_total_message(others + budget, whole))
        return cleaned

    def _post_clean(self):
        # The model's constraints say the same in database words: ours come first.
        if self.errors:
            return
        self.instance.cycle = self.cycle
        super()._post_clean()  # type: ignore[misc]  # ModelForm's own, missing from the stubs
