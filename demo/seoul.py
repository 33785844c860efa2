"""The Seoul-style 2026 demo cycle (``seoul-2026``): pots at three levels and themed tracks.

Modelled on Seoul's 2026 citizens' participatory budget: a free city-wide pot plus designated
tracks with fixed amounts (walking with the vulnerable, 약자와의 동행; youth, 청년, open to
residents aged 19 to 39 only), and gu (자치구) and dong (동) pots, each with its own ballot limit
(Gangdong-style: a few gu-level and a few dong-level projects on one ballot). Voting is open, so a
demo resident sees every pot they may vote in on one ballot page. Other demo modules may attach
more to this cycle (a general assembly, a weighted result) by its slug.

Created directly with models (the demo only) and safe to run any number of times.
"""

from typing import Any

from django.utils import timezone

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.phases import Phase
from demo.voting import _proposer
from demo.voting import _put_on_ballot
from demo.voting import _voting_dates

SEOUL_SLUG = "seoul-2026"

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


def seed_demo_seoul(districts: dict[str, District], areas) -> BudgetCycle:
    """The ``seoul-2026`` cycle in its voting phase, with every pot on the ballot."""
    districts = {**districts, **seed_demo_dongs(districts)}
    now = timezone.now().replace(second=0, microsecond=0)
    cycle = BudgetCycle.objects.filter(slug=SEOUL_SLUG).first()
    if cycle is None:
        cycle = BudgetCycle(slug=SEOUL_SLUG, year=2026)
    cycle.name_ko = "2026년 서울형 시민참여예산"  # type: ignore[attr-defined]
    cycle.name_en = "Seoul-style participatory budget 2026"  # type: ignore[attr-defined]
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
    author = _proposer(districts)
    for pot in POTS:
        fields = {k: v for k, v in pot.items() if k not in ("district", "projects")}
        track_slug = fields.pop("track_slug", "")
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
    return cycle
