"""The general assembly (총회): the meeting, who attended, who voted, and the anonymous votes.

Kept apart like the online ballots (``budgeting/models/ballots.py``): ``AssemblyVoter`` says who
voted on which ballot scope, by which channel and when, never what; ``AssemblyBallot`` holds what
was chosen with no person, no time (a time equal to ``AssemblyVoter.voted_at`` would join the two
tables) and a random UUID key; the ballots are re-written in random order when the assembly's
vote closes, so not even the storage order follows the order people voted in.

The lock is the same one-person-one-vote lock as online ballots: one ``AssemblyVoter`` row per
(attendee, scope), created and locked before the ballot is written. The assembly is a source of
its own: a resident who also voted online counts once in each source, never twice in one.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Assembly(models.Model):
    """One general assembly of a cycle: when, where, the online link, the minutes."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        VOTING = "voting", _("Voting open")
        CLOSED = "closed", _("Closed")

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="assemblies",
        verbose_name=_("budget cycle"),
    )
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    online_url = models.URLField(
        _("online link"), blank=True, help_text=_("For example the video meeting's address.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), max_length=50000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "starts_at", "pk"]
        verbose_name = _("general assembly")
        verbose_name_plural = _("general assemblies")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assembly:detail", kwargs={"slug": self.cycle.slug, "pk": self.pk})


class Attendance(models.Model):
    """Someone present at the assembly: a committee member or a registered resident."""

    class Role(models.TextChoices):
        COMMITTEE = "committee", _("Committee member")
        RESIDENT = "resident", _("Resident")

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("assembly")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assembly_attendances",
        verbose_name=_("attendee"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["assembly", "recorded_at", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "user"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id}/{self.user_id}"


class AssemblyVoter(models.Model):
    """Who voted at the assembly on which scope, how and when: never what. The per-person lock."""

    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk screen run by an officer")
        PAPER = "paper", _("Paper ballot entered by staff")

    attendance = models.ForeignKey(
        Attendance, on_delete=models.CASCADE, related_name="votes", verbose_name=_("attendance")
    )
    scope = models.ForeignKey(
        "budgeting.BallotScope",
        on_delete=models.PROTECT,
        related_name="assembly_voters",
        verbose_name=_("ballot scope"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voted_at = models.DateTimeField(_("voted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assembly voter")
        verbose_name_plural = _("assembly voters")
        constraints = [
            models.UniqueConstraint(
                fields=["attendance", "scope"], name="assemblyvoter_one_per_attendee_per_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attendance_id} · {self.scope_id}"


class AssemblyBallot(models.Model):
    """What one attendee approved on one scope: no person, no time, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assembly = models.ForeignKey(
        Assembly, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("assembly")
    )
    scope = models.ForeignKey(
        "budgeting.BallotScope",
        on_delete=models.PROTECT,
        related_name="assembly_ballots",
        verbose_name=_("ballot scope"),
    )

    class Meta:
        verbose_name = _("assembly ballot")
        verbose_name_plural = _("assembly ballots")

    def __str__(self) -> str:
        return str(_("Assembly ballot"))


class AssemblyChoice(models.Model):
    """A project approved on an assembly ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(AssemblyBallot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="assembly_choices"
    )

    class Meta:
        verbose_name = _("assembly choice")
        verbose_name_plural = _("assembly choices")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "proposal"], name="assemblychoice_one_per_proposal"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Assembly choice"))


class SurveyCount(models.Model):
    """The survey source of the weighted rule: a number per project entered by staff (e.g. the
    respondents who rated it a priority). Public with the results; frozen once voting closes."""

    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.CASCADE,
        related_name="survey_count",
        verbose_name=_("proposal"),
    )
    count = models.PositiveIntegerField(_("survey count"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey count")
        verbose_name_plural = _("survey counts")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=0), name="surveycount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.count}"
