"""Residents' proposals, their discussion, and the council's review and decision."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
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
    co_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="co_authored_proposals",
        blank=True,
        verbose_name=_("co-authors"),
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
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Optimistic locking: an edit based on an older version is refused (no silent overwrite).
    version = models.PositiveIntegerField(_("version"), default=1)
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

        return reverse("proposals:proposal-detail", kwargs={"pk": self.pk})

    @property
    def ballot_cost_won(self) -> int:
        """The cost used on the ballot and in the tally: the reviewed one when there is one."""
        return self.reviewed_cost_won or self.cost_estimate_won


class Endorsement(models.Model):
    """A resident's support for a proposal during the proposal phase (one each, withdrawable)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], name="endorsement_one_per_resident"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class Comment(models.Model):
    """A comment on a proposal; replies go one level deep."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposal_comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:40]


class Report(models.Model):
    """A resident's report of a comment (or a proposal) for staff moderation."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(_("resolution"), max_length=200, blank=True)

    class Meta:
        ordering = ["resolved_at", "created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "proposal", "comment"],
                name="report_one_per_reporter_per_item",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.reason[:40]


class FeasibilityReview(models.Model):
    """A council member's check of whether a proposal can be done, and at what cost."""

    class Verdict(models.TextChoices):
        FEASIBLE = "feasible", _("Feasible")
        NEEDS_CHANGES = "needs_changes", _("Feasible with changes")
        INFEASIBLE = "infeasible", _("Not feasible")

    class ReasonCode(models.TextChoices):
        NOT_CITY_COMPETENCE = "not_city_competence", _("Not within the city's competence")
        ALREADY_PLANNED = "already_planned", _("Already planned or funded")
        LEGAL = "legal", _("Legal obstacles")
        TECHNICAL = "technical", _("Technical obstacles")
        COST = "cost", _("Cost above the limit or unrealistic")
        PRIVATE_BENEFIT = "private_benefit", _("Benefits a private party")
        SITE = "site", _("Site not available")
        OTHER = "other", _("Other")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="feasibility_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feasibility_reviews"
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    reason_codes = models.JSONField(_("reasons"), default=list, blank=True)
    legal_notes = models.TextField(_("legal notes"), max_length=5000, blank=True)
    technical_notes = models.TextField(_("technical notes"), max_length=5000, blank=True)
    reviewed_cost_won = models.PositiveBigIntegerField(
        _("reviewed cost (won)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("feasibility review")
        verbose_name_plural = _("feasibility reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="feasibilityreview_one_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.verdict}"


class CouncilDecision(models.Model):
    """The council's decision on a proposal, always with a public reason."""

    class Decision(models.TextChoices):
        ON_BALLOT = "on_ballot", _("Put on the ballot")
        REJECTED = "rejected", _("Not put on the ballot")

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="council_decision"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    public_reason = models.TextField(_("public reason"), max_length=5000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)

    class Meta:
        verbose_name = _("council decision")
        verbose_name_plural = _("council decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(public_reason=""), name="councildecision_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.decision}"


class RubricCriterion(models.Model):
    """One line of the published rubric council members score proposals on."""

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle", on_delete=models.CASCADE, related_name="rubric_criteria"
    )
    name = models.CharField(_("criterion"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    max_points = models.PositiveSmallIntegerField(
        _("most points"), default=5, validators=[MinValueValidator(1)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["cycle", "order", "pk"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.name


class CouncilScore(models.Model):
    """A council member's score of a proposal on one rubric criterion (public after review)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="council_scores")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="council_scores"
    )
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="scores")
    points = models.PositiveSmallIntegerField(_("points"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("council score")
        verbose_name_plural = _("council scores")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member", "criterion"], name="councilscore_one_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.criterion_id}: {self.points}"


class Recusal(models.Model):
    """A member steps aside from a proposal, with a reason that is public with the decision."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recusals",
        verbose_name=_("member"),
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("stepped aside at"), auto_now_add=True)

    class Meta:
        ordering = ["proposal", "created_at"]
        verbose_name = _("step-aside")
        verbose_name_plural = _("step-asides")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="recusal_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="recusal_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.member_id}"


class SubcommitteeRecommendation(models.Model):
    """The 분과's recommendation to the plenary, recorded by its chair (public)."""

    class Recommendation(models.TextChoices):
        ON_BALLOT = "on_ballot", _("Recommend for the ballot")
        REJECTED = "rejected", _("Recommend not to put on the ballot")

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="subcommittee_recommendation"
    )
    subcommittee = models.ForeignKey(
        "budgeting.Subcommittee",
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("subcommittee"),
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices
    )
    reason = models.TextField(_("public reason"), max_length=3000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("subcommittee recommendation")
        verbose_name_plural = _("subcommittee recommendations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="subcommitteerecommendation_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.recommendation}"


class CoAuthorInvitation(models.Model):
    """The author invites a resident to co-author; they become a co-author when they accept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="co_author_invitations"
    )
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="co_author_invitations",
        verbose_name=_("invited resident"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("co-author invitation")
        verbose_name_plural = _("co-author invitations")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "invitee"], name="coauthorinvitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.invitee_id} ({self.status})"
