from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """An administrative district of the city: a gu (자치구), or a dong (동) inside one."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dongs",
        verbose_name=_("gu (for a dong)"),
        help_text=_("Leave empty for a gu; set the gu a dong belongs to."),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class BallotScope(models.Model):
    """A pot of money within a cycle at one level: the city's (no district), a gu's or a
    dong's. A pot may be a themed track (e.g. 약자와의 동행, 청년) with its own fixed amount,
    its own age bounds for proposers and voters, and its own ballot limit."""

    class Level(models.TextChoices):
        CITY = "city", _("City")
        GU = "gu", _("Gu (district)")
        DONG = "dong", _("Dong (neighbourhood)")

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="scopes",
        verbose_name=_("budget cycle"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scopes",
        verbose_name=_("district"),
        help_text=_("Leave empty for the city-wide ballot."),
    )
    budget_won = models.PositiveBigIntegerField(_("budget (won)"))
    per_project_cap_won = models.PositiveBigIntegerField(
        _("most one project may cost (won)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no cap below the budget."),
    )
    # A themed track: the pot's own name, theme and rules (all empty: a free pot).
    track_name = models.CharField(
        _("track name"),
        max_length=80,
        blank=True,
        help_text=_("Empty for the free pot; e.g. “Walking with the vulnerable” for a track."),
    )
    track_slug = models.SlugField(
        _("track slug"),
        max_length=40,
        blank=True,
        help_text=_("Names the track in files and links; empty for the free pot."),
    )
    track_theme = models.TextField(_("track theme"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        _("track: youngest age to propose and vote"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("Leave empty to use only the cycle's rule."),
    )
    maximum_age = models.PositiveSmallIntegerField(
        _("track: oldest age to propose and vote"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("Leave empty for no upper age."),
    )
    max_choices = models.PositiveSmallIntegerField(
        _("most projects a voter may choose (or rank) in this pot"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Leave empty to use the cycle's ballot rule."),
    )

    # What residents propose and vote under in this pot: frozen once voting opens.
    FROZEN_FIELDS: tuple[str, ...] = (
        "district",
        "budget_won",
        "per_project_cap_won",
        "track_name",
        "track_slug",
        "minimum_age",
        "maximum_age",
        "max_choices",
    )

    class Meta:
        ordering = ["cycle", "district__order", "pk"]
        verbose_name = _("ballot scope")
        verbose_name_plural = _("ballot scopes")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "district", "track_slug"],
                name="ballotscope_one_per_district_track_per_cycle",
            ),
            models.UniqueConstraint(
                fields=["cycle", "track_slug"],
                condition=Q(district__isnull=True),
                name="ballotscope_one_citywide_per_track_per_cycle",
            ),
            models.CheckConstraint(
                condition=Q(maximum_age__isnull=True)
                | Q(minimum_age__isnull=True)
                | Q(maximum_age__gte=F("minimum_age")),
                name="ballotscope_track_ages_in_order",
            ),
            models.CheckConstraint(
                condition=Q(budget_won__gt=0), name="ballotscope_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.name}"

    @property
    def slug(self) -> str:
        """How files and the audit log name the ballot: its district's slug, or "citywide",
        then the track's slug for a themed track."""
        district = self.district
        place = district.slug if district is not None else "citywide"
        return f"{place}-{self.track_slug}" if self.track_slug else place

    @property
    def place_name(self) -> str:
        return str(self.district) if self.district_id else str(_("City-wide"))

    @property
    def name(self) -> str:
        if self.track_name:
            return f"{self.place_name} · {self.track_name}"
        return self.place_name

    @property
    def level(self) -> str:
        district = self.district
        if district is None:
            return self.Level.CITY
        return self.Level.DONG if district.parent_id else self.Level.GU

    @property
    def level_label(self) -> str:
        return str(self.Level(self.level).label)

    @property
    def is_track(self) -> bool:
        return bool(self.track_name)

    @property
    def has_age_bounds(self) -> bool:
        return self.minimum_age is not None or self.maximum_age is not None

    @property
    def project_cost_cap_won(self) -> int:
        """The most one proposal may cost in this scope."""
        if self.per_project_cap_won:
            return min(self.per_project_cap_won, self.budget_won)
        return self.budget_won
