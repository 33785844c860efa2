"""Reads of the channels app: turnout by channel and office (counts only, never choices)."""

from django.db.models import Count

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from channels.models import OfficeParticipation


def count_turnout_by_channel(*, scope: BallotScope) -> dict[str, int]:
    """Voters of ``scope`` per channel (every channel listed, 0 when none)."""
    counts = dict(
        Participation.objects.filter(scope=scope, voted_at__isnull=False)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return {channel: counts.get(channel, 0) for channel in Participation.Channel.values}


def count_cycle_turnout_by_office(*, cycle: BudgetCycle) -> list[tuple[str, int]]:
    """(office name, ballots) of ``cycle`` for the offices where someone voted, by name."""
    rows = (
        OfficeParticipation.objects.filter(
            participation__scope__cycle=cycle, participation__voted_at__isnull=False
        )
        .values_list("office__name")
        .annotate(n=Count("pk"))
        .order_by("office__name")
        .values_list("office__name", "n")
    )
    return list(rows)


def count_turnout_by_office(*, scope: BallotScope) -> list[tuple[str, int]]:
    """(office name, voters) of ``scope`` for the offices where someone voted, by name."""
    rows = (
        OfficeParticipation.objects.filter(
            participation__scope=scope, participation__voted_at__isnull=False
        )
        .values_list("office__name")
        .annotate(n=Count("pk"))
        .order_by("office__name")
        .values_list("office__name", "n")
    )
    return list(rows)
