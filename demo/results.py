"""Demo content for counting and publication.

* :func:`import_pabulib_election`: load a real election from a Pabulib ``.pb`` file as a cycle
  whose voting is over (projects become proposals on the ballot, ballots anonymous ballots),
  so the whole app runs on real data (``manage.py import_pabulib``).
* :func:`seed_demo_results`: a past demo cycle (Incheon 2026) with ballots, counted by the real
  services and published, so the results pages have content right after ``make demo``.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import uuid
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import ImportedElection
from budgeting.models import PolicyArea
from budgeting.phases import PHASE_ORDER
from budgeting.phases import Phase
from budgeting.phases import next_phase
from budgeting.services.cycles import advance_phase
from budgeting.tally import PbElection
from budgeting.tally import read_pb
from proposals.models import Proposal
from results.services.counting import tally_scope
from results.services.publication import publish_results

IMPORT_AUTHOR_EMAIL = "pabulib-import@chamyeo.invalid"
_BATCH = 5000


def _import_author() -> User:
    user = User.objects.filter(email=IMPORT_AUTHOR_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=IMPORT_AUTHOR_EMAIL, password=None)
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


def _parse_date(text: str):
    try:
        day = datetime.strptime(text.strip(), "%d.%m.%Y")  # noqa: DTZ007 (made aware below)
    except ValueError:
        return None
    return timezone.make_aware(day.replace(hour=9))


def _voting_dates(meta: dict[str, str]) -> dict:
    begin = _parse_date(meta.get("date_begin", ""))
    end = _parse_date(meta.get("date_end", ""))
    now = timezone.now()
    if begin is None or end is None or not begin < end < now:
        end = now - timedelta(days=1)
        begin = end - timedelta(days=14)
    return {
        "proposals_start_at": begin - timedelta(days=90),
        "proposals_end_at": begin - timedelta(days=30),
        "voting_start_at": begin,
        "voting_end_at": end,
    }


def _ballot_rule(vote_type: str) -> str:
    if vote_type == "cumulative":
        return BudgetCycle.BallotRule.CUMULATIVE
    if vote_type == "ordinal":
        return BudgetCycle.BallotRule.RANKED
    return BudgetCycle.BallotRule.APPROVAL


def _tally_rule(meta_rule: str) -> str:
    if meta_rule.startswith("equalshares"):
        return BudgetCycle.TallyRule.EQUAL_SHARES
    return BudgetCycle.TallyRule.GREEDY


@transaction.atomic
def import_pabulib_election(
    *, path: str | Path, slug: str = "", election: PbElection | None = None
) -> BudgetCycle:
    """Load ``path`` as a new cycle in the counting phase (voting over, not yet counted).

    Amounts are kept exact: a file whose budget or costs have decimals (zł with grosze) is stored
    in units of 1 / ``amount_scale`` (grosze), and ``ImportedElection.amount_scale`` says so (the
    app's amount fields are whole numbers). Ordinal ballots become ranked ballots (each choice
    stores its rank); ``ranked_max_ranks`` is the file's ``k`` (META ``max_length`` or the
    longest ballot), so the count gives the file's rank points.

    Raises ``PbFormatError`` for a malformed file and ``ValueError`` if ``slug`` is taken or a
    project is free (a proposal must cost something).
    """
    path = Path(path)
    if election is None:
        election = read_pb(path)
    return _import(path=path, election=election, slug=slug)


def _import(*, path: Path, election: PbElection, slug: str) -> BudgetCycle:
    meta = election.meta
    slug = slug or slugify(f"pabulib-{path.stem}")[:80]
    if BudgetCycle.objects.filter(slug=slug).exists():
        raise ValueError(f"a cycle with the slug {slug!r} exists already")
    free = [pid for pid, cost in election.costs.items() if cost <= 0]
    if free:
        raise ValueError(f"projects without a cost cannot be proposals: {', '.join(free)}")
    title = " ".join(
        x for x in (meta.get("description") or meta.get("unit", ""), meta.get("instance", "")) if x
    )
    title = title or path.stem
    votes = election.votes
    lengths = [int(x) for x in (votes.indptr[1:] - votes.indptr[:-1])]
    points = votes.points.tolist()
    ranked = election.vote_type == "ordinal"
    cycle = BudgetCycle.objects.create(
        slug=slug,
        name=title[:120],
        name_ko=title[:120],
        name_en=title[:120],
        year=int(meta["instance"][:4]) if meta.get("instance", "")[:4].isdigit() else 2024,
        description=f"Pabulib: {path.name}",
        ballot_rule=_ballot_rule(election.vote_type),
        approval_max_choices=max([1, *lengths]),
        approval_min_choices=1,
        cumulative_points=max(1, max((sum(points[s:e]) for s, e in _rows(votes)), default=1)),
        cumulative_max_per_project=max([1, *points]),
        ranked_max_ranks=max([1, *points]) if ranked else 3,
        tally_rule=_tally_rule(meta.get("rule", "")),
        minimum_age=0,
        phase=Phase.TALLYING,
        phase_changed_at=timezone.now(),
        **_voting_dates(meta),
    )
    scope = BallotScope.objects.create(cycle=cycle, district=None, budget_won=election.budget)
    area, _created = PolicyArea.objects.get_or_create(
        slug="imported",
        defaults={"name": "Imported", "name_ko": "가져온 사업", "name_en": "Imported"},
    )
    cycle.policy_areas.add(area)
    author = _import_author()
    now = timezone.now()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            cycle=cycle,
            scope=scope,
            policy_area=area,
            author=author,
            title=(row.get("name") or f"Project {pid}")[:120],
            summary=(row.get("name") or f"Project {pid}")[:300],
            description=row.get("description") or row.get("name") or pid,
            cost_estimate_won=election.costs[pid],
            status=Proposal.Status.ON_BALLOT,
            submitted_at=now,
        )
        for pid, row in election.projects.items()
    )
    ImportedElection.objects.create(
        cycle=cycle,
        source_name=path.name,
        meta=meta,
        project_ids={str(p.pk): pid for p, pid in zip(proposals, election.projects, strict=True)},
        amount_scale=election.amount_scale,
    )
    # ranked: the first choice holds k points in the file's matrix; store its rank, 1
    rank_base = cycle.ranked_max_ranks + 1 if ranked else 0
    _store_ballots(
        scope=scope, proposals=proposals, votes=votes, salt=path.name, rank_base=rank_base
    )
    return cycle


def _rows(votes):
    ptr = votes.indptr.tolist()
    return itertools.pairwise(ptr)


def _store_ballots(
    *, scope: BallotScope, proposals: list[Proposal], votes, salt: str, rank_base: int = 0
) -> None:
    """Anonymous ballots in a shuffled order; voter keys are hashes, never the file's voter ids.

    With ``rank_base`` (ranked ballots: k + 1) a choice of ``p`` points stores rank
    ``rank_base - p``."""
    proposal_ids = [p.pk for p in proposals]
    project_index = votes.project_index.tolist()
    points = votes.points.tolist()
    rows = list(_rows(votes))
    random.Random(salt).shuffle(rows)  # noqa: S311 (an order, not a secret)
    ballots: list[Ballot] = []
    choices: list[BallotChoice] = []
    for n, (start, end) in enumerate(rows):
        ballot = Ballot(
            id=uuid.uuid4(),
            voter_key=hashlib.sha256(f"import:{scope.pk}:{n}".encode()).hexdigest(),
            scope=scope,
        )
        ballots.append(ballot)
        choices.extend(
            BallotChoice(
                ballot=ballot,
                proposal_id=proposal_ids[project_index[j]],
                points=rank_base - points[j] if rank_base else points[j],
            )
            for j in range(start, end)
            if points[j] > 0
        )
        if len(ballots) >= _BATCH:
            Ballot.objects.bulk_create(ballots)
            BallotChoice.objects.bulk_create(choices)
            ballots, choices = [], []
    Ballot.objects.bulk_create(ballots)
    BallotChoice.objects.bulk_create(choices)


# --- the demo city's past cycle, counted and published ----------------------------------------
PAST_SLUG = "incheon-2026"
# (district slug or "" for the city-wide ballot, budget, ballots cast, projects: (title, summary,
# cost, popularity)). Titles in Korean, summaries in Korean and English (demo data).
PAST_BALLOTS = [
    (
        "",
        2_000_000_000,
        420,
        [
            (
                "인천대공원 무장애 숲길 조성",
                "휠체어·유모차도 다닐 수 있는 숲길 / A barrier-free forest path",
                650_000_000,
                9,
            ),
            (
                "섬 지역 응급 닥터헬기 착륙장 정비",
                "옹진군 섬마을 헬기장 보수 / Helipads for island emergencies",
                480_000_000,
                7,
            ),
            (
                "심야 공공 자전거 확대",
                "자정까지 공공자전거 운영 / Night-time public bikes",
                320_000_000,
                8,
            ),
            (
                "해안 쓰레기 수거 로봇 시범사업",
                "해변 쓰레기 자동 수거 / Beach-cleaning robots pilot",
                700_000_000,
                4,
            ),
            (
                "청년 창업 공유오피스",
                "원도심 빈 건물 활용 / Shared offices for young founders",
                550_000_000,
                6,
            ),
            (
                "어르신 디지털 배움터",
                "스마트폰·키오스크 교육 / Digital classes for seniors",
                180_000_000,
                7,
            ),
            (
                "도시 숲 그늘막 100곳",
                "폭염 대비 그늘막 / 100 shade canopies for heatwaves",
                240_000_000,
                5,
            ),
        ],
    ),
    (
        "bupyeong-gu",
        550_000_000,
        260,
        [
            (
                "굴포천 산책로 야간 조명",
                "안전한 밤길 / Lights on the Gulpocheon walk",
                180_000_000,
                8,
            ),
            (
                "부평시장 공영 주차 안내 시스템",
                "빈자리 안내판 / Parking guidance for the market",
                210_000_000,
                5,
            ),
            (
                "어린이 놀이터 그늘 쉼터",
                "놀이터 햇빛 가리개 / Shade for playgrounds",
                90_000_000,
                7,
            ),
            (
                "동네 도서관 주말 연장 운영",
                "주말 저녁까지 / Longer weekend library hours",
                60_000_000,
                6,
            ),
            ("반려견 놀이터 조성", "근린공원 내 / A dog park", 150_000_000, 4),
        ],
    ),
    (
        "yeonsu-gu",
        450_000_000,
        190,
        [
            ("송도 수변공원 카약 체험장", "주말 체험 프로그램 / Weekend kayaking", 200_000_000, 4),
            (
                "청학동 골목 보행 안전 정비",
                "보도 확장·과속방지턱 / Safer alleys for walking",
                160_000_000,
                8,
            ),
            (
                "다문화 가족 소통방",
                "통역·상담 지원 / A meeting room for multicultural families",
                70_000_000,
                6,
            ),
            (
                "학교 앞 스마트 횡단보도",
                "보행 신호 알림 / Smart crossings near schools",
                130_000_000,
                7,
            ),
        ],
    ),
]


def _past_cycle_dates() -> dict:
    end = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=300)
    return {
        "proposals_start_at": end - timedelta(days=120),
        "proposals_end_at": end - timedelta(days=60),
        "voting_start_at": end - timedelta(days=14),
        "voting_end_at": end,
        "results_expected_at": end + timedelta(days=7),
    }


def _random_ballots(rng: random.Random, proposals: list[Proposal], popularity, count: int):
    ballots = []
    for _n in range(count):
        size = rng.randint(1, min(5, len(proposals)))
        chosen: set[int] = set()
        while len(chosen) < size:
            chosen.add(rng.choices(range(len(proposals)), weights=popularity)[0])
        ballots.append([proposals[i] for i in sorted(chosen)])
    return ballots


@transaction.atomic
def seed_demo_results(*, districts: dict, areas: list[PolicyArea], admin: User) -> BudgetCycle:
    """The 2026 cycle of the demo city: voted, counted by the real services, and published.

    Idempotent: an existing cycle is returned as it is.
    """

    cycle = BudgetCycle.objects.filter(slug=PAST_SLUG).first()
    if cycle is not None:
        return cycle
    cycle = BudgetCycle.objects.create(
        slug=PAST_SLUG,
        year=2026,
        name_ko="2026년 인천 주민참여예산",
        name_en="Incheon Participatory Budget 2026",
        description_ko="지난해 주민참여예산: 투표가 끝나 결과가 공개되었습니다.",
        description_en="Last year's participatory budget: voting is over and the results are out.",
        ballot_rule=BudgetCycle.BallotRule.APPROVAL,
        approval_max_choices=5,
        tally_rule=BudgetCycle.TallyRule.EQUAL_SHARES,
        **_past_cycle_dates(),
    )
    cycle.policy_areas.set(areas)
    rng = random.Random(2026)  # noqa: S311 (demo data)
    now = timezone.now()
    for district_slug, budget, ballot_count, projects in PAST_BALLOTS:
        scope = BallotScope.objects.create(
            cycle=cycle,
            district=districts[district_slug] if district_slug else None,
            budget_won=budget,
        )
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
                submitted_at=now - timedelta(days=400),
            )
            for n, (title, summary, cost, _popularity) in enumerate(projects)
        ]
        ballots = _random_ballots(rng, proposals, [p[3] for p in projects], ballot_count)
        _store_demo_ballots(scope=scope, ballots=ballots)
    while PHASE_ORDER.index(Phase(cycle.phase)) < PHASE_ORDER.index(Phase.TALLYING):
        step = cast("Phase", next_phase(cycle.phase))  # before TALLYING: not the last
        advance_phase(cycle=cycle, to=step, by_schedule=True)
    for scope in cycle.scopes.all():
        tally_scope(scope_id=scope.pk)
    publish_results(cycle_id=cycle.pk, actor=admin)
    cycle.refresh_from_db()
    return cycle


def _store_demo_ballots(*, scope: BallotScope, ballots) -> None:
    rows = []
    choices: list[BallotChoice] = []
    for n, chosen in enumerate(ballots):
        ballot = Ballot(
            id=uuid.uuid4(),
            voter_key=hashlib.sha256(f"demo:{scope.pk}:{n}".encode()).hexdigest(),
            scope=scope,
        )
        rows.append(ballot)
        choices.extend(BallotChoice(ballot=ballot, proposal=p) for p in chosen)
    Ballot.objects.bulk_create(rows)
    BallotChoice.objects.bulk_create(choices)
