"""Pre-publication checks (issue #14, item 3; issue #12, item 5).

Before the budget office publishes a cycle, every pot (ballot scope) is checked: its ballots and
turnout, the projects with no votes, the projects funded with no votes, the money left over,
where the cycle's rule funds other projects than "most votes first" (greedy), and the paper
ballots refused because the resident had already voted online (or the reverse).

Some findings are *warnings*: a pot with no ballots (always), a project funded with no votes,
a refused second ballot. ``publish_results`` refuses to publish while one of them is not
acknowledged. An acknowledgement is an audit event (``PUBLICATION_WARNING_ACKNOWLEDGED``) that
names the pot, the warning and the fingerprint of the counted ballots, with the official's
reason: stored, chained and public like the publication itself. A re-count of other ballots has
another fingerprint, so its warnings must be acknowledged again.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import PopulationCount
from accounts.models import ResidentProfile
from accounts.models import User
from accounts.selectors import is_office_staff
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import TallyRun
from core.exceptions import ApplicationError
from results.selectors import get_comparison_run
from results.selectors import get_latest_run

# The warnings, each with what the official is asked to confirm.
NO_BALLOTS = "no_ballots"
FUNDED_WITHOUT_VOTES = "funded_without_votes"
CHANNEL_CONFLICTS = "channel_conflicts"
WARNING_LABELS = {
    NO_BALLOTS: gettext_lazy("This pot received no ballots."),
    FUNDED_WITHOUT_VOTES: gettext_lazy("Projects would be funded with no votes."),
    CHANNEL_CONFLICTS: gettext_lazy(
        "Second ballots were refused (paper after online, or online after paper)."
    ),
}
REASON_MIN_LENGTH = 10


class CheckError(ApplicationError):
    """An acknowledgement refused (no reason, unknown warning, not the budget office)."""


@dataclass
class PotWarning:
    code: str
    label: str
    reason: str = ""  # the reason given, once acknowledged
    acknowledged: bool = False


@dataclass
class PotCheck:
    """The findings of one pot. ``counted`` is False before its official count exists."""

    scope: BallotScope
    counted: bool
    fingerprint: str = ""
    ballots: int = 0
    registered: int = 0
    population: int | None = None
    budget_won: int = 0
    allocated_won: int = 0
    unvoted: list[str] = field(default_factory=list)
    funded_without_votes: list[str] = field(default_factory=list)
    greedy_only: list[str] = field(default_factory=list)  # funded by greedy, not by the rule
    rule_only: list[str] = field(default_factory=list)  # funded by the rule, not by greedy
    conflicts: int = 0
    warnings: list[PotWarning] = field(default_factory=list)

    @property
    def left_over_won(self) -> int:
        return self.budget_won - self.allocated_won

    @property
    def turnout_registered(self) -> float | None:
        return self.ballots / self.registered if self.registered else None

    @property
    def turnout_population(self) -> float | None:
        return self.ballots / self.population if self.population else None

    @property
    def turnout_percent(self) -> str:
        share = self.turnout_population or self.turnout_registered
        return f"{share * 100:.1f}%" if share is not None else "–"

    @property
    def pending(self) -> list[PotWarning]:
        return [warning for warning in self.warnings if not warning.acknowledged]


def _acknowledgements(*, cycle: BudgetCycle) -> dict[tuple[str, str, str], str]:
    """``(scope id, warning, fingerprint)`` → reason, for every acknowledgement of ``cycle``."""
    events = AuditEvent.objects.filter(
        cycle=cycle, event_type=AuditEvent.Type.PUBLICATION_WARNING_ACKNOWLEDGED
    ).order_by("position", "pk")
    return {
        (
            event.subject_id,
            str(event.parameters.get("warning", "")),
            str(event.parameters.get("fingerprint", "")),
        ): event.reason
        for event in events
    }


def _conflicts_by_scope(*, cycle: BudgetCycle) -> dict[str, int]:
    scope_type = ContentType.objects.get_for_model(BallotScope)
    counts: dict[str, int] = {}
    for subject_id in AuditEvent.objects.filter(
        cycle=cycle,
        event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT,
        subject_type=scope_type,
    ).values_list("subject_id", flat=True):
        counts[subject_id] = counts.get(subject_id, 0) + 1
    return counts


def _funded_titles(run: TallyRun) -> set[str]:
    return set(run.allocations.filter(is_funded=True).values_list("proposal__title", flat=True))


def check_pot(
    *,
    scope: BallotScope,
    rule: str,
    acknowledged: dict[tuple[str, str, str], str],
    conflicts: int,
) -> PotCheck:
    run = get_latest_run(scope=scope, rule=rule)
    residents = ResidentProfile.objects.all()
    population = PopulationCount.objects.all()
    if scope.district_id is not None:
        residents = residents.filter(district_id=scope.district_id)
        population = population.filter(district_id=scope.district_id)
    people = population.aggregate(total=Sum("population"))["total"]
    check = PotCheck(
        scope=scope,
        counted=run is not None,
        budget_won=scope.budget_won,
        registered=residents.count(),
        population=people,
        conflicts=conflicts,
        ballots=scope.ballots.count() if run is None else run.ballot_count,
    )
    if run is not None:
        check.fingerprint = run.fingerprint
        check.allocated_won = run.allocated_won
        allocations = list(run.allocations.select_related("proposal").order_by("rank"))
        check.unvoted = [a.proposal.title for a in allocations if a.votes == 0 and a.points == 0]
        check.funded_without_votes = [
            a.proposal.title for a in allocations if a.is_funded and a.votes == 0 and a.points == 0
        ]
        comparison = get_comparison_run(run=run)
        if comparison is not None:
            official, greedy = _funded_titles(run), _funded_titles(comparison)
            check.rule_only = sorted(official - greedy)
            check.greedy_only = sorted(greedy - official)
    codes = []
    if check.ballots == 0:
        codes.append(NO_BALLOTS)
    if check.funded_without_votes:
        codes.append(FUNDED_WITHOUT_VOTES)
    if conflicts:
        codes.append(CHANNEL_CONFLICTS)
    for code in codes:
        reason = acknowledged.get((str(scope.pk), code, check.fingerprint))
        check.warnings.append(
            PotWarning(
                code=code,
                label=str(WARNING_LABELS[code]),
                acknowledged=reason is not None,
                reason=reason or "",
            )
        )
    return check


def list_publication_checks(*, cycle: BudgetCycle) -> list[PotCheck]:
    """Every pot of ``cycle`` with its findings and warnings, in scope order."""
    acknowledged = _acknowledgements(cycle=cycle)
    conflicts = _conflicts_by_scope(cycle=cycle)
    scopes = cycle.scopes.select_related("district").order_by("district__order", "pk")
    return [
        check_pot(
            scope=scope,
            rule=cycle.tally_rule,
            acknowledged=acknowledged,
            conflicts=conflicts.get(str(scope.pk), 0),
        )
        for scope in scopes
    ]


def list_unacknowledged_warnings(*, cycle: BudgetCycle) -> list[tuple[PotCheck, PotWarning]]:
    return [
        (check, warning)
        for check in list_publication_checks(cycle=cycle)
        for warning in check.pending
    ]


def acknowledge_warning(
    *, scope: BallotScope, warning: str, reason: str, actor: User
) -> AuditEvent | None:
    """The budget office confirms it publishes ``scope`` despite ``warning``, saying why.

    Refused (nothing written) for anyone but the budget office, for a warning the pot does not
    have, and without a reason of at least ``REASON_MIN_LENGTH`` characters. Acknowledging again
    writes nothing new (None).
    """
    if not is_office_staff(user=actor):
        raise CheckError(_("Only the budget office may acknowledge a warning."), code="forbidden")
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise CheckError(
            _("Say why the pot may be published anyway (at least %(count)s characters).")
            % {"count": REASON_MIN_LENGTH},
            code="reason_required",
        )
    cycle = scope.cycle
    check = next(
        (pot for pot in list_publication_checks(cycle=cycle) if pot.scope.pk == scope.pk), None
    )
    found = (
        next((w for w in check.warnings if w.code == warning), None) if check is not None else None
    )
    if check is None or found is None:
        raise CheckError(_("This pot has no such warning (any more)."), code="no_warning")
    if found.acknowledged:
        return None
    return record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.PUBLICATION_WARNING_ACKNOWLEDGED,
        subject=scope,
        actor=actor,
        is_public=True,
        reason=reason,
        scope=scope.slug,
        warning=warning,
        fingerprint=check.fingerprint,
        ballots=check.ballots,
    )
