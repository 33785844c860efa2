import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgeting.phases import PHASE_FEATURES
from budgeting.phases import RULES_FROZEN_PHASES
from budgeting.phases import Feature
from budgeting.phases import Phase


def new_tie_break_seed() -> str:
    return secrets.token_hex(16)


class PolicyArea(models.Model):
    """A policy area (welfare, transport, ...); council subcommittees are organised by them."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("policy area")
        verbose_name_plural = _("policy areas")

    def __str__(self) -> str:
        return self.name


class BudgetCycleQuerySet(models.QuerySet):
    def visible(self):
        """Cycles the public sees: everything past preparation."""
        return self.exclude(phase=Phase.DRAFT)


class BudgetCycle(models.Model):
    """One year's participatory budget: its dates, its rules and the phase it is in."""

    class BallotRule(models.TextChoices):
        APPROVAL = "approval", _("Approval: choose up to k projects")
        KNAPSACK = "knapsack", _("Knapsack: choose projects that fit the budget")
        CUMULATIVE = "cumulative", _("Cumulative: spread points over projects")
        RANKED = "ranked", _("Ranked: rank up to k projects in order of preference")

    class TallyRule(models.TextChoices):
        GREEDY = "greedy", _("Most votes first (greedy)")
        EQUAL_SHARES = "mes", _("Method of Equal Shares")
        COUNCIL_WEIGHTED = "council_weighted", _("Council-weighted (public and council votes)")
        WEIGHTED = "weighted", _("Weighted final score of several sources")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    year = models.PositiveSmallIntegerField(
        _("budget year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    description = models.TextField(_("description"), blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.DRAFT)
    phase_changed_at = models.DateTimeField(_("phase changed at"), null=True, blank=True)

    # Dates: the review runs from the end of proposals to the start of voting.
    proposals_start_at = models.DateTimeField(_("proposals open"))
    proposals_end_at = models.DateTimeField(_("proposals close"))
    voting_start_at = models.DateTimeField(_("voting opens"))
    voting_end_at = models.DateTimeField(_("voting closes"))
    results_expected_at = models.DateTimeField(_("results expected"), null=True, blank=True)

    total_budget_won = models.PositiveBigIntegerField(
        _("total budget (won)"),
        null=True,
        blank=True,
        help_text=_("What the city set aside; the pots' budgets are checked against it."),
    )

    policy_areas = models.ManyToManyField(
        PolicyArea, related_name="cycles", blank=True, verbose_name=_("policy areas")
    )

    # Ballot rule
    ballot_rule = models.CharField(
        _("ballot rule"), max_length=20, choices=BallotRule.choices, default=BallotRule.APPROVAL
    )
    approval_max_choices = models.PositiveSmallIntegerField(
        _("approval: most projects a voter may choose"),
        default=5,
        validators=[MinValueValidator(1)],
    )
    approval_min_choices = models.PositiveSmallIntegerField(
        _("approval: fewest projects a voter must choose"),
        default=1,
        validators=[MinValueValidator(1)],
    )
    cumulative_points = models.PositiveSmallIntegerField(
        _("cumulative: points each voter spreads"), default=10, validators=[MinValueValidator(1)]
    )
    cumulative_max_per_project = models.PositiveSmallIntegerField(
        _("cumulative: most points on one project"), default=5, validators=[MinValueValidator(1)]
    )
    ranked_max_ranks = models.PositiveSmallIntegerField(
        _("ranked: how many projects a voter may rank"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "The first choice gets this many points, the next one point less, and so on "
            "(Kraków ranks 3 projects: 3, 2 and 1 points)."
        ),
    )

    # Tally rule
    tally_rule = models.CharField(
        _("tally rule"), max_length=20, choices=TallyRule.choices, default=TallyRule.GREEDY
    )
    council_weight_percent = models.PositiveSmallIntegerField(
        _("council-weighted: weight of council votes (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("The public vote gets the rest. Seoul has used 50 to 70 % public weight."),
    )
    minimum_support_votes = models.PositiveIntegerField(
        _("minimum support: fewest votes a funded project needs"),
        default=1,
        help_text=_(
            "A project with fewer votes is not funded, whatever money is left. The default, 1, "
            "means a project nobody voted for is never funded; 0 lifts the rule."
        ),
    )
    minimum_support_percent = models.PositiveSmallIntegerField(
        _("minimum support: least share of the pot's ballots (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "A project must be on at least this share of its pot's ballots to be funded "
            "(0: no share required). Both minimums apply."
        ),
    )
    # Weighted final score: the weight of each source, in percent, summing to 100 (see
    # budgeting/tally/weighted.py). Shown on the cycle page before voting opens; frozen then.
    weight_online_percent = models.PositiveSmallIntegerField(
        _("weighted: public vote, online and paper (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
    )
    weight_committee_percent = models.PositiveSmallIntegerField(
        _("weighted: committee rubric scores (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    weight_assembly_percent = models.PositiveSmallIntegerField(
        _("weighted: general assembly vote (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    weight_budget_school_percent = models.PositiveSmallIntegerField(
        _("weighted: budget-school graduates' vote (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
    )
    weight_survey_percent = models.PositiveSmallIntegerField(
        _("weighted: survey (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    tie_break_seed = models.CharField(
        _("tie-break seed"),
        max_length=64,
        default=new_tie_break_seed,
        help_text=_("Published before voting ends; breaks exact ties by a lot anyone can redo."),
    )

    # Eligibility
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"), default=14, validators=[MaxValueValidator(120)]
    )
    age_reference_date = models.DateField(
        _("age counted on"),
        null=True,
        blank=True,
        help_text=_("Leave empty to count age on the day voting opens."),
    )
    residents_may_vote = models.BooleanField(
        _("people who live in the city may vote"), default=True
    )
    workers_may_vote = models.BooleanField(_("people who work in the city may vote"), default=True)
    students_may_vote = models.BooleanField(
        _("people who study in the city may vote"), default=True
    )
    requires_verification = models.BooleanField(
        _("only verified residents may vote"), default=False
    )
    requires_phone = models.BooleanField(
        _("voters must verify a mobile phone number by SMS"),
        default=False,
        help_text=_("Online voters and holders of voting codes verify a number first."),
    )
    allow_phone_voting = models.BooleanField(
        _("residents may vote by phone alone (SMS code, no account)"),
        default=False,
        help_text=_(
            "As Seoul's mVoting: a resident verifies a Korean mobile number by SMS and votes, "
            "stating their district and year of birth. One number, one ballot per pot. Not "
            "offered when only verified residents may vote."
        ),
    )

    # Proposals
    proposal_limit_per_resident = models.PositiveSmallIntegerField(
        _("most proposals one resident may submit"), default=3, validators=[MinValueValidator(1)]
    )
    endorsement_threshold = models.PositiveIntegerField(
        _("endorsements after which the council must answer"), default=50
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BudgetCycleQuerySet.as_manager()

    # The rules residents vote under, in three groups (the admin shows one fieldset each). They
    # may not change once voting opens: ``FROZEN_FIELDS`` is the one list of them.
    BALLOT_RULE_FIELDS: tuple[str, ...] = (
        "ballot_rule",
        "approval_min_choices",
        "approval_max_choices",
        "cumulative_points",
        "cumulative_max_per_project",
        "ranked_max_ranks",
    )
    WEIGHT_FIELDS: dict[str, str] = {
        "online": "weight_online_percent",
        "committee": "weight_committee_percent",
        "assembly": "weight_assembly_percent",
        "budget_school": "weight_budget_school_percent",
        "survey": "weight_survey_percent",
    }
    TALLY_RULE_FIELDS: tuple[str, ...] = (
        "tally_rule",
        "council_weight_percent",
        "minimum_support_votes",
        "minimum_support_percent",
        *WEIGHT_FIELDS.values(),
        "tie_break_seed",
    )
    ELIGIBILITY_FIELDS: tuple[str, ...] = (
        "minimum_age",
        "age_reference_date",
        "residents_may_vote",
        "workers_may_vote",
        "students_may_vote",
        "requires_verification",
        "requires_phone",
        "allow_phone_voting",
    )
    FROZEN_FIELDS: tuple[str, ...] = BALLOT_RULE_FIELDS + TALLY_RULE_FIELDS + ELIGIBILITY_FIELDS

    class Meta:
        ordering = ["-year", "-proposals_start_at"]
        verbose_name = _("budget cycle")
        verbose_name_plural = _("budget cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(proposals_start_at__lt=F("proposals_end_at")),
                name="cycle_proposals_start_before_they_end",
            ),
            models.CheckConstraint(
                condition=Q(proposals_end_at__lte=F("voting_start_at")),
                name="cycle_review_before_voting",
            ),
            models.CheckConstraint(
                condition=Q(voting_start_at__lt=F("voting_end_at")),
                name="cycle_voting_starts_before_it_ends",
            ),
            models.CheckConstraint(
                condition=Q(results_expected_at__isnull=True)
                | Q(results_expected_at__gte=F("voting_end_at")),
                name="cycle_results_after_voting",
            ),
            models.CheckConstraint(
                condition=Q(approval_min_choices__lte=F("approval_max_choices")),
                name="cycle_approval_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(cumulative_max_per_project__lte=F("cumulative_points")),
                name="cycle_cumulative_cap_not_above_points",
            ),
            models.CheckConstraint(
                condition=Q(council_weight_percent__lte=100),
                name="cycle_council_weight_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:

        return reverse("budgeting:cycle-detail", kwargs={"slug": self.slug})

    def allows(self, feature: Feature) -> bool:
        """Whether the current phase allows ``feature`` *and* its window is open now."""
        if feature not in PHASE_FEATURES[Phase(self.phase)]:
            return False
        now = timezone.now()
        if feature in (Feature.PROPOSE, Feature.ENDORSE):
            return self.proposals_start_at <= now < self.proposals_end_at
        if feature == Feature.VOTE:
            return self.voting_start_at <= now < self.voting_end_at
        return True

    @property
    def allows_assembly_vote(self) -> bool:
        """The general assembly votes while the cycle's vote is open (the same window)."""
        return self.allows(Feature.VOTE)

    @property
    def rules_are_frozen(self) -> bool:
        return self.phase in RULES_FROZEN_PHASES

    def clean(self) -> None:
        super().clean()
        if self.tally_rule == self.TallyRule.WEIGHTED and sum(self.source_weights.values()) != 100:
            raise ValidationError(
                {
                    "weight_online_percent": _(
                        "The weights of the sources must sum to 100 %% (now %(total)s %%)."
                    )
                    % {"total": sum(self.source_weights.values())}
                }
            )

    @property
    def source_weights(self) -> dict[str, int]:
        """Every source of the weighted rule with its weight in percent (0 included)."""
        return {name: int(getattr(self, field)) for name, field in self.WEIGHT_FIELDS.items()}

    @property
    def weighted_sources(self) -> list[tuple[str, int]]:
        """The sources the weighted rule counts (weight above 0), in the documented order."""
        return [(name, w) for name, w in self.source_weights.items() if w > 0]

    @property
    def public_weight_percent(self) -> int:
        return 100 - self.council_weight_percent

    def minimum_support_for(self, *, ballot_count: int) -> int:
        """The fewest votes a project needs to be funded in a pot with ``ballot_count`` ballots:
        the larger of the two minimums, the share rounded up (exact integer arithmetic)."""
        by_share = -(-ballot_count * self.minimum_support_percent // 100)
        return max(self.minimum_support_votes, by_share)

    @property
    def eligible_relations(self) -> frozenset[str]:
        relations = set()
        if self.residents_may_vote:
            relations.add("lives")
        if self.workers_may_vote:
            relations.add("works")
        if self.students_may_vote:
            relations.add("studies")
        return frozenset(relations)

    @property
    def age_counted_on(self):
        return self.age_reference_date or timezone.localdate(self.voting_start_at)
