"""The Seoul-style demo cycles: pots at three levels and themed tracks (issue 12).

Modelled on Seoul's citizens' participatory budget: a free city-wide pot plus designated tracks
with fixed amounts (walking with the vulnerable, 약자와의 동행; youth, 청년, open to residents
aged 19 to 39 only), and gu (자치구) and dong (동) pots, each with its own ballot limit
(Gangdong-style: a few gu-level and a few dong-level projects on one ballot).

- ``seoul-2026``: decided and published, Seoul-style, by a weighted final score (online vote
  50 %, committee rubric 30 %, general assembly 10 %, budget-school graduates' vote 10 %), with
  ballots in every pot, committee scores and a closed general assembly (attendance, votes,
  minutes), counted by the real services; its results pages explain every number. Built with
  demo/weighted.py's helpers.
- ``seoul-2027``: the same pots and tracks with voting open, so a demo resident sees every pot
  they may vote in on one ballot page.

Created directly with models (the demo only) and safe to run any number of times.
"""

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.phases import Phase
from demo.voting import _proposer
from demo.voting import _put_on_ballot
from demo.voting import _voting_dates
from demo.weighted import AssemblyPot
from demo.weighted import count_and_publish
from demo.weighted import demo_person
from demo.weighted import seed_assembly
from demo.weighted import seed_committee_scores
from demo.weighted import store_online_ballots
from proposals.models import Proposal

SEOUL_SLUG = "seoul-2027"  # voting open
SEOUL_PUBLISHED_SLUG = "seoul-2026"  # weighted, published

# slug, Korean, English, the gu it belongs to
DONGS = [
    ("bupyeong-1-dong", "부평1동", "Bupyeong 1-dong", "bupyeong-gu"),
    ("songdo-1-dong", "송도1동", "Songdo 1-dong", "yeonsu-gu"),
]

_YOUTH = {"minimum_age": 19, "maximum_age": 39}

# (district slug or None, track slug, track name ko/en, theme ko/en, budget, own rules, projects)
POTS: list[dict[str, Any]] = [
    {
        "district": None,
        "budget_won": 20_000_000_000,
        "projects": [
            ("한강 보행교 그늘 쉼터 (Shaded rest stops on the Han river footbridges)", 900_000_000),
            ("공공 자전거 정류장 확충 (More public-bike stations)", 1_500_000_000),
            ("도심 빗물 정원 (Rain gardens downtown)", 700_000_000),
        ],
    },
    {
        "district": None,
        "track_slug": "vulnerable",
        "track_name_ko": "약자와의 동행",
        "track_name_en": "Walking with the vulnerable",
        "track_theme_ko": "장애인, 어르신, 저소득 가구 등 사회적 약자를 위한 사업입니다.",
        "track_theme_en": (
            "Projects for disabled people, older residents and low-income households."
        ),
        "budget_won": 20_000_000_000,
        "max_choices": 3,
        "projects": [
            ("휠체어 급속 충전기 설치 (Fast chargers for powered wheelchairs)", 400_000_000),
            ("홀몸 어르신 안부 확인 (Daily check-ins for older people alone)", 800_000_000),
            ("쪽방촌 여름 냉방 지원 (Summer cooling for single-room housing)", 600_000_000),
        ],
    },
    {
        "district": None,
        "track_slug": "youth",
        "track_name_ko": "청년",
        "track_name_en": "Youth",
        "track_theme_ko": "만 19~39세 청년이 제안하고 투표하는 사업입니다.",
        "track_theme_en": "Projects proposed and voted on by residents aged 19 to 39.",
        "budget_won": 10_000_000_000,
        "max_choices": 2,
        **_YOUTH,
        "projects": [
            ("청년 마음건강 상담 (Mental-health counselling for young adults)", 500_000_000),
            ("청년 창업 공유 작업실 (Shared workshops for young founders)", 900_000_000),
            ("첫 자취 생활 안내 교실 (Classes for first-time renters)", 200_000_000),
        ],
    },
    {
        "district": "bupyeong-gu",
        "budget_won": 550_000_000,
        "max_choices": 4,
        "projects": [
            ("굴포천 야간 조명 (Evening lights on the Gulpocheon path)", 150_000_000),
            ("부평구 어린이 물놀이터 (A children's splash park in Bupyeong)", 300_000_000),
            ("전통시장 장바구니 카트 (Shopping trolleys at the traditional market)", 40_000_000),
        ],
    },
    {
        "district": "yeonsu-gu",
        "budget_won": 450_000_000,
        "max_choices": 4,
        "projects": [
            ("송도 해안 산책로 쉼터 (Rest stops on the Songdo coastal walk)", 200_000_000),
            ("연수구 공공 텃밭 (Community gardens in Yeonsu)", 90_000_000),
        ],
    },
    {
        "district": "bupyeong-1-dong",
        "budget_won": 50_000_000,
        "max_choices": 4,
        "projects": [
            ("부평1동 골목 화단 (Flower beds in Bupyeong 1-dong's alleys)", 15_000_000),
            ("동 주민센터 공유 공구함 (A tool library at the dong office)", 8_000_000),
            ("어린이 등굣길 안전 표지 (Safer signs on the school walk)", 20_000_000),
        ],
    },
    {
        "district": "songdo-1-dong",
        "budget_won": 50_000_000,
        "max_choices": 4,
        "projects": [
            ("송도1동 독서 모임 지원 (Reading circles in Songdo 1-dong)", 6_000_000),
            ("공원 반려견 배변봉투함 (Dog-waste bag stands in the parks)", 5_000_000),
        ],
    },
]


def seed_demo_dongs(districts: dict[str, District]) -> dict[str, District]:
    """The demo's dongs, each inside its gu (ordered after every gu)."""
    dongs = {}
    for order, (slug, name_ko, name_en, gu) in enumerate(DONGS, start=100):
        dongs[slug], _ = District.objects.update_or_create(
            slug=slug,
            defaults={
                "name_ko": name_ko,
                "name_en": name_en,
                "order": order,
                "parent": districts[gu],
            },
        )
    return dongs


def _seed_pots(
    *,
    cycle: BudgetCycle,
    districts: dict[str, District],
    areas,
    author: User,
    budgets: dict[tuple[str | None, str], int] | None = None,
) -> list[tuple[BallotScope, list[Proposal]]]:
    """Every pot of ``POTS`` in ``cycle`` with its projects on the ballot (``budgets`` overrides
    a pot's amount, by (district slug, track slug))."""
    pots = []
    for pot in POTS:
        fields = {k: v for k, v in pot.items() if k not in ("district", "projects")}
        track_slug = fields.pop("track_slug", "")
        if budgets is not None:
            fields["budget_won"] = budgets[(pot["district"], track_slug)]
        district = districts[pot["district"]] if pot["district"] else None
        scope, _ = BallotScope.objects.update_or_create(
            cycle=cycle, district=district, track_slug=track_slug, defaults=fields
        )
        _put_on_ballot(
            cycle=cycle,
            scope=scope,
            projects=[
                (title, title, scope.name, cost, n)
                for n, (title, cost) in enumerate(pot["projects"])
            ],
            areas=areas,
            author=author,
        )
        titles = [title for title, _cost in pot["projects"]]
        proposals = sorted(
            Proposal.objects.filter(cycle=cycle, title__in=titles),
            key=lambda proposal: titles.index(proposal.title),
        )
        pots.append((scope, proposals))
    return pots


def seed_demo_seoul(districts: dict[str, District], areas) -> BudgetCycle:
    """The ``seoul-2027`` cycle in its voting phase, with every pot on the ballot."""
    districts = {**districts, **seed_demo_dongs(districts)}
    now = timezone.now().replace(second=0, microsecond=0)
    # A demo database seeded before seoul-2026 was published held this voting cycle under that
    # slug: it becomes seoul-2027, so that seoul-2026 can be the published one.
    if not BudgetCycle.objects.filter(slug=SEOUL_SLUG).exists():
        BudgetCycle.objects.filter(slug=SEOUL_PUBLISHED_SLUG, phase=Phase.VOTING).update(
            slug=SEOUL_SLUG, year=2027
        )
    cycle = BudgetCycle.objects.filter(slug=SEOUL_SLUG).first()
    if cycle is None:
        cycle = BudgetCycle(slug=SEOUL_SLUG, year=2027)
    cycle.name_ko = "2027년 서울형 시민참여예산"  # type: ignore[attr-defined]
    cycle.name_en = "Seoul-style participatory budget 2027"  # type: ignore[attr-defined]
    cycle.description_ko = (  # type: ignore[attr-defined]
        "자유 제안 시 전체 예산 200억 원과 지정 트랙(약자와의 동행 200억 원, 청년 100억 원), "
        "자치구와 동 예산을 한 투표 화면에서 정합니다."
    )
    cycle.description_en = (  # type: ignore[attr-defined]
        "A free city-wide pot of 20bn won, designated tracks (walking with the vulnerable, "
        "20bn; youth, 10bn) and gu and dong pots, all voted on one ballot page."
    )
    cycle.ballot_rule = BudgetCycle.BallotRule.APPROVAL
    cycle.approval_min_choices, cycle.approval_max_choices = 1, 5
    cycle.tally_rule = BudgetCycle.TallyRule.GREEDY
    cycle.minimum_age = 14
    if cycle.pk is None or cycle.phase != Phase.VOTING or cycle.voting_end_at <= now:
        for field, value in _voting_dates(now).items():
            setattr(cycle, field, value)
        cycle.phase = Phase.VOTING
        cycle.phase_changed_at = now
    cycle.save()
    cycle.policy_areas.set(areas)
    _seed_pots(cycle=cycle, districts=districts, areas=areas, author=_proposer(districts))
    return cycle


# seoul-2026: smaller amounts than 2027's, so that each pot has to choose
PUBLISHED_BUDGETS: dict[tuple[str | None, str], int] = {
    (None, ""): 2_500_000_000,
    (None, "vulnerable"): 1_200_000_000,
    (None, "youth"): 1_000_000_000,
    ("bupyeong-gu", ""): 400_000_000,
    ("yeonsu-gu", ""): 250_000_000,
    ("bupyeong-1-dong", ""): 30_000_000,
    ("songdo-1-dong", ""): 8_000_000,
}
# online ballots per pot: the city pots draw more voters than a dong's
PUBLISHED_BALLOTS = {"city": 240, "gu": 120, "dong": 50}
SEOUL_ASSEMBLY_RESIDENTS = 18
SEOUL_MINUTES = """## 2026 서울시 시민참여예산 총회 회의록 / Minutes

- 일시 / When: 2026년 6월, 시청 다목적홀 (온라인 동시 진행 / also online)
- 참석 / Present: 시민참여예산위원회 위원과 등록 시민 (명단은 공개하지 않음 / names not published)

1. 예산과가 자유 제안, 약자와의 동행, 청년 트랙과 자치구·동 사업을 설명했습니다.
   / The budget office presented the free, vulnerable and youth tracks and the gu and dong pots.
2. 시민 발언 14건. / Fourteen questions and statements from residents.
3. 투표: 위원은 모든 예산에, 시민은 자기 자치구·동과 시 전체 예산에 한 번씩.
   / The vote: committee members on every pot, residents on the city pots and their own gu and
   dong, once each.
"""


@transaction.atomic
def seed_demo_seoul_published(
    *, districts: dict[str, District], areas: list[PolicyArea], admin: User
) -> BudgetCycle:
    """``seoul-2026``: ballots in every pot, committee scores and a general assembly, counted
    with the weighted rule by the real services and published. Idempotent."""
    cycle = BudgetCycle.objects.filter(slug=SEOUL_PUBLISHED_SLUG).first()
    if cycle is not None:
        return cycle
    districts = {**districts, **seed_demo_dongs(districts)}
    end = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=170)
    cycle = BudgetCycle.objects.create(
        slug=SEOUL_PUBLISHED_SLUG,
        year=2026,
        name_ko="2026년 서울형 시민참여예산 (가중 합산)",
        name_en="Seoul-style participatory budget 2026 (weighted final score)",
        description_ko=(
            "자유 제안 시 전체 예산과 지정 트랙(약자와의 동행, 청년), 자치구와 동 예산을 "
            "온라인 투표 50 %, 위원회 심사 30 %, 시민참여예산 총회 10 %, 예산학교 수료자 "
            "투표 10 %를 합산한 점수로 정했습니다."
        ),
        description_en=(
            "A free city-wide pot, designated tracks (walking with the vulnerable; youth) and gu "
            "and dong pots, decided by a weighted final score: online vote 50 %, committee "
            "scores 30 %, general assembly 10 %, budget-school graduates' vote 10 %."
        ),
        ballot_rule=BudgetCycle.BallotRule.APPROVAL,
        approval_min_choices=1,
        approval_max_choices=5,
        minimum_age=14,
        tally_rule=BudgetCycle.TallyRule.WEIGHTED,
        weight_online_percent=50,
        weight_committee_percent=30,
        weight_assembly_percent=10,
        weight_budget_school_percent=10,
        proposals_start_at=end - timedelta(days=120),
        proposals_end_at=end - timedelta(days=60),
        voting_start_at=end - timedelta(days=14),
        voting_end_at=end,
        results_expected_at=end + timedelta(days=7),
    )
    cycle.policy_areas.set(areas)
    pots = _seed_pots(
        cycle=cycle,
        districts=districts,
        areas=areas,
        author=_proposer(districts),
        budgets=PUBLISHED_BUDGETS,
    )
    rng = random.Random(SEOUL_PUBLISHED_SLUG)  # noqa: S311 (demo data)
    assembly_pots: list[AssemblyPot] = []
    for scope, proposals in pots:
        popularity = [rng.randint(2, 9) for _proposal in proposals]
        store_online_ballots(
            scope=scope,
            proposals=proposals,
            popularity=popularity,
            rng=rng,
            count=PUBLISHED_BALLOTS[scope.level],
            most=min(3, scope.max_choices or 3),
        )
        assembly_pots.append((scope, proposals, [rng.randint(1, 9) for _p in proposals]))
    everything = [proposal for _scope, proposals in pots for proposal in proposals]
    seed_committee_scores(
        cycle=cycle, proposals=everything, points=[rng.randint(3, 9) for _p in everything]
    )
    seed_assembly(
        cycle=cycle,
        pots=assembly_pots,
        admin=admin,
        rng=rng,
        attendees=_assembly_attendees(cycle=cycle, pots=assembly_pots, districts=districts),
        title="2026 서울시 시민참여예산 총회 / Citizens' general assembly",
        place="서울시청 다목적홀 / Seoul City Hall, multipurpose hall",
        minutes=SEOUL_MINUTES,
    )
    return count_and_publish(cycle=cycle, admin=admin)


def _assembly_attendees(
    *, cycle: BudgetCycle, pots: list[AssemblyPot], districts: dict[str, District]
) -> list[tuple[User, list[int]]]:
    """The committee votes on every pot; residents of the two dongs (every other one aged 19-39)
    on the free and vulnerable pots, the youth track if they are young, their gu and their dong."""
    attendees: list[tuple[User, list[int]]] = [
        (member, list(range(len(pots))))
        for member in User.objects.filter(council_memberships__cycle=cycle).order_by("pk")
    ]
    dongs = [districts[slug] for slug, *_rest in DONGS]
    for n in range(SEOUL_ASSEMBLY_RESIDENTS):
        dong = dongs[n % len(dongs)]
        young = n % 4 < 2
        person = demo_person(
            f"seoul-assembly-{n}@demo.chamyeo.kr",
            f"시민 {n + 1}",
            dong,
            birth_year=cycle.year - (27 if young else 52),
        )
        indexes = [
            index
            for index, (scope, _proposals, _popularity) in enumerate(pots)
            if (scope.district_id is None and (scope.track_slug != "youth" or young))
            or scope.district_id in (dong.pk, dong.parent_id)
        ]
        attendees.append((person, indexes))
    return attendees
