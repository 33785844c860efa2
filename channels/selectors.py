"""Reads of the channels app: turnout by channel and office (counts only, never choices), a code
voter's person key and receipt, and the ballot facts of a code ballot's submission."""

import time

from django.db.models import Count

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from budgeting.phases import Phase
from channels.models import OfficeParticipation
from channels.models import VotingCodeUse
from voting.selectors import map_ballot_costs
from voting.shared import PERSON_CODE
from voting.shared import PERSON_PHONE
from voting.shared import person_key


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


def code_person_key(*, code_id: int, verified_phone: str | None) -> str:
    """Who votes with a code: the verified phone number (E.164) when one was given, so the same
    number cannot also vote by another channel; else the code itself."""
    if verified_phone:
        return person_key(kind=PERSON_PHONE, value=str(verified_phone))
    return person_key(kind=PERSON_CODE, value=str(code_id))


def get_code_receipt(*, code_id: int, scope: BallotScope, verified_phone: str | None) -> str | None:
    """The receipt of the ballot this code cast on ``scope`` (the code spent there, and its
    person's participation a code ballot), or None. From the participation, which says who
    voted, never what."""
    if not VotingCodeUse.objects.filter(code_id=code_id, scope=scope).exists():
        return None
    person = code_person_key(code_id=code_id, verified_phone=verified_phone)
    return (
        Participation.objects.filter(
            person_key=person,
            scope=scope,
            channel=Participation.Channel.CODE,
            voted_at__isnull=False,
        )
        .values_list("receipt", flat=True)
        .first()
    )


# Ballot facts for code ballots, per process: scope pk -> (read at, scope, costs).
CODE_BALLOT_FACTS_MAX_AGE_S = 2.0
_code_ballot_facts: dict[int, tuple[float, BallotScope, dict[int, int]]] = {}


def get_scope_for_code_ballot(
    *, scope_pk: int, max_age: float = CODE_BALLOT_FACTS_MAX_AGE_S
) -> tuple[BallotScope | None, dict[int, int] | None]:
    """The ballot scope ``scope_pk`` with its cycle, and its costs (``map_ballot_costs``), kept
    up to ``max_age`` seconds in this process while the cycle is in the voting phase, as
    ``voting.selectors.get_scope_for_submission`` keeps them for online ballots (the rule and
    budgets are frozen once voting opens; the phase and deadline are read by the write). The
    objects are shared between threads: read them, never change them."""
    now = time.monotonic()
    known = _code_ballot_facts.get(scope_pk)
    if known is not None and now - known[0] < max_age:
        return known[1], known[2]
    scope = BallotScope.objects.select_related("cycle").filter(pk=scope_pk).first()
    if scope is None:
        return None, None
    costs = map_ballot_costs(scope=scope)
    if scope.cycle.phase == Phase.VOTING:
        _code_ballot_facts[scope_pk] = (now, scope, costs)
    return scope, costs


def forget_scope_for_code_ballot(*, scope_pk: int) -> None:
    """Read the scope again next time (e.g. when the write found voting closed)."""
    _code_ballot_facts.pop(scope_pk, None)
