"""After publication: what happened to each funded project (Decidim's "accountability").

Staff post progress updates (status, percent done, money spent, a note, photos); council cuts
or reductions of a selected project are recorded with the amount and a public reason; residents
who took part may follow a project and get an e-mail when it changes.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImplementationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ImplementationUpdate(models.Model):
    """One public progress report on a funded project. The latest one is its current state."""

    Status = ImplementationStatus

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="implementation_updates",
        verbose_name=_("project"),
    )
    status = models.CharField(_("status"), max_length=20, choices=ImplementationStatus.choices)
    percent_done = models.PositiveSmallIntegerField(
        _("percent done"), validators=[MaxValueValidator(100)]
    )
    spent_won = models.PositiveBigIntegerField(_("money spent so far (won)"))
    note = models.TextField(_("note"), max_length=5000)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_done__lte=100), name="implementationupdate_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(percent_done=100),
                name="implementationupdate_done_is_100_percent",
            ),
        ]
        indexes = [models.Index(fields=["proposal", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.status} {self.percent_done}%"


class ImplementationPhoto(models.Model):
    """A photo attached to an update, re-encoded on upload (no EXIF, no GPS)."""

    update = models.ForeignKey(
        ImplementationUpdate,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("update"),
    )
    image = models.ImageField(_("photo"), upload_to="implementation/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["update", "order", "pk"]
        verbose_name = _("implementation photo")
        verbose_name_plural = _("implementation photos")

    def __str__(self) -> str:
        return self.image.name


class BudgetCut(models.Model):
    """The city council cut or reduced a selected project's money, with a public reason."""

    class Kind(models.TextChoices):
        CUT = "cut", _("Cut entirely")
        REDUCED = "reduced", _("Reduced")

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="budget_cuts",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount_won = models.PositiveBigIntegerField(_("amount cut (won)"))
    reason = models.TextField(_("public reason"), max_length=5000)
    decided_on = models.DateField(_("decided by the city council on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("budget cut")
        verbose_name_plural = _("budget cuts")
        constraints = [
            models.CheckConstraint(condition=Q(amount_won__gt=0), name="budgetcut_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="budgetcut_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: -{self.amount_won}"


class ProjectFollow(models.Model):
    """A resident who voted on the project's ballot or endorsed it wants e-mails on changes."""

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("project"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_follows",
        verbose_name=_("resident"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("followed project")
        verbose_name_plural = _("followed projects")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="projectfollow_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"
