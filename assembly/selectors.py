"""Reads of the assembly app: assemblies, attendance, the anonymous tallies, the survey source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.db.models import QuerySet
from django.utils import formats
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly
from assembly.models import AssemblyBallot
from assembly.models import AssemblyChoice
from assembly.models import AssemblyVoter
from assembly.models import Attendance
from assembly.models import SurveyCount
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import TallyRun
from budgeting.phases import Phase
from budgeting.selectors import list_scopes_for_cycle
from proposals.models import Proposal


def list_assemblies(*, cycle: BudgetCycle) -> QuerySet[Assembly]:
    return Assembly.objects.filter(cycle=cycle).order_by("starts_at", "pk")


def list_attendances(*, assembly: Assembly) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(assembly=assembly)
        .select_related("user")
        .annotate(vote_count=Count("votes"))
        .order_by("recorded_at", "pk")
    )


def count_attendance_by_role(*, assembly: Assembly) -> dict[str, int]:
    counts = Counter(assembly.attendances.values_list("role", flat=True))
    return {role: counts.get(role, 0) for role in Attendance.Role.values}


def list_shortlist(*, scope: BallotScope) -> QuerySet[Proposal]:
    """The projects on ``scope``'s ballot: what the assembly votes on."""
    return Proposal.objects.filter(scope=scope, status=Proposal.Status.ON_BALLOT).order_by("pk")


def has_voted(*, attendance: Attendance, scope: BallotScope) -> bool:
    return AssemblyVoter.objects.filter(attendance=attendance, scope=scope).exists()


@dataclass(frozen=True)
class ScopeTally:
    scope: BallotScope
    ballots: int
    lines: list[tuple[Proposal, int]]  # shortlist, most approvals first


def assembly_tallies(*, assembly: Assembly) -> list[ScopeTally]:
    """Per scope of the cycle: ballots cast at ``assembly`` and each project's approvals."""
    result = []
    for scope in assembly.cycle.scopes.select_related("district").order_by("pk"):
        ballots = AssemblyBallot.objects.filter(assembly=assembly, scope=scope).count()
        approvals = Counter(
            AssemblyChoice.objects.filter(
                ballot__assembly=assembly, ballot__scope=scope
            ).values_list("proposal_id", flat=True)
        )
        lines = [(p, approvals.get(p.pk, 0)) for p in list_shortlist(scope=scope)]
        lines.sort(key=lambda line: (-line[1], line[0].pk))
        result.append(ScopeTally(scope=scope, ballots=ballots, lines=lines))
    return result


def count_assembly_approvals(*, scope: BallotScope) -> dict[int, int]:
    """The assembly source of ``scope``: approvals per proposal over every assembly of the
    cycle (they vote only while the cycle's vote is open, so they are final when it closes)."""
    rows = AssemblyChoice.objects.filter(ballot__scope=scope).values_list("proposal_id", flat=True)
    return dict(Counter(rows))


def list_assembly_ballot_rows(*, scope: BallotScope) -> list[list[int]]:
    """Every assembly ballot of ``scope`` as its approved proposal ids (anonymous, sorted)."""
    rows: dict = {
        pk: [] for pk in AssemblyBallot.objects.filter(scope=scope).values_list("pk", flat=True)
    }
    for ballot_id, proposal_id in AssemblyChoice.objects.filter(
        ballot_id__in=list(rows)
    ).values_list("ballot_id", "proposal_id"):
        rows[ballot_id].append(proposal_id)
    return sorted(sorted(r) for r in rows.values())


def count_survey(*, scope: BallotScope) -> dict[int, int]:
    """The survey source of ``scope``: the number staff entered per proposal."""
    return dict(
        SurveyCount.objects.filter(proposal__scope=scope).values_list("proposal_id", "count")
    )


def cycle_has_survey_source(*, cycle: BudgetCycle) -> bool:
    """Whether ``cycle``'s rule counts a survey: the weighted rule with a survey weight."""
    return cycle.tally_rule == BudgetCycle.TallyRule.WEIGHTED and cycle.weight_survey_percent > 0


def get_survey_freeze_reason(*, cycle: BudgetCycle) -> str:
    """Why ``cycle``'s survey counts can no longer change ("" while they can): counting has
    begun (a count of one of its pots exists), or the results are published."""
    if cycle.phase in (Phase.PUBLISHED, Phase.IMPLEMENTATION):
        return _("The results are published: the survey counts are frozen with them.")
    started = (
        TallyRun.objects.filter(scope__cycle=cycle)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
        .first()
    )
    if started is not None:
        return _(
            "Counting began on %(when)s: the survey counts are frozen with the other sources."
        ) % {"when": formats.date_format(timezone.localtime(started), "Y-m-d H:i")}
    return ""


@dataclass(frozen=True)
class SurveyPot:
    scope: BallotScope
    lines: list[tuple[Proposal, int]]  # each project on the pot's ballot and its survey count


def list_survey_pots(*, cycle: BudgetCycle) -> list[SurveyPot]:
    """Every pot of ``cycle`` with the projects on its ballot and their survey counts (0 where
    none was entered)."""
    counts = dict(
        SurveyCount.objects.filter(proposal__cycle=cycle).values_list("proposal_id", "count")
    )
    return [
        SurveyPot(
            scope=scope,
            lines=[(p, counts.get(p.pk, 0)) for p in list_shortlist(scope=scope)],
        )
        for scope in list_scopes_for_cycle(cycle=cycle)
    ]
