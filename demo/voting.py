"""Demo cycles in the voting phase, one per ballot rule, so a demo resident can vote under each.

Created directly with models (the demo only) and safe to run any number of times: the dates are
moved so that voting is always open when the demo is (re)seeded.
"""

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from proposals.models import Proposal

PROPOSER_EMAIL = "neighbours@demo.chamyeo.kr"

# slug, Korean name, English name, rule and its settings
VOTING_CYCLES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "demo-vote-approval",
        "2026년 주민투표 체험: 찬성투표",
        "Voting demo 2026: approval ballot",
        {"ballot_rule": "approval", "approval_min_choices": 1, "approval_max_choices": 3},
    ),
    (
        "demo-vote-knapsack",
        "2026년 주민투표 체험: 예산 맞추기",
        "Voting demo 2026: fit-the-budget ballot",
        {"ballot_rule": "knapsack"},
    ),
    (
        "demo-vote-cumulative",
        "2026년 주민투표 체험: 점수 나누기",
        "Voting demo 2026: cumulative ballot",
        {"ballot_rule": "cumulative", "cumulative_points": 10, "cumulative_max_per_project": 4},
    ),
    (
        "demo-vote-ranked",
        "2026년 주민투표 체험: 순위 투표",
        "Voting demo 2026: ranked ballot",
        {"ballot_rule": "ranked", "ranked_max_ranks": 3},
    ),
]

CITYWIDE_BUDGET_WON = 5_000_000_000
BUPYEONG_BUDGET_WON = 550_000_000

# title (Korean + English), summary, place, reviewed cost (won), policy area index
CITYWIDE_PROJECTS = [
    (
        "인천 둘레길 야간 조명 (Night lighting on the Incheon Dulle-gil trails)",
        "둘레길 12km 구간에 저전력 LED 보행등을 설치합니다. "
        "Low-energy LED path lights on 12 km of trails.",
        "인천 둘레길 1~4코스",
        1_200_000_000,
        8,
    ),
    (
        "공공 와이파이 확대 (More free public Wi-Fi)",
        "버스정류장과 공원 300곳에 무료 와이파이를 설치합니다. "
        "Free Wi-Fi at 300 bus stops and parks.",
        "인천 전역",
        2_000_000_000,
        10,
    ),
    (
        "노인 무료 건강검진 버스 (Mobile health check-ups for older residents)",
        "검진 버스 2대가 섬 지역과 구도심을 순회합니다. "
        "Two check-up buses tour the islands and old town.",
        "강화·옹진 및 원도심",
        800_000_000,
        6,
    ),
    (
        "청소년 코딩 캠프 (Coding camps for teenagers)",
        "방학마다 중고생 600명에게 코딩 캠프를 엽니다. Holiday coding camps for 600 students.",
        "인천 청소년수련관",
        600_000_000,
        5,
    ),
    (
        "해안 쓰레기 수거선 (A beach-litter collection boat)",
        "해양 쓰레기 수거 전용 선박을 운영합니다. A boat dedicated to collecting marine litter.",
        "인천 앞바다",
        1_500_000_000,
        1,
    ),
]

BUPYEONG_PROJECTS = [
    (
        "굴포천 산책로 그늘막 (Shade canopies along the Gulpocheon path)",
        "굴포천 산책로에 그늘막과 벤치 20개를 설치합니다. "
        "20 canopies with benches along the stream.",
        "굴포천 산책로",
        120_000_000,
        1,
    ),
    (
        "부평시장 공영주차장 안내판 (Parking guidance at Bupyeong Market)",
        "빈 주차면을 알려주는 전광판을 설치합니다. "
        "Signs showing free spaces at the market car parks.",
        "부평종합시장",
        180_000_000,
        2,
    ),
    (
        "어린이 도서관 주말 연장 (Longer weekend hours at children's libraries)",
        "어린이 도서관 3곳을 주말 저녁까지 엽니다. "
        "Three children's libraries open weekend evenings.",
        "부평구립 어린이도서관",
        90_000_000,
        5,
    ),
    (
        "부평역 지하상가 무장애 경사로 (Step-free ramps in the Bupyeong station arcade)",
        "지하상가 출입구 6곳에 경사로를 설치합니다. "
        "Ramps at six entrances of the underground arcade.",
        "부평역 지하상가",
        250_000_000,
        8,
    ),
    (
        "마을 공유 냉장고 (Neighbourhood community fridges)",
        "동 행정복지센터 5곳에 공유 냉장고를 둡니다. "
        "Community fridges at five local service centres.",
        "부평구 행정복지센터 5곳",
        60_000_000,
        0,
    ),
]


def _proposer(districts) -> User:
    user, created = User.objects.get_or_create(email=PROPOSER_EMAIL)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=PROPOSER_EMAIL, defaults={"verified": True, "primary": True}
    )
    ResidentProfile.objects.update_or_create(
        user=user,
        defaults={
            "display_name": "부평 이웃모임",
            "district": districts["bupyeong-gu"],
            "birth_year": 1980,
            "relation": "lives",
        },
    )
    return user


def _voting_dates(now) -> dict:
    return {
        "proposals_start_at": now - timedelta(days=70),
        "proposals_end_at": now - timedelta(days=40),
        "voting_start_at": now - timedelta(days=2),
        "voting_end_at": now + timedelta(days=12),
        "results_expected_at": now + timedelta(days=19),
    }


def _put_on_ballot(*, cycle, scope, projects, areas, author) -> None:
    for title, summary, place, cost, area_index in projects:
        Proposal.objects.update_or_create(
            cycle=cycle,
            title=title,
            defaults={
                "scope": scope,
                "policy_area": areas[area_index % len(areas)],
                "author": author,
                "summary": summary,
                "description": summary,
                "address": place,
                "cost_estimate_won": cost,
                "reviewed_cost_won": cost,
                "status": Proposal.Status.ON_BALLOT,
                "submitted_at": cycle.proposals_start_at + timedelta(days=3),
            },
        )


def seed_demo_voting(districts, areas) -> list[BudgetCycle]:
    """Three cycles with voting open now: approval, knapsack and cumulative ballots."""
    now = timezone.now().replace(second=0, microsecond=0)
    author = _proposer(districts)
    cycles = []
    for slug, name_ko, name_en, rules in VOTING_CYCLES:
        cycle = BudgetCycle.objects.filter(slug=slug).first()
        if cycle is None:
            cycle = BudgetCycle(slug=slug, year=2026, tally_rule=BudgetCycle.TallyRule.GREEDY)
        # the per-language fields that django-modeltranslation adds at run time
        cycle.name_ko, cycle.name_en = name_ko, name_en  # type: ignore[attr-defined]
        cycle.description_ko = "투표 규칙을 체험해 보는 예시 주기입니다."  # type: ignore[attr-defined]
        cycle.description_en = "A sample cycle to try the ballot rule."  # type: ignore[attr-defined]
        for field, value in rules.items():
            setattr(cycle, field, value)
        if cycle.pk is None or cycle.phase != Phase.VOTING or cycle.voting_end_at <= now:
            for field, value in _voting_dates(now).items():
                setattr(cycle, field, value)
            cycle.phase = Phase.VOTING
            cycle.phase_changed_at = now
        cycle.save()
        cycle.policy_areas.set(areas)
        citywide, _ = BallotScope.objects.get_or_create(
            cycle=cycle, district=None, defaults={"budget_won": CITYWIDE_BUDGET_WON}
        )
        bupyeong, _ = BallotScope.objects.get_or_create(
            cycle=cycle,
            district=districts["bupyeong-gu"],
            defaults={"budget_won": BUPYEONG_BUDGET_WON},
        )
        _put_on_ballot(
            cycle=cycle, scope=citywide, projects=CITYWIDE_PROJECTS, areas=areas, author=author
        )
        _put_on_ballot(
            cycle=cycle, scope=bupyeong, projects=BUPYEONG_PROJECTS, areas=areas, author=author
        )
        cycles.append(cycle)
    return cycles
