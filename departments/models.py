"""City departments (담당부서): who owns which policy areas, their review of proposals before the
committee, and Democracy Seoul's escalation ladder (50 / 100 / 1,000 supporters).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from proposals.models import FeasibilityReview


class Department(models.Model):
    """A city department (or a named office such as the mayor's office)."""

    name_ko = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    email = models.EmailField(
        _("department e-mail"),
        blank=True,
        help_text=_("Reminders go here and to the department's officials."),
    )
    policy_areas = models.ManyToManyField(
        "budgeting.PolicyArea",
        related_name="departments",
        blank=True,
        verbose_name=_("policy areas it owns"),
    )

    class Meta:
        ordering = ["name_ko", "pk"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Korean unless English is asked for)."""
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class DepartmentOfficial(models.Model):
    """A city official acting for a department (with a second factor, as every staff role)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="department_posts",
        verbose_name=_("official"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="officials", verbose_name=_("department")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("department official")
        verbose_name_plural = _("department officials")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="departmentofficial_once_per_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


class CycleSettings(models.Model):
    """Per cycle: how long a department has for its review and for a written answer."""

    cycle = models.OneToOneField(
        "budgeting.BudgetCycle", on_delete=models.CASCADE, related_name="department_settings"
    )
    review_days = models.PositiveSmallIntegerField(
        _("days for the department review"), default=21, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("department review settings")
        verbose_name_plural = _("department review settings")

    def __str__(self) -> str:
        return f"{self.cycle}: {self.review_days}"


class Routing(models.Model):
    """A proposal sent to a department for review (a proposal may need two departments).

    A re-routed proposal keeps the old row with ``removed_at`` and the reason: the trail is public.
    """

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="routings"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="routings", verbose_name=_("department")
    )
    routed_at = models.DateTimeField(_("routed at"), auto_now_add=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_reason = models.CharField(_("reason for removing"), max_length=300, blank=True)

    class Meta:
        ordering = ["routed_at", "pk"]
        verbose_name = _("routing")
        verbose_name_plural = _("routings")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "department"],
                condition=Q(removed_at__isnull=True),
                name="routing_one_active_per_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.department_id}"


def consultation_upload_to(instance, filename: str) -> str:
    return f"departments/consultations/{instance.proposal_id}/{filename}"


class DepartmentReview(models.Model):
    """A department's review of a proposal: legality, feasibility, overlap, cost, duration, and an
    optional external consultation (Incheon: 인천연구원). Public once submitted.

    Rows migrated from the council's feasibility reviews have no department (the council did
    the review before departments had a role); their verdict stays in the public record.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the department")
        SUBMITTED = "submitted", _("Reviewed")

    Verdict = FeasibilityReview.Verdict
    ReasonCode = FeasibilityReview.ReasonCode

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="department_reviews"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("department"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="department_reviews",
    )
    verdict = models.CharField(_("feasibility"), max_length=20, choices=Verdict.choices, blank=True)
    reason_codes = models.JSONField(_("reasons"), default=list, blank=True)
    legal_basis = models.TextField(_("legal basis or obstacle"), max_length=5000, blank=True)
    has_legal_obstacle = models.BooleanField(_("there is a legal obstacle"), default=False)
    notes = models.TextField(_("findings"), max_length=5000, blank=True)
    overlap_programme = models.CharField(
        _("overlapping existing programme"), max_length=200, blank=True
    )
    reviewed_cost_won = models.PositiveBigIntegerField(
        _("reviewed cost (won)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    cost_breakdown = models.JSONField(_("cost breakdown"), default=list, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    consulted = models.CharField(_("consulted (who)"), max_length=200, blank=True)
    consultation_summary = models.TextField(_("consultation summary"), max_length=5000, blank=True)
    consultation_file = models.FileField(
        _("consultation attachment"), upload_to=consultation_upload_to, blank=True
    )
    submitted_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    feasibility_review = models.OneToOneField(
        FeasibilityReview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="department_review",
        help_text=_("The verdict as the committee's desk and the proposal's status read it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposal", "pk"]
        verbose_name = _("department review")
        verbose_name_plural = _("department reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "department"], name="departmentreview_one_per_department"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(verdict=""),
                name="departmentreview_submitted_has_verdict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.department_id} {self.status}"

    @property
    def cost_breakdown_total(self) -> int:
        return sum(int(amount) for _item, amount in self.cost_breakdown)


class EscalationStep(models.Model):
    """One rung of a cycle's ladder: at ``threshold`` supporters, ``action`` happens."""

    class Action(models.TextChoices):
        DEPARTMENT_ANSWER = "department_answer", _("Written answer by the department")
        FORUM = "forum", _("Public deliberation forum")
        OFFICE_ANSWER = "office_answer", _("Answer by the mayor or a named office")

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle", on_delete=models.CASCADE, related_name="escalation_steps"
    )
    threshold = models.PositiveIntegerField(_("supporters"), validators=[MinValueValidator(1)])
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    office = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answering office"),
        help_text=_("For an answer by a named office (the mayor's office, for instance)."),
    )
    days = models.PositiveSmallIntegerField(
        _("days to answer (or forum length)"), default=14, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["cycle", "threshold"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "threshold"], name="escalationstep_unique"),
            models.CheckConstraint(
                condition=~Q(action="office_answer") | Q(office__isnull=False),
                name="escalationstep_office_answer_names_office",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.threshold} → {self.action}"


class Escalation(models.Model):
    """A proposal reached a step: the answer (or the forum) is due by ``due_at``, in public."""

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="escalations"
    )
    step = models.ForeignKey(EscalationStep, on_delete=models.PROTECT, related_name="escalations")
    reached_at = models.DateTimeField(_("reached at"))
    supporters = models.PositiveIntegerField(_("supporters when reached"))
    due_at = models.DateTimeField(_("due"))
    answer = models.TextField(_("answer"), max_length=10000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_as = models.CharField(_("answered by"), max_length=120, blank=True)
    # the forum (action "forum"): a moderator, statements, a closing summary
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderated_forums",
        verbose_name=_("moderator"),
    )
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "step__threshold"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "step"], name="escalation_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} @ {self.step_id}"

    @property
    def is_forum(self) -> bool:
        return self.step.action == EscalationStep.Action.FORUM


class ForumPost(models.Model):
    """A contribution to a deliberation forum; experts' statements are marked as such."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("contribution"), max_length=3000)
    is_expert_statement = models.BooleanField(_("expert statement"), default=False)
    expert_name = models.CharField(_("expert (name and affiliation)"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("forum contribution")
        verbose_name_plural = _("forum contributions")

    def __str__(self) -> str:
        return self.body[:40]
