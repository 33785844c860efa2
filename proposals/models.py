"""Residents' proposals. Discussion and council review models are added by the proposals work."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProposalQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see: submitted and later, not hidden by moderation."""
        return self.exclude(status__in=[Proposal.Status.DRAFT]).filter(hidden_at__isnull=True)

    def on_ballot(self):
        return self.filter(status=Proposal.Status.ON_BALLOT)


class Proposal(models.Model):
    """A resident's idea for the budget, from draft to the ballot (and beyond)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged into another proposal")
        INFEASIBLE = "infeasible", _("Found infeasible")
        REJECTED = "rejected", _("Not put on the ballot")
        ON_BALLOT = "on_ballot", _("On the ballot")

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("budget cycle"),
    )
    scope = models.ForeignKey(
        "budgeting.BallotScope",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("ballot"),
    )
    policy_area = models.ForeignKey(
        "budgeting.PolicyArea",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("policy area"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), max_length=10000)
    problem = models.TextField(_("problem it solves"), max_length=3000, blank=True)
    beneficiaries = models.TextField(_("who benefits"), max_length=2000, blank=True)
    cost_estimate_won = models.PositiveBigIntegerField(
        _("estimated cost (won)"), validators=[MinValueValidator(1)]
    )
    reviewed_cost_won = models.PositiveBigIntegerField(
        _("reviewed cost (won)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    address = models.CharField(_("place or address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    image = models.ImageField(_("image"), upload_to="proposals/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
        verbose_name=_("merged into"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_estimate_won__gt=0), name="proposal_cost_estimate_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="proposal_merged_points_to_survivor",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("proposals:proposal-detail", kwargs={"pk": self.pk})

    @property
    def ballot_cost_won(self) -> int:
        """The cost used on the ballot and in the tally: the reviewed one when there is one."""
        return self.reviewed_cost_won or self.cost_estimate_won
