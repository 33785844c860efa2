"""Reads for voting: the ballot a resident sees, their own ballot, turnout. Never who chose what."""

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from django.db import connection
from django.db.models import Count
from django.db.models import OneToOneRel
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.eligibility import Ineligibility
from budgeting.eligibility import check_eligibility
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from budgeting.phases import Phase
from budgeting.selectors import get_eligibility_rule
from budgeting.selectors import get_resident_facts
from budgeting.selectors import list_ballot_scopes_for_resident
from budgeting.selectors import list_scopes_for_cycle
from proposals.models import Proposal
from voting.ballot_rules import BallotLimits
from voting.ballot_rules import measure_ballot
from voting.shared import order_for_voter
from voting.shared import voter_key

# Age bands for turnout, by age counted on the cycle's reference date: (lowest age, label).
AGE_BANDS: tuple[int, ...] = (0, 20, 30, 40, 50, 60, 70)


def get_scope_for_voting(*, slug: str, scope_pk: int) -> BallotScope | None:
    """The ballot scope ``scope_pk`` of the visible cycle ``slug``, with its cycle, or None."""
    return (
        BallotScope.objects.select_related("cycle", "district")
        .filter(cycle__slug=slug, pk=scope_pk)
        .exclude(cycle__phase=Phase.DRAFT)
        .first()
    )


# Ballot facts for submissions, per process: (slug, scope pk) -> (read at, scope, costs).
BALLOT_FACTS_MAX_AGE_S = 2.0
_ballot_facts: dict[tuple[str, int], tuple[float, BallotScope, dict[int, int]]] = {}


def get_scope_for_submission(
    *, slug: str, scope_pk: int, max_age: float = BALLOT_FACTS_MAX_AGE_S
) -> tuple[BallotScope | None, dict[int, int] | None]:
    """``get_scope_for_voting`` and ``map_ballot_costs``, kept up to ``max_age`` seconds in
    this process while the cycle is in the voting phase (read again after that).

    Safe to keep: once voting opens, the ballot rule, eligibility and budgets are frozen
    (``check_rules_change_allowed``), and the phase and deadline are read again under the lock
    by the write itself. The projects on the ballot and their costs may be ``max_age`` old.
    The objects are shared between threads: read them, never change them."""
    key = (slug, scope_pk)
    now = time.monotonic()
    known = _ballot_facts.get(key)
    if known is not None and now - known[0] < max_age:
        return known[1], known[2]
    scope = get_scope_for_voting(slug=slug, scope_pk=scope_pk)
    if scope is None:
        return None, None
    costs = map_ballot_costs(scope=scope)
    if scope.cycle.phase == Phase.VOTING:
        _ballot_facts[key] = (now, scope, costs)
    return scope, costs


def forget_scope_for_submission(*, slug: str, scope_pk: int) -> None:
    """Read the scope again next time (e.g. when the write found voting closed)."""
    _ballot_facts.pop((slug, scope_pk), None)


def _columns(model) -> tuple[list[str], list[str]]:
    fields = model._meta.concrete_fields
    return [field.attname for field in fields], [field.column for field in fields]


_USER_FIELDS, _USER_COLUMNS = _columns(User)
_PROFILE_FIELDS, _PROFILE_COLUMNS = _columns(ResidentProfile)
_VOTER_SQL = "SELECT {}, {} FROM {} u LEFT JOIN {} p ON p.{} = u.{} WHERE u.{} = %s".format(  # noqa: S608 (model metadata)
    ", ".join(f"u.{column}" for column in _USER_COLUMNS),
    ", ".join(f"p.{column}" for column in _PROFILE_COLUMNS),
    User._meta.db_table,
    ResidentProfile._meta.db_table,
    ResidentProfile._meta.get_field("user").column,
    User._meta.pk.column,
    User._meta.pk.column,
)


def get_voter(*, user_id) -> User | None:
    """The user ``user_id`` with their resident profile (if any) loaded: what
    ``User.objects.select_related("resident_profile").get(pk=...)`` gives, in one query built
    once per process (it is on the path of every ballot submission)."""
    with connection.cursor() as cursor:
        cursor.execute(_VOTER_SQL, [User._meta.pk.to_python(user_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    user = User.from_db(connection.alias, _USER_FIELDS, row[: len(_USER_FIELDS)])
    profile_row = row[len(_USER_FIELDS) :]
    profile = None
    if profile_row[0] is not None:
        profile = ResidentProfile.from_db(connection.alias, _PROFILE_FIELDS, profile_row)
        ResidentProfile._meta.get_field("user").set_cached_value(profile, user)
    # The plugin types a reverse one-to-one's get_field as its descriptor; it is the OneToOneRel.
    cast("OneToOneRel", User._meta.get_field("resident_profile")).set_cached_value(user, profile)
    return user


def list_ballot_proposals(*, scope: BallotScope) -> list[Proposal]:
    """The projects on ``scope``'s ballot, in a fixed order (voters see their own shuffle)."""
    return list(
        Proposal.objects.on_ballot()
        .filter(scope=scope, hidden_at__isnull=True)
        .only(
            "pk",
            "title",
            "summary",
            "address",
            "cost_estimate_won",
            "reviewed_cost_won",
            "scope_id",
            "cycle_id",
        )
        .order_by("pk")
    )


def map_ballot_costs(*, scope: BallotScope) -> dict[int, int]:
    """Proposal id -> cost on the ballot (the reviewed cost when there is one)."""
    return {
        pk: reviewed or estimate
        for pk, reviewed, estimate in Proposal.objects.on_ballot()
        .filter(scope=scope, hidden_at__isnull=True)
        .values_list("pk", "reviewed_cost_won", "cost_estimate_won")
    }


def get_ballot_limits(
    *,
    scope: BallotScope,
    proposals: list[Proposal] | None = None,
    costs: Mapping[int, int] | None = None,
) -> BallotLimits:
    """The limits of ``scope``'s ballot, from its proposals (or their ``costs`` by id)."""
    cycle = scope.cycle
    if costs is None:
        # callers pass the proposals or their costs
        costs = {
            proposal.pk: proposal.ballot_cost_won for proposal in cast("list[Proposal]", proposals)
        }
    # A pot's own limit (a themed track's, a dong's) replaces the cycle's k for approval and
    # ranked ballots; the fewest choices never exceeds it.
    max_choices = scope.max_choices or cycle.approval_max_choices
    return BallotLimits(
        rule=cycle.ballot_rule,
        costs=costs,
        budget_won=scope.budget_won,
        min_choices=min(cycle.approval_min_choices, max_choices),
        max_choices=max_choices,
        points=cycle.cumulative_points,
        max_points_per_project=cycle.cumulative_max_per_project,
        max_ranks=scope.max_choices or cycle.ranked_max_ranks,
    )


def get_own_ballot(*, user, scope: BallotScope) -> Ballot | None:
    """The requesting voter's own current ballot (found by their key; nobody else's)."""
    key = voter_key(user_id=user.pk, scope_id=scope.pk)
    return Ballot.objects.filter(voter_key=key, scope=scope).first()


def get_own_choices(*, ballot: Ballot | None) -> dict[int, int]:
    if ballot is None:
        return {}
    return dict(BallotChoice.objects.filter(ballot=ballot).values_list("proposal_id", "points"))


def get_participation(*, user, scope: BallotScope) -> Participation | None:
    return Participation.objects.filter(user=user, scope=scope).first()


def map_participations_by_scope(*, user, cycle: BudgetCycle) -> dict[int, Participation]:
    if not user.is_authenticated:
        return {}
    return {
        participation.scope_id: participation
        for participation in Participation.objects.filter(user=user, scope__cycle=cycle)
    }


def _age_band_label(lowest: int, highest: int | None) -> str:
    if lowest == 0:
        return _("under %(age)d") % {"age": cast("int", highest) + 1}  # not the last band
    if highest is None:
        return _("%(age)d and over") % {"age": lowest}
    return f"{lowest}–{highest}"


def get_turnout(*, cycle: BudgetCycle) -> dict:
    """Participation counts per scope, per district and per age band (never per project)."""
    voted = Participation.objects.filter(scope__cycle=cycle, voted_at__isnull=False)
    per_scope_counts = dict(
        voted.values_list("scope_id").annotate(n=Count("pk")).values_list("scope_id", "n")
    )
    scopes = list(list_scopes_for_cycle(cycle=cycle))
    per_scope = [{"scope": scope, "count": per_scope_counts.get(scope.pk, 0)} for scope in scopes]
    # One person counts once per district and per age band, however many ballots they cast.
    people = voted.values(
        "user_id",
        "person_key",
        "user__resident_profile__district__name",
        "user__resident_profile__birth_year",
    ).distinct()
    by_district: Counter[str] = Counter()
    by_year: Counter[int] = Counter()
    seen = set()
    for row in people:
        # a person without an account (code, kiosk, paper) is their person key
        person = row["user_id"] or row["person_key"]
        if person in seen:
            continue
        seen.add(person)
        by_district[row["user__resident_profile__district__name"] or "—"] += 1
        if row["user__resident_profile__birth_year"]:
            by_year[row["user__resident_profile__birth_year"]] += 1
    reference_year = cycle.age_counted_on.year
    bands = []
    for index, lowest in enumerate(AGE_BANDS):
        highest = AGE_BANDS[index + 1] - 1 if index + 1 < len(AGE_BANDS) else None
        count = sum(
            n
            for year, n in by_year.items()
            if reference_year - year >= lowest
            and (highest is None or reference_year - year <= highest)
        )
        bands.append({"label": _age_band_label(lowest, highest), "count": count})
    per_channel_counts = dict(
        voted.values_list("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    return {
        "total_voters": len(seen),
        "per_scope": per_scope,
        # ballots per channel (a person voting on two ballots counts twice)
        "per_channel": [
            (label, per_channel_counts.get(value, 0))
            for value, label in Participation.Channel.choices
        ],
        "per_district": sorted(by_district.items()),
        "per_age_band": bands,
    }


def list_participations_due_a_reminder(*, now=None) -> QuerySet[Participation]:
    """Opened but not submitted, voting closes within a day, no reminder yet, not opted out."""
    now = now or timezone.now()
    return Participation.objects.filter(
        started_at__isnull=False,
        voted_at__isnull=True,
        reminder_sent_at__isnull=True,
        scope__cycle__phase=Phase.VOTING,
        scope__cycle__voting_end_at__gt=now,
        scope__cycle__voting_end_at__lte=now + timedelta(days=1),
        user__resident_profile__voting_reminders=True,
    ).select_related("user__resident_profile", "scope__cycle", "scope__district")


# --- "My participation": the resident's ballots, never what is on them ---------------------------
@dataclass(frozen=True)
class MyBallotLine:
    """One ballot scope the resident could vote on or did: whether they voted, never how."""

    scope: BallotScope
    participation: Participation | None
    may_vote: bool  # voting is open and they are eligible on this scope

    @property
    def cycle(self) -> BudgetCycle:
        return self.scope.cycle

    @property
    def status(self) -> str:
        """``voted``, ``withdrawn`` (and not voted again) or ``not_voted``."""
        participation = self.participation
        if participation is not None and participation.voted_at is not None:
            return "voted"
        if participation is not None and participation.withdrawn_at is not None:
            return "withdrawn"
        return "not_voted"


_BALLOT_PHASES = (Phase.VOTING, Phase.TALLYING, Phase.PUBLISHED, Phase.IMPLEMENTATION)


def list_my_ballots(*, user) -> list[MyBallotLine]:
    """The ballot scopes of every cycle that is voting, or has voted and where ``user`` took
    part: each scope they took part in or could vote on, newest cycle first."""
    participations = {
        p.scope_id: p
        for p in Participation.objects.filter(user=user, scope__cycle__phase__in=_BALLOT_PHASES)
    }
    cycles = BudgetCycle.objects.filter(
        Q(phase=Phase.VOTING) | Q(scopes__pk__in=list(participations))
    ).distinct()
    lines = []
    for cycle in cycles.order_by("-voting_start_at", "-pk"):
        eligible = {s.pk for s in list_ballot_scopes_for_resident(user=user, cycle=cycle)}
        for scope in list_scopes_for_cycle(cycle=cycle):
            if scope.pk in participations or scope.pk in eligible:
                scope.cycle = cycle
                lines.append(
                    MyBallotLine(
                        scope=scope,
                        participation=participations.get(scope.pk),
                        may_vote=scope.pk in eligible and cycle.phase == Phase.VOTING,
                    )
                )
    return lines


def list_voting_cycles_closed_to(*, user) -> list[tuple[BudgetCycle, Ineligibility]]:
    """Cycles open for voting where ``user`` may vote on no ballot, with the reason (e.g. the
    cycle lets only verified residents vote)."""
    closed = []
    for cycle in BudgetCycle.objects.filter(phase=Phase.VOTING).order_by("-voting_start_at"):
        if list_ballot_scopes_for_resident(user=user, cycle=cycle):
            continue
        reason = get_participation_ineligibility_for_voting(user=user, cycle=cycle)
        if reason is not None:
            closed.append((cycle, reason))
    return closed


def get_participation_ineligibility_for_voting(*, user, cycle: BudgetCycle) -> Ineligibility | None:
    """Why ``user`` may vote on none of ``cycle``'s ballots (checked on the city-wide rule)."""
    return check_eligibility(
        get_resident_facts(user=user), get_eligibility_rule(cycle=cycle), scope_district_id=None
    )


# --- the one ballot page: every pot a resident may vote in ---------------------------------------
@dataclass
class BallotSection:
    """One pot on a resident's ballot page: its projects, its own limits and meter, and
    whether they voted on it (their own choices only, found by their own key)."""

    scope: BallotScope
    proposals: list[Proposal]
    limits: BallotLimits
    chosen: dict[int, int]
    participation: Participation | None

    @property
    def meter(self):
        return measure_ballot(self.limits, self.chosen)

    @property
    def has_voted(self) -> bool:
        return self.participation is not None and self.participation.voted_at is not None

    @property
    def rank_options(self) -> range:
        return range(1, self.limits.max_ranks + 1)


def list_ballot_sections(*, user, cycle: BudgetCycle) -> list[BallotSection]:
    """The pots of ``cycle`` that ``user`` may vote in (city, gu, dong, themed tracks), each
    with its projects in the voter's own order, its limits and their stored choices."""
    participations = map_participations_by_scope(user=user, cycle=cycle)
    sections = []
    for scope in list_ballot_scopes_for_resident(user=user, cycle=cycle):
        scope.cycle = cycle
        proposals = order_for_voter(
            list_ballot_proposals(scope=scope),
            key=voter_key(user_id=user.pk, scope_id=scope.pk),
        )
        sections.append(
            BallotSection(
                scope=scope,
                proposals=proposals,
                limits=get_ballot_limits(scope=scope, proposals=proposals),
                chosen=get_own_choices(ballot=get_own_ballot(user=user, scope=scope)),
                participation=participations.get(scope.pk),
            )
        )
    return sections
