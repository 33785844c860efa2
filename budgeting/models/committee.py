"""The committee's authority boundary: subcommittees (분과), their members and declared interests.

The review desk (proposals/review) reads these to decide who may act on which proposal; the
committee app (recruitment, lottery, budget school, meetings) writes them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Subcommittee(models.Model):
    """A 분과: the members who review, score and recommend in one or more policy areas."""

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="subcommittees",
        verbose_name=_("budget cycle"),
    )
    name = models.CharField(_("name"), max_length=80)
    policy_areas = models.ManyToManyField(
        "budgeting.PolicyArea",
        related_name="subcommittees",
        verbose_name=_("policy areas"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "name"]
        verbose_name = _("subcommittee")
        verbose_name_plural = _("subcommittees")

    def __str__(self) -> str:
        return self.name


class SubcommitteeMember(models.Model):
    """Someone's seat in a 분과: chair, member, or outside expert (reviews and scores, no vote)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")
        EXPERT = "expert", _("Expert member")

    subcommittee = models.ForeignKey(
        Subcommittee,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("subcommittee"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subcommittee_seats",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    affiliation = models.CharField(
        _("affiliation"),
        max_length=120,
        blank=True,
        help_text=_("Shown publicly for expert members (e.g. a research institute)."),
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subcommittee", "role", "pk"]
        verbose_name = _("subcommittee member")
        verbose_name_plural = _("subcommittee members")
        constraints = [
            models.UniqueConstraint(
                fields=["subcommittee", "user"], name="subcommitteemember_once_per_subcommittee"
            ),
            models.UniqueConstraint(
                fields=["subcommittee"],
                condition=Q(role="chair"),
                name="subcommitteemember_one_chair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.subcommittee} ({self.get_role_display()})"


class DeclaredInterest(models.Model):
    """An interest a member declares: they may not act on proposals it matches."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation I work for or belong to")
        DISTRICT = "district", _("Business or property in a district")
        POLICY_AREA = "policy_area", _("Paid work in a policy area")
        OTHER = "other", _("Other")

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="declared_interests",
        verbose_name=_("budget cycle"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="declared_interests",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organisation = models.CharField(
        _("organisation"),
        max_length=120,
        blank=True,
        help_text=_("Proposals that name this organisation are blocked for you."),
    )
    district = models.ForeignKey(
        "budgeting.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    policy_area = models.ForeignKey(
        "budgeting.PolicyArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("policy area"),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        ordering = ["cycle", "user", "declared_at"]
        verbose_name = _("declared interest")
        verbose_name_plural = _("declared interests")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
