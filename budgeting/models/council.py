from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CouncilMembership(models.Model):
    """A resident appointed to a cycle's budget council (optionally to a subcommittee)."""

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="council_memberships",
        verbose_name=_("budget cycle"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="council_memberships",
        verbose_name=_("member"),
    )
    policy_area = models.ForeignKey(
        "budgeting.PolicyArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council_memberships",
        verbose_name=_("subcommittee"),
        help_text=_("Leave empty for a member of the whole council."),
    )
    appointed_at = models.DateTimeField(_("appointed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("council membership")
        verbose_name_plural = _("council memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "user"], name="councilmembership_one_per_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.cycle}"
