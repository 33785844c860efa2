"""Residents: an e-mail login and a profile that says where they take part."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import BaseUserManager
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. Logs in with an e-mail address; there is no username."""

    # AbstractUser's fields that this model drops (Django's documented way; the stubs type them str)
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    # Set when the person deleted their account: the row stays (their proposals, comments and
    # the turnout keep an anonymous author) but holds no personal data (privacy.services).
    deleted_at = models.DateTimeField(_("account deleted at"), null=True, blank=True)

    objects = UserManager()  # type: ignore[misc,assignment]  # stubs expect auth's UserManager

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def public_name(self) -> "StrOrPromise":
        """What other residents see: the display name, never the e-mail address."""
        if self.deleted_at is not None:
            return _("Former resident")
        profile = getattr(self, "resident_profile", None)
        return profile.display_name if profile else _("Resident")


class ResidentProfile(models.Model):
    """Where and how a person belongs to the city; the basis of eligibility."""

    class Relation(models.TextChoices):
        LIVES = "lives", _("I live in the city")
        WORKS = "works", _("I work in the city")
        STUDIES = "studies", _("I study in the city")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_profile"
    )
    display_name = models.CharField(
        _("display name"),
        max_length=40,
        help_text=_("Shown next to your proposals and comments."),
    )
    district = models.ForeignKey(
        "budgeting.District",
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("district"),
    )
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    relation = models.CharField(_("relation to the city"), max_length=10, choices=Relation.choices)
    preferred_language = models.CharField(
        _("language for e-mails"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="ko",
    )
    voting_reminders = models.BooleanField(
        _("remind me by e-mail before voting closes"),
        default=True,
        help_text=_(
            "One e-mail a day before voting closes if you opened a ballot but did not vote."
        ),
    )
    # Which e-mails the resident wants (all in preferred_language).
    email_phase_opened = models.BooleanField(
        _("e-mail me when a phase opens (proposals, voting, results)"),
        default=False,
        help_text=_("For the cycles you can take part in."),
    )
    email_proposal_review = models.BooleanField(
        _("e-mail me about the review and decision on my proposals"), default=True
    )
    email_followed_projects = models.BooleanField(
        _("e-mail me when a project I follow changes"),
        default=True,
        help_text=_("Progress updates and budget cuts of the funded projects you follow."),
    )
    # Optional (consent purpose "phone"): set by channels' SMS verification, never typed in a form
    # that skips it. One verified number belongs to one account.
    phone_number = PhoneNumberField(_("mobile phone number"), blank=True)
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident profile")
        verbose_name_plural = _("resident profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_number"],
                condition=models.Q(phone_verified_at__isnull=False),
                name="residentprofile_one_account_per_verified_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Consent(models.Model):
    """One answer of a person to one consent question (개인정보 보호법 제15조, 제22조).

    Append-only: the current answer is the newest row of a purpose (``accounts.selectors.
    has_consent``). ``policy_version`` names the wording the person saw (``accounts.consents``).
    Features that use an optional item (committee attributes, a phone number) ask
    ``has_consent`` first and offer the question again when the answer is missing or "no".
    """

    class Purpose(models.TextChoices):
        ACCOUNT = "account", _("Account and participation (required)")
        COMMITTEE_ATTRIBUTES = "committee_attributes", _("Committee recruitment attributes")
        PHONE = "phone", _("Phone number")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    granted = models.BooleanField(_("consented"))
    policy_version = models.CharField(_("policy version"), max_length=20)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["user", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.purpose}: {'yes' if self.granted else 'no'}"


class StaffRole(models.Model):
    """What one member of staff may do (issue #14). Staff (``is_staff`` with a second factor)
    without any role are the budget office, as before roles existed, so nothing breaks.

    - budget office: everything;
    - district officer: their 구 only (paper ballots, implementation updates of its pots);
    - department official: the department review (scoped in the ``departments`` app);
    - moderator: proposal and comment moderation.

    The predicates are in ``accounts.predicates``; a person may hold several roles.
    """

    class Role(models.TextChoices):
        BUDGET_OFFICE = "budget_office", _("Budget office")
        DISTRICT_OFFICER = "district_officer", _("District officer")
        DEPARTMENT_OFFICIAL = "department_official", _("Department official")
        MODERATOR = "moderator", _("Moderator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("staff member"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    district = models.ForeignKey(
        "budgeting.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Required for a district officer: the 구 they act for."),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                name="staffrole_once_per_district",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~models.Q(role="district_officer") | models.Q(district__isnull=False),
                name="staffrole_district_officer_has_district",
            ),
        ]

    def __str__(self) -> str:
        if self.district_id:
            return f"{self.get_role_display()} ({self.district})"
        return str(self.get_role_display())


class PopulationCount(models.Model):
    """How many people live in one district in one age band (the city's open data), the
    denominator of the turnout dashboards. Replaced whole by each CSV import."""

    district = models.ForeignKey(
        "budgeting.District",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("district"),
    )
    age_band = models.CharField(_("age band"), max_length=10)
    population = models.PositiveIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("population count")
        verbose_name_plural = _("population counts")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "age_band"], name="populationcount_one_per_band"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.age_band}: {self.population}"
