"""Forms only check the shape of input; the rules are in proposals.services."""

import re
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models import BallotScope
from budgeting.models import PolicyArea
from core.images import reencode_image
from proposals.models import Comment
from proposals.models import Proposal
from proposals.models import Report
from proposals.selectors import Sort

if TYPE_CHECKING:
    _FormBase = forms.BaseForm  # what the mixin is mixed into
else:
    _FormBase = object


class BootstrapFormMixin(_FormBase):
    """Bootstrap classes on every visible widget, and ``aria-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_helptext"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class WonField(forms.IntegerField):
    """Whole won, as people type it: "30,000,000", "30 000 000", "30000000원", "₩30000000"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s,원₩]", "", value)
        return super().to_python(value)


class PlaceDecimalField(forms.DecimalField):
    """A coordinate, rounded to six decimals (about 10 cm) instead of refusing more digits.

    ``Infinity``, ``NaN`` and numbers such as ``1e400`` are refused with the field's message
    before rounding (rounding them raised ``InvalidOperation``: a server error)."""

    def to_python(self, value):
        number = super().to_python(value)
        if number is None:
            return None
        if not number.is_finite() or abs(number) > 1000:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


# Where a place may be: South Korea's land and islands, Jeju (33.1° N) to the DMZ (38.6° N),
# Baengnyeongdo (124.6° E) to Dokdo (131.9° E).
KOREA_LATITUDE = (Decimal(33), Decimal(39))
KOREA_LONGITUDE = (Decimal(124), Decimal(132))


class ScopeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BallotScope) -> str:
        return obj.name


class ProposalForm(BootstrapFormMixin, forms.Form):
    """Create or edit a proposal. ``version`` carries the optimistic lock on edits."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Proposal._meta.get_field("title").max_length,
        help_text=_(
            "A short name for your idea, e.g. “Shade canopies at Bupyeong Market bus stop”."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=Proposal._meta.get_field("summary").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences shown in lists."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=Proposal._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What should be done, where and how. You can use Markdown (**bold**, lists, links)."
        ),
    )
    problem = forms.CharField(
        label=_("Problem it solves"),
        max_length=Proposal._meta.get_field("problem").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    beneficiaries = forms.CharField(
        label=_("Who benefits"),
        max_length=Proposal._meta.get_field("beneficiaries").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cost_estimate_won = WonField(
        label=_("Estimated cost (won)"),
        min_value=1,
        max_value=10**15,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        help_text=_("A whole number of won, e.g. 30000000 for 30 million won."),
        error_messages={
            "invalid": _("Enter the cost as a whole number of won, digits only."),
            "min_value": _("The cost must be more than zero won."),
        },
    )
    scope = ScopeChoiceField(
        label=_("Which budget"),
        queryset=BallotScope.objects.none(),
        empty_label=None,
        help_text=_("The city-wide budget, your own district's, or a themed track open to you."),
    )
    policy_area: "forms.ModelChoiceField[PolicyArea]" = forms.ModelChoiceField(
        label=_("Policy area"), queryset=PolicyArea.objects.none()
    )
    address = forms.CharField(
        label=_("Place or address"),
        max_length=Proposal._meta.get_field("address").max_length,
        required=False,
        help_text=_("Optional. Type an address, or pick the spot on the map."),
    )
    latitude = PlaceDecimalField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
        error_messages={"invalid": _("Enter the latitude as a number, e.g. 37.4563.")},
    )
    longitude = PlaceDecimalField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
        error_messages={"invalid": _("Enter the longitude as a number, e.g. 126.7052.")},
    )
    image = forms.FileField(
        label=_("Photo or drawing"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_(
            "Optional. JPEG, PNG or WebP, at most 5 MB. We remove location and camera data."
        ),
    )
    remove_image = forms.BooleanField(label=_("Remove the current image"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    similar_checked = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, scopes, policy_areas, has_image: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # django-stubs types form.fields as plain Fields: these are ModelChoiceFields
        self.fields["scope"].queryset = scopes  # type: ignore[attr-defined]
        self.fields["policy_area"].queryset = policy_areas  # type: ignore[attr-defined]
        if not has_image:
            del self.fields["remove_image"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        # reencode_image refuses a file over MAX_UPLOAD_BYTES before Pillow opens it.
        return reencode_image(upload)

    def clean(self):
        cleaned = cast("dict[str, Any]", super().clean())  # Form.clean returns cleaned_data
        has_lat = cleaned.get("latitude") is not None
        has_lng = cleaned.get("longitude") is not None
        if has_lat != has_lng and "latitude" not in self.errors and "longitude" not in self.errors:
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        elif has_lat and has_lng:
            lat, lng = cleaned["latitude"], cleaned["longitude"]
            if not (
                KOREA_LATITUDE[0] <= lat <= KOREA_LATITUDE[1]
                and KOREA_LONGITUDE[0] <= lng <= KOREA_LONGITUDE[1]
            ):
                self.add_error(
                    "latitude",
                    _(
                        "The place must be in Korea (latitude 33 to 39, longitude 124 to 132). "
                        "Pick it on the map or leave both fields empty."
                    ),
                )
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "scope": data["scope"],
            "policy_area": data["policy_area"],
            "title": data["title"],
            "summary": data["summary"],
            "description": data["description"],
            "problem": data["problem"],
            "beneficiaries": data["beneficiaries"],
            "cost_estimate_won": data["cost_estimate_won"],
            "address": data["address"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "image": data.get("image"),
        }


class WithdrawProposalForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing it? (optional, shown publicly)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with it?"),
        max_length=Report._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: insults, personal data, advertising, off topic."),
    )


class HideForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Public reason for hiding"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to everyone in place of the hidden content."),
    )


class DismissReportForm(BootstrapFormMixin, forms.Form):
    resolution = forms.CharField(label=_("Note"), max_length=200, required=False)


class ProposalFilterForm(forms.Form):
    """The public list's filters; invalid values are ignored rather than refused."""

    STATUS_CHOICES = [("", _("Any status"))] + [
        (value, label) for value, label in Proposal.Status.choices if value != "draft"
    ]
    SORT_CHOICES = [
        (Sort.NEWEST, _("Newest")),
        (Sort.MOST_ENDORSED, _("Most endorsed")),
        (Sort.RANDOM, _("Random order")),
    ]

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    scope = forms.ChoiceField(label=_("Budget"), required=False)
    policy_area = forms.ChoiceField(label=_("Policy area"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, scopes, policy_areas, **kwargs):
        super().__init__(*args, **kwargs)
        # django-stubs types form.fields as plain Fields: these are ChoiceFields
        self.fields["scope"].choices = [("", _("All budgets")), ("city", _("City-wide"))] + [  # type: ignore[attr-defined]
            (str(scope.district_id), scope.name) for scope in scopes if scope.district_id
        ]
        self.fields["policy_area"].choices = [("", _("All areas"))] + [  # type: ignore[attr-defined]
            (str(area.pk), area.name) for area in policy_areas
        ]

    def filters(self) -> dict:
        """Keyword arguments for ``list_public_proposals`` from the valid part of the input."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            data = {
                name: value
                for name, value in ((n, self.data.get(n, "")) for n in self.fields)
                if name not in self.errors
            }
        scope = data.get("scope") or ""
        area = data.get("policy_area") or ""
        return {
            "query": data.get("q") or "",
            "citywide": scope == "city",
            "district_id": int(scope) if scope.isdigit() else None,
            "policy_area_id": int(area) if str(area).isdigit() else None,
            "status": data.get("status") or "",
            "sort": data.get("sort") or Sort.NEWEST,
        }


class CoAuthorInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Co-author's e-mail address"),
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "off"}),
        help_text=_("They must have a resident profile; they become a co-author when they accept."),
    )
