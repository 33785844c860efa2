"""Demo content for the weighted final score and the general assembly (총회).

:func:`seed_demo_weighted` makes a past cycle (``seocho-2026``) decided Seoul-style by a weighted
final score of four sources (online vote 50 %, committee rubric 30 %, general assembly 10 %,
budget-school graduates 10 %), with an assembly (attendance, votes, minutes), counted by the
real services and published, so its results page explains every number.

The helpers serve every weighted demo cycle (``seoul-2026`` in demo/seoul.py too):
:func:`store_online_ballots`, :func:`seed_committee_scores`, :func:`seed_assembly` (through the
assembly's services, so its steps are in the cycle's audit log) and :func:`count_and_publish`.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import cast

from django.db import transaction
from django.utils import timezone

from accounts.models import ResidentProfile
from accounts.models import User
from assembly.models import Assembly
from assembly.models import AssemblyBallot
from assembly.models import AssemblyChoice
from assembly.models import AssemblyVoter
from assembly.services import record_assembly_vote_event
from assembly.services import record_attendance
from assembly.services import save_minutes
from assembly.services import schedule_assembly
from assembly.services import set_assembly_status
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import PolicyArea
from budgeting.phases import PHASE_ORDER
from budgeting.phases import Phase
from budgeting.phases import next_phase
from budgeting.services.cycles import advance_phase
from proposals.models import CouncilScore
from proposals.models import Proposal
from proposals.models import RubricCriterion
from results.services.counting import tally_scope
from results.services.publication import publish_results

WEIGHTED_SLUG = "seocho-2026"
# title, summary (Korean / English), cost, online popularity, committee points (0-10),
# assembly popularity
PROJECTS = [
    ("양재천 생태 학습장", "하천 생태 체험 / A stream ecology classroom", 300_000_000, 9, 5, 3),
    ("경로당 스마트 돌봄", "어르신 안부 확인 / Smart care in senior centres", 250_000_000, 5, 9, 8),
    ("청소년 심야 공부방", "자정까지 여는 공부방 / A late-night study room", 200_000_000, 7, 6, 4),
    ("무장애 놀이터", "모두를 위한 놀이터 / A playground for every child", 350_000_000, 6, 8, 9),
    ("골목 공유 주차", "비는 시간 주차면 공유 / Shared parking in alleys", 150_000_000, 8, 3, 2),
    ("반포 한강 그늘 쉼터", "강변 그늘 / Shade on the riverside", 180_000_000, 4, 4, 5),
]
BUDGET_WON = 1_000_000_000
ONLINE_BALLOTS = 360
SCHOOL_SHARE = 8  # one ballot in eight was cast by a budget-school graduate
ASSEMBLY_RESIDENTS = 24
MINUTES = """## 2026 서초형 주민총회 회의록 / Minutes

- 일시 / When: 2026년 5월 16일 14:00–16:30, 구청 대강당 (온라인 동시 진행 / also online)
- 참석 / Present: 위원회 위원과 등록 주민 (명단은 공개하지 않음 / names not published)

1. 예산과가 사업 6건의 검토 결과를 설명했습니다. / The budget office presented the six projects.
2. 주민 발언 9건: 무장애 놀이터의 위치, 경로당 돌봄의 개인정보 보호에 대한 질의.
   / Nine questions from residents, on the playground's site and the care service's privacy.
3. 투표: 키오스크와 종이 투표, 한 사람이 한 번씩. / The vote: kiosk and paper, once per person.
"""


def _dates() -> dict:
    end = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=200)
    return {
        "proposals_start_at": end - timedelta(days=120),
        "proposals_end_at": end - timedelta(days=60),
        "voting_start_at": end - timedelta(days=14),
        "voting_end_at": end,
        "results_expected_at": end + timedelta(days=7),
    }


@transaction.atomic
def seed_demo_weighted(*, districts: dict, areas: list[PolicyArea], admin: User) -> BudgetCycle:
    """The weighted, assembly-decided demo cycle, counted and published. Idempotent."""
    cycle = BudgetCycle.objects.filter(slug=WEIGHTED_SLUG).first()
    if cycle is not None:
        return cycle
    cycle = BudgetCycle.objects.create(
        slug=WEIGHTED_SLUG,
        year=2026,
        name_ko="2026년 주민총회·가중 합산 시범 (서초형)",
        name_en="2026 weighted final score with a general assembly (Seocho-style)",
        description_ko=(
            "온라인 투표 50 %, 위원회 심사 30 %, 주민총회 10 %, 예산학교 수료자 투표 10 %를 "
            "합산해 사업을 정했습니다."
        ),
        description_en=(
            "Projects were chosen by a weighted final score: online vote 50 %, committee "
            "scores 30 %, general assembly 10 %, budget-school graduates' vote 10 %."
        ),
        ballot_rule=BudgetCycle.BallotRule.APPROVAL,
        approval_max_choices=3,
        tally_rule=BudgetCycle.TallyRule.WEIGHTED,
        weight_online_percent=50,
        weight_committee_percent=30,
        weight_assembly_percent=10,
        weight_budget_school_percent=10,
        **_dates(),
    )
    cycle.policy_areas.set(areas)
    scope = BallotScope.objects.create(cycle=cycle, district=None, budget_won=BUDGET_WON)
    now = timezone.now()
    proposals = [
        Proposal.objects.create(
            cycle=cycle,
            scope=scope,
            policy_area=areas[n % len(areas)],
            author=admin,
            title=title,
            summary=summary,
            description=summary,
            cost_estimate_won=cost,
            reviewed_cost_won=cost,
            status=Proposal.Status.ON_BALLOT,
            submitted_at=now - timedelta(days=300),
        )
        for n, (title, summary, cost, *_rest) in enumerate(PROJECTS)
    ]
    rng = random.Random(WEIGHTED_SLUG)  # noqa: S311 (demo data)
    store_online_ballots(
        scope=scope, proposals=proposals, popularity=[p[3] for p in PROJECTS], rng=rng
    )
    seed_committee_scores(cycle=cycle, proposals=proposals, points=[p[4] for p in PROJECTS])
    seed_assembly(
        cycle=cycle,
        pots=[(scope, proposals, [p[5] for p in PROJECTS])],
        admin=admin,
        rng=rng,
    )
    return count_and_publish(cycle=cycle, admin=admin)


def count_and_publish(*, cycle: BudgetCycle, admin: User) -> BudgetCycle:
    """Close the (past) vote, count every pot with the real services and publish."""
    while PHASE_ORDER.index(Phase(cycle.phase)) < PHASE_ORDER.index(Phase.TALLYING):
        step = cast("Phase", next_phase(cycle.phase))  # before TALLYING: not the last
        advance_phase(cycle=cycle, to=step, by_schedule=True)
    for scope_id in cycle.scopes.order_by("pk").values_list("pk", flat=True):
        tally_scope(scope_id=scope_id)
    publish_results(cycle_id=cycle.pk, actor=admin)
    cycle.refresh_from_db()
    return cycle


def store_online_ballots(
    *,
    scope: BallotScope,
    proposals: list[Proposal],
    popularity: Sequence[int],
    rng: random.Random,
    count: int = ONLINE_BALLOTS,
    most: int = 3,
) -> None:
    """``count`` anonymous approval ballots of 1 to ``most`` projects, drawn by ``popularity``;
    one in ``SCHOOL_SHARE`` is tagged as cast by a budget-school graduate."""
    most = min(most, len(proposals))
    ballots: list[Ballot] = []
    choices: list[BallotChoice] = []
    for n in range(count):
        size = rng.randint(1, most)
        chosen: set[int] = set()
        while len(chosen) < size:
            chosen.add(rng.choices(range(len(proposals)), weights=popularity)[0])
        ballot = Ballot(
            id=uuid.uuid4(),
            voter_key=hashlib.sha256(f"demo-weighted:{scope.pk}:{n}".encode()).hexdigest(),
            scope=scope,
            from_school_graduate=n % SCHOOL_SHARE == 0,
        )
        ballots.append(ballot)
        choices.extend(BallotChoice(ballot=ballot, proposal=proposals[i]) for i in chosen)
    Ballot.objects.bulk_create(ballots)
    BallotChoice.objects.bulk_create(choices)


def demo_person(email: str, display_name: str, district, birth_year: int = 1980) -> User:
    """A demo resident without a password (they never log in), made once."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None)
        ResidentProfile.objects.create(
            user=user,
            display_name=display_name,
            district=district,
            birth_year=birth_year,
            relation="lives",
        )
    return user


def seed_committee_scores(
    *, cycle: BudgetCycle, proposals: list[Proposal], points: list[int]
) -> None:
    """Three committee members score every proposal on one rubric line (0-10)."""
    criterion, _created = RubricCriterion.objects.get_or_create(
        cycle=cycle, name="필요성과 효과 / Need and effect", defaults={"max_points": 10}
    )
    district = User.objects.get(email="council@demo.chamyeo.kr").resident_profile.district
    members = [User.objects.get(email="council@demo.chamyeo.kr")] + [
        demo_person(f"seocho-member-{n}@demo.chamyeo.kr", f"위원 {n}", district) for n in (1, 2)
    ]
    for seat, member in enumerate(members, start=1):
        CouncilMembership.objects.get_or_create(
            cycle=cycle, user=member, defaults={"seat_number": seat}
        )
        for proposal, base in zip(proposals, points, strict=True):
            CouncilScore.objects.update_or_create(
                proposal=proposal,
                member=member,
                criterion=criterion,
                defaults={"points": max(0, min(10, base + (seat - 2)))},
            )


# a pot the assembly votes on: its scope, its shortlist and each project's popularity there
AssemblyPot = tuple[BallotScope, list[Proposal], list[int]]


def seed_assembly(
    *,
    cycle: BudgetCycle,
    pots: Sequence[AssemblyPot],
    admin: User,
    rng: random.Random,
    attendees: Sequence[tuple[User, Sequence[int]]] | None = None,
    title: str = "2026 주민총회 / General assembly",
    place: str = "구청 대강당 / District office main hall",
    minutes: str = MINUTES,
) -> Assembly:
    """A closed assembly, scheduled and minuted through the assembly's services (so each step is
    in the cycle's audit log): ``attendees`` (a person and the indexes of the ``pots`` they vote
    on; by default the cycle's committee and Seocho's residents, on every pot) attended and
    voted once on each of their pots, approving two projects.

    The votes are stored directly (the cycle's vote is in the past, so the service would refuse
    them), each with its audit event as ``cast_assembly_vote`` writes it."""
    assembly = schedule_assembly(
        cycle=cycle,
        title=title,
        starts_at=cycle.voting_end_at - timedelta(days=3),
        place=place,
        online_url="https://meet.example.org/chonghoe-2026",
        actor=admin,
    )
    save_minutes(assembly=assembly, minutes=minutes, actor=admin)
    if attendees is None:
        resident = User.objects.get(email="resident@demo.chamyeo.kr")
        district = resident.resident_profile.district
        people = [
            *User.objects.filter(council_memberships__cycle=cycle),
            resident,
            *(
                demo_person(f"assembly-{n}@demo.chamyeo.kr", f"주민 {n}", district)
                for n in range(1, ASSEMBLY_RESIDENTS)
            ),
        ]
        attendees = [(person, range(len(pots))) for person in people]
    for n, (person, pot_indexes) in enumerate(attendees):
        attendance = record_attendance(assembly=assembly, user=person, actor=admin)
        channel = AssemblyVoter.Channel.PAPER if n % 3 == 0 else AssemblyVoter.Channel.KIOSK
        for index in pot_indexes:
            scope, proposals, popularity = pots[index]
            chosen: set[int] = set()
            while len(chosen) < min(2, len(proposals)):
                chosen.add(rng.choices(range(len(proposals)), weights=popularity)[0])
            AssemblyVoter.objects.create(
                attendance=attendance, scope=scope, channel=channel, entered_by=admin
            )
            ballot = AssemblyBallot.objects.create(assembly=assembly, scope=scope)
            AssemblyChoice.objects.bulk_create(
                AssemblyChoice(ballot=ballot, proposal=proposals[i]) for i in sorted(chosen)
            )
            record_assembly_vote_event(assembly=assembly, scope=scope, channel=channel, actor=admin)
    # closed: the ballots re-written in random order, the tallies public
    return set_assembly_status(assembly=assembly, status=Assembly.Status.CLOSED, actor=admin)
