"""The residents' committee: recruitment and its public lottery, the budget school, meetings.

The authority boundary the review desk reads (분과, their members, declared interests) lives in
``budgeting.models.committee``; seats on the committee are ``budgeting.CouncilMembership`` rows.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Recruitment(models.Model):
    """Staff open a call for a cycle's committee; applicants are drawn by lot with quotas.

    The seed is committed to when applications close (its SHA-256 and the SHA-256 of the
    anonymised applicant table are published) and revealed at the draw, so anyone can re-run it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open for applications")
        CLOSED = "closed", _("Closed; seed committed")
        DRAWN = "drawn", _("Drawn")

    class SchoolRule(models.TextChoices):
        NONE = "none", _("Not required")
        BEFORE_DRAW = "before", _("Required before applying")
        AFTER_DRAW = "after", _("Required after the draw to stay on the committee")

    cycle = models.OneToOneField(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="recruitment",
        verbose_name=_("budget cycle"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    seats = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    reserves = models.PositiveSmallIntegerField(
        _("reserves"), default=0, validators=[MaxValueValidator(2000)]
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), default=19, validators=[MaxValueValidator(120)]
    )
    require_verified = models.BooleanField(_("only verified residents"), default=False)
    school_rule = models.CharField(
        _("budget school"), max_length=10, choices=SchoolRule.choices, default=SchoolRule.NONE
    )
    custom_attribute = models.CharField(
        _("custom attribute"),
        max_length=120,
        blank=True,
        help_text=_(
            "A yes/no question applicants answer privately for a quota, "
            "e.g. “I belong to a socially vulnerable group”."
        ),
    )
    applications_close_at = models.DateTimeField(_("applications close at"), null=True, blank=True)
    algorithm = models.CharField(_("selection algorithm"), max_length=20, default="legacy")
    # the commitment, published when applications close
    seed_sha256 = models.CharField(_("SHA-256 of the seed"), max_length=64, blank=True)
    table_sha256 = models.CharField(_("SHA-256 of the applicant table"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # kept sealed until the draw (never shown), then copied to ``seed``
    sealed_seed = models.CharField(max_length=64, blank=True, editable=False)
    # revealed at the draw
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("committee recruitment")
        verbose_name_plural = _("committee recruitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open"]) | ~Q(seed_sha256=""),
                name="recruitment_closed_has_commitment",
            ),
            models.CheckConstraint(
                condition=~Q(status="drawn") | ~Q(seed=""), name="recruitment_drawn_has_seed"
            ),
        ]

    def __str__(self) -> str:
        return str(self.cycle)

    def get_absolute_url(self) -> str:
        return reverse("committee:public", kwargs={"slug": self.cycle.slug})


class Quota(models.Model):
    """Bounds on how many seats go to applicants with one value of one attribute."""

    class Feature(models.TextChoices):
        DISTRICT = "district", _("District")
        GENDER = "gender", _("Gender")
        AGE_BAND = "age_band", _("Age band")
        CUSTOM = "custom", _("Custom attribute")

    recruitment = models.ForeignKey(Recruitment, on_delete=models.CASCADE, related_name="quotas")
    feature = models.CharField(_("attribute"), max_length=10, choices=Feature.choices)
    value = models.CharField(_("value"), max_length=60)
    min_seats = models.PositiveSmallIntegerField(_("at least"), default=0)
    max_seats = models.PositiveSmallIntegerField(_("at most"))

    class Meta:
        ordering = ["recruitment", "feature", "value"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["recruitment", "feature", "value"], name="quota_once_per_value"
            ),
            models.CheckConstraint(
                condition=Q(min_seats__lte=models.F("max_seats")), name="quota_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}: {self.min_seats}–{self.max_seats}"


class Application(models.Model):
    """A resident's application: the attributes the quotas need, kept private.

    Only the anonymised table (``public_id`` and the attribute values) and aggregates are
    published; ``public_id`` is assigned in a random order when applications close.
    """

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        OTHER = "other", _("Another answer")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for the draw")
        SELECTED = "selected", _("Selected")
        RESERVE = "reserve", _("Reserve")
        NOT_SELECTED = "not_selected", _("Not selected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    recruitment = models.ForeignKey(
        Recruitment, on_delete=models.CASCADE, related_name="applications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_applications"
    )
    district = models.ForeignKey(
        "budgeting.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    age_band = models.CharField(_("age band"), max_length=10)
    custom_answer = models.BooleanField(_("custom attribute"), default=False)
    name_is_public = models.BooleanField(
        _("show my name on the committee page if I am selected"), default=False
    )
    motivation = models.TextField(_("why I want to take part"), max_length=2000, blank=True)
    public_id = models.CharField(_("applicant number"), max_length=12, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=Outcome.choices, default=Outcome.PENDING
    )
    reserve_rank = models.PositiveSmallIntegerField(_("reserve rank"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        ordering = ["recruitment", "public_id", "pk"]
        verbose_name = _("committee application")
        verbose_name_plural = _("committee applications")
        constraints = [
            models.UniqueConstraint(fields=["recruitment", "user"], name="application_once"),
            models.UniqueConstraint(
                fields=["recruitment", "public_id"],
                condition=~Q(public_id=""),
                name="application_unique_public_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recruitment_id}/{self.public_id or self.pk}"


# --- budget school (예산학교) ------------------------------------------------------------------
class Course(models.Model):
    """A budget-school course: every session completed earns the certificate."""

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="school_courses",
        verbose_name=_("budget cycle"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "pk"]
        verbose_name = _("budget-school course")
        verbose_name_plural = _("budget-school courses")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("committee:course", kwargs={"pk": self.pk})


class CourseSession(models.Model):
    """A lecture: online material a resident confirms they studied, or an in-person session."""

    class Kind(models.TextChoices):
        ONLINE = "online", _("Online material")
        IN_PERSON = "in_person", _("In person")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField(_("date and time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    material = models.TextField(
        _("material"), max_length=20000, blank=True, help_text=_("Markdown.")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )

    class Meta:
        ordering = ["course", "order", "pk"]
        verbose_name = _("budget-school session")
        verbose_name_plural = _("budget-school sessions")

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_enrolments"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    certificate_code = models.CharField(_("certificate number"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="enrolment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}/{self.user_id}"


class SessionCompletion(models.Model):
    class Method(models.TextChoices):
        SELF_CONFIRMED = "self", _("Confirmed by the resident")
        STAFF_RECORDED = "staff", _("Attendance recorded by staff")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="completions")
    method = models.CharField(_("how"), max_length=5, choices=Method.choices)
    minutes_studied = models.PositiveSmallIntegerField(_("minutes studied"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("session completion")
        verbose_name_plural = _("session completions")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session"], name="completion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.session_id}"


# --- meetings ------------------------------------------------------------------------------------
class Meeting(models.Model):
    """A plenary or 분과 meeting: attendance and Markdown minutes, public."""

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="committee_meetings",
        verbose_name=_("budget cycle"),
    )
    subcommittee = models.ForeignKey(
        "budgeting.Subcommittee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("subcommittee"),
        help_text=_("Leave empty for a plenary meeting."),
    )
    title = models.CharField(_("title"), max_length=120)
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    minutes = models.TextField(_("minutes"), max_length=50000, blank=True, help_text=_("Markdown."))
    attendees = models.ManyToManyField(
        "budgeting.CouncilMembership",
        blank=True,
        related_name="meetings_attended",
        verbose_name=_("members present"),
    )

    class Meta:
        ordering = ["cycle", "-held_at"]
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("committee:meeting", kwargs={"pk": self.pk})
