from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models import DeclaredInterest
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.models import SubcommitteeMember
from committee.models import Application
from committee.models import CourseSession
from committee.models import Recruitment


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


class RecruitmentForm(_Bootstrap, forms.Form):
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=2000)
    reserves = forms.IntegerField(label=_("Reserves"), min_value=0, max_value=2000, initial=0)
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=120, initial=19)
    require_verified = forms.BooleanField(label=_("Only verified residents"), required=False)
    school_rule = forms.ChoiceField(
        label=_("Budget school"), choices=Recruitment.SchoolRule.choices
    )
    custom_attribute = forms.CharField(
        label=_("Custom attribute (a yes/no question)"), max_length=120, required=False
    )
    applications_close_at = forms.DateTimeField(
        label=_("Applications close on"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Announced on the committee page; staff close applications themselves."),
    )
    quotas = forms.CharField(
        label=_("Quotas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One per line: attribute, value, at least, at most. Attributes: district (its slug), "
            "gender (woman, man, other), age_band (19-39, 40-59, 60+), custom (yes, no). "
            "Example: gender,woman,60,60"
        ),
    )


class CloseForm(_Bootstrap, forms.Form):
    seed = forms.CharField(
        label=_("Seed (optional)"),
        max_length=64,
        required=False,
        help_text=_(
            "Leave empty for a random seed. Its SHA-256 is published now; the seed at the draw."
        ),
    )


class ReplaceForm(_Bootstrap, forms.Form):
    reason = forms.CharField(label=_("Why the member leaves"), max_length=200)


class LeaveForm(_Bootstrap, forms.Form):
    reason = forms.CharField(
        label=_("Why you leave"),
        max_length=200,
        help_text=_("Shown on the committee page beside your seat, e.g. “personal reasons”."),
    )
    confirm = forms.BooleanField(
        label=_("I leave the committee; my seat goes to the next reserve who keeps the quotas.")
    )


class ApplicationForm(_Bootstrap, forms.Form):
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Application.Gender.choices, widget=forms.RadioSelect
    )
    custom_answer = forms.BooleanField(required=False)
    name_is_public = forms.BooleanField(
        label=_("If I am selected, show my name on the public committee page"), required=False
    )
    motivation = forms.CharField(
        label=_("Why you want to take part (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, custom_attribute: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if custom_attribute:
            self.fields["custom_answer"].label = custom_attribute
        else:
            del self.fields["custom_answer"]


class MinutesStudiedForm(_Bootstrap, forms.Form):
    minutes_studied = forms.IntegerField(label=_("Minutes studied"), min_value=1, max_value=600)


class AttendanceForm(_Bootstrap, forms.Form):
    email = forms.EmailField(label=_("Resident's e-mail address"))


class AttendanceCsvForm(_Bootstrap, forms.Form):
    file = forms.FileField(
        label=_("List of e-mail addresses (CSV or text, UTF-8)"),
        help_text=_("One address per line, or in the first column."),
    )


class SubcommitteeForm(_Bootstrap, forms.Form):
    existing = forms.ChoiceField(
        label=_("Subcommittee"),
        required=False,
        help_text=_("Choose one to rename it or change its policy areas."),
    )
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=80)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80, required=False)
    policy_areas: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Policy areas"),
        queryset=PolicyArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, areas=None, subcommittees=(), **kwargs):
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["policy_areas"].queryset = areas  # type: ignore[attr-defined]
        self.fields["existing"].choices = [  # type: ignore[attr-defined]
            ("", _("A new subcommittee")),
            *((str(s.pk), s.name) for s in subcommittees),
        ]


class SeatForm(_Bootstrap, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    subcommittee = forms.ChoiceField(label=_("Subcommittee"))
    role = forms.ChoiceField(label=_("Role"), choices=SubcommitteeMember.Role.choices)
    affiliation = forms.CharField(label=_("Affiliation (experts)"), max_length=120, required=False)

    def __init__(self, *args, subcommittees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subcommittee"].choices = [(str(s.pk), s.name) for s in subcommittees]  # type: ignore[attr-defined]


class InterestForm(_Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DeclaredInterest.Kind.choices)
    organisation = forms.CharField(label=_("Organisation"), max_length=120, required=False)
    district: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False
    )
    policy_area: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Policy area"), queryset=PolicyArea.objects.all(), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class MeetingForm(_Bootstrap, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    held_at = forms.DateTimeField(
        label=_("Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    subcommittee = forms.ChoiceField(label=_("Subcommittee"), required=False)
    attendees = forms.MultipleChoiceField(
        label=_("Members present"), required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(
        label=_("Minutes (Markdown)"),
        max_length=50000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def __init__(self, *args, subcommittees=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Plenary")), *((str(s.pk), s.name) for s in subcommittees)]
        self.fields["subcommittee"].choices = choices  # type: ignore[attr-defined]
        self.fields["attendees"].choices = [(str(m.pk), m.public_label) for m in members]  # type: ignore[attr-defined]


class CourseForm(_Bootstrap, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_published = forms.BooleanField(label=_("Published"), required=False)


class SessionForm(_Bootstrap, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseSession.Kind.choices)
    starts_at = forms.DateTimeField(
        label=_("Date and time (in person)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600)
    material = forms.CharField(
        label=_("Material (Markdown, online sessions)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
