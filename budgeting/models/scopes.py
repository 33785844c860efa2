from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """An administrative district (gu / gun) of the city."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class BallotScope(models.Model):
    """A pot of money within a cycle: one district's, or the whole city's (no district)."""

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

    class Meta:
        ordering = ["cycle", "district__order", "pk"]
        verbose_name = _("ballot scope")
        verbose_name_plural = _("ballot scopes")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "district"], name="ballotscope_one_per_district_per_cycle"
            ),
            models.UniqueConstraint(
                fields=["cycle"],
                condition=Q(district__isnull=True),
                name="ballotscope_one_citywide_per_cycle",
            ),
            models.CheckConstraint(
                condition=Q(budget_won__gt=0), name="ballotscope_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.name}"

    @property
    def slug(self) -> str:
        """How files and the audit log name the ballot: its district's slug, or "citywide"."""
        district = self.district
        return district.slug if district is not None else "citywide"

    @property
    def name(self) -> str:
        return str(self.district) if self.district_id else str(_("City-wide"))

    @property
    def project_cost_cap_won(self) -> int:
        """The most one proposal may cost in this scope."""
        if self.per_project_cap_won:
            return min(self.per_project_cap_won, self.budget_won)
        return self.budget_won
