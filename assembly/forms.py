"""Forms of the assembly app: schedule, attendance, minutes, and the kiosk / paper vote."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assembly.models import AssemblyVoter


class _Bootstrap:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ScheduleForm(_Bootstrap, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    online_url = forms.URLField(
        label=_("Online link (optional)"), required=False, assume_scheme="https"
    )


class AttendeeForm(_Bootstrap, forms.Form):
    email = forms.EmailField(label=_("E-mail address of the attendee"))


class MinutesForm(_Bootstrap, forms.Form):
    minutes = forms.CharField(
        label=_("Minutes (Markdown)"), widget=forms.Textarea(attrs={"rows": 8}), max_length=50000
    )


class AssemblyVoteForm(_Bootstrap, forms.Form):
    """One attendee's approvals on one ballot: on the kiosk screen, or from their paper ballot."""

    channel = forms.ChoiceField(
        label=_("How the vote is cast"),
        choices=AssemblyVoter.Channel.choices,
        widget=forms.RadioSelect,
    )
    proposals = forms.TypedMultipleChoiceField(
        label=_("Projects approved"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one project from the shortlist.")},
    )

    def __init__(self, *args, shortlist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].choices = [(p.pk, p.title) for p in shortlist]  # type: ignore[attr-defined]
