from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CouncilMembership(models.Model):
    """A resident on a cycle's budget council: appointed, or drawn by lot (member or reserve).

    Only ``status == member`` acts on the review desk; a reserve waits for a seat, a member who
    left keeps the row (the public record of who sat when).
    """

    class Status(models.TextChoices):
        MEMBER = "member", _("Member")
        RESERVE = "reserve", _("Reserve")
        LEFT = "left", _("Left the committee")

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
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.MEMBER
    )
    seat_number = models.PositiveSmallIntegerField(
        _("seat number"),
        null=True,
        blank=True,
        help_text=_("Public label (“member 17”) for members who do not show their name."),
    )
    reserve_rank = models.PositiveSmallIntegerField(_("reserve rank"), null=True, blank=True)
    name_is_public = models.BooleanField(
        _("name shown publicly"),
        default=False,
        help_text=_("The member consented to their name on the committee page."),
    )
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("council membership")
        verbose_name_plural = _("council memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "user"], name="councilmembership_one_per_cycle"
            ),
            models.UniqueConstraint(
                fields=["cycle", "seat_number"], name="councilmembership_unique_seat"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.cycle}"

    @property
    def public_label(self) -> str:
        """The name if the member consented, otherwise "member 17" (their seat)."""
        if self.name_is_public:
            return str(self.user.public_name)
        return _("member %(number)s") % {"number": self.seat_number or self.pk}
