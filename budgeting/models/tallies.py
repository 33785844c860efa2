from django.db import models
from django.utils.translation import gettext_lazy as _


class TallyRun(models.Model):
    """One count of one scope's ballots under one rule. Unique per (scope, rule, fingerprint):
    a re-run or a duplicate delivery of the same input is a no-op."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Counting")
        SUCCEEDED = "succeeded", _("Counted")
        FAILED = "failed", _("Failed")

    scope = models.ForeignKey(
        "budgeting.BallotScope", on_delete=models.PROTECT, related_name="tally_runs"
    )
    rule = models.CharField(_("rule"), max_length=20)
    # True for the cycle's own rule; comparison runs (e.g. greedy next to MES) are False.
    is_official = models.BooleanField(_("official result"), default=True)
    fingerprint = models.CharField(_("ballot-set fingerprint (SHA-256)"), max_length=64)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    ballot_count = models.PositiveIntegerField(_("ballots"), default=0)
    budget_won = models.PositiveBigIntegerField(_("budget (won)"), default=0)
    allocated_won = models.PositiveBigIntegerField(_("allocated (won)"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Weighted rule: every source's weight (percent), total and per-project numbers, keyed by
    # project id: {"online": {"weight": 50, "total": 1234, "counts": {"17": 321, ...}}, ...}.
    sources = models.JSONField(_("sources"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The canonical .pb text that was fingerprinted, gzip-compressed (official runs only): the
    # .pb download is written from it instead of being rebuilt, and checked against the
    # fingerprint. Private until publication (it is the whole ballot set).
    canonical_pb_gz = models.BinaryField(editable=False, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tally run")
        verbose_name_plural = _("tally runs")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "rule", "fingerprint"], name="tallyrun_one_per_input"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} · {self.rule} · {self.fingerprint[:12]}"

    @property
    def left_over_won(self) -> int:
        return self.budget_won - self.allocated_won


class Allocation(models.Model):
    """One project's line in a tally: its votes, cost, outcome and why."""

    tally_run = models.ForeignKey(TallyRun, on_delete=models.CASCADE, related_name="allocations")
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="allocations"
    )
    votes = models.PositiveIntegerField(_("votes"), default=0)
    points = models.PositiveBigIntegerField(_("points"), default=0)
    # Exact score as a fraction string ("123/456") for council-weighted results; display only.
    score = models.CharField(_("score"), max_length=200, blank=True)
    cost_won = models.PositiveBigIntegerField(_("cost (won)"))
    is_funded = models.BooleanField(_("funded"), default=False)
    rank = models.PositiveIntegerField(_("rank"))
    reason_code = models.CharField(_("reason"), max_length=40, blank=True)
    reason_params = models.JSONField(_("reason details"), default=dict, blank=True)

    class Meta:
        ordering = ["tally_run", "rank"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["tally_run", "proposal"], name="allocation_one_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {'funded' if self.is_funded else 'not funded'}"


class ExportFile(models.Model):
    """An open-data download of a published tally, built by a task (Saleor's ExportFile)."""

    class Kind(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"
        PABULIB = "pb", "Pabulib (.pb)"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SUCCEEDED = "succeeded", _("Ready")
        FAILED = "failed", _("Failed")

    tally_run = models.ForeignKey(TallyRun, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(_("format"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("file"), upload_to="exports/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Builds asked for again (by the periodic sweep) after the one enqueued at publication, and
    # when the last one was asked for: the sweep retries a bounded number of times, with a pause.
    attempts = models.PositiveSmallIntegerField(_("builds asked for again"), default=0)
    enqueued_at = models.DateTimeField(_("build last asked for"), null=True, blank=True)

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        constraints = [
            models.UniqueConstraint(fields=["tally_run", "kind"], name="exportfile_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.tally_run_id}.{self.kind}"


class ImportedElection(models.Model):
    """A real election loaded from a Pabulib ``.pb`` file (``manage.py import_pabulib``).

    Its cycle is counted as the city counted it: the file's project ids, its META ``rule``
    variant (threshold, no-skip, Equal Shares without completion) and pabutools' tie-break.
    """

    cycle = models.OneToOneField(
        "budgeting.BudgetCycle", on_delete=models.CASCADE, related_name="imported_election"
    )
    source_name = models.CharField(_("file"), max_length=200)
    meta = models.JSONField(_("META section"), default=dict)
    # proposal pk (as text) -> the project id in the file
    project_ids = models.JSONField(_("project ids in the file"), default=dict)
    # Amounts in the file with d decimal places are stored in units of 1 / 10**d (a zł budget
    # with grosze in grosze): the budget and costs stay exact whole numbers.
    amount_scale = models.PositiveIntegerField(
        _("units per currency unit"),
        default=1,
        help_text=_("1 for whole amounts; 100 when the file's amounts have two decimal places."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("imported election")
        verbose_name_plural = _("imported elections")

    def __str__(self) -> str:
        return self.source_name
