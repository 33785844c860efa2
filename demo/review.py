# ruff: noqa: E501 (demo texts in Korean are data; wrapping them would hurt reading)
"""Demo of the council review: a published rubric and a second cycle in its review phase.

The current demo cycle is still taking proposals, so ``seed_demo_review(cycle)`` creates the
cycle ``incheon-2026-review`` (the autumn round) already in review, with proposals that were
reviewed, decided, merged, found infeasible, and some still waiting for the council, so the
demo council account has work to do and the public funnel has something to show. It goes
through the review services (audit events, e-mails) and is idempotent: a second run adds nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from django.db import transaction
from django.utils import timezone

from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.phases import PHASE_ORDER
from budgeting.phases import Phase
from budgeting.phases import next_phase
from budgeting.services.cycles import advance_phase
from budgeting.services.cycles import appoint_council_member
from proposals.models import Endorsement
from proposals.models import Proposal
from proposals.models import RubricCriterion
from proposals.review.services import merge_proposals
from proposals.review.services import record_council_decision
from proposals.review.services import record_feasibility_review
from proposals.review.services import score_proposal

REVIEW_SLUG = "incheon-2026-review"
COUNCIL_EMAIL = "council@demo.chamyeo.kr"

# (Korean name, English name, Korean description, English description, most points)
RUBRIC = [
    (
        "공익성",
        "Public benefit",
        "많은 주민, 특히 도움이 필요한 주민에게 이익이 되는가",
        "Does it serve many residents, especially those in need?",
        5,
    ),
    (
        "시급성",
        "Urgency",
        "지금 해결하지 않으면 문제가 커지는가",
        "Does the problem get worse if it waits?",
        5,
    ),
    (
        "실현 가능성",
        "Feasibility",
        "예산과 기간 안에 실행할 수 있는가",
        "Can it be done within the budget and the year?",
        5,
    ),
    (
        "지속 가능성",
        "Sustainability",
        "유지관리 비용과 환경 영향이 감당할 만한가",
        "Are upkeep costs and environmental effects reasonable?",
        5,
    ),
]

# Other council members of the autumn round (demo residents; they cannot log in).
OTHER_MEMBERS = [
    ("demo.council.transport@demo.chamyeo.kr", "정교통", "namdong-gu", "transport"),
    ("demo.council.welfare@demo.chamyeo.kr", "한복지", "seo-gu", "social-welfare"),
]
AUTHORS = [
    ("demo.autumn.author1@demo.chamyeo.kr", "오가을", "bupyeong-gu"),
    ("demo.autumn.author2@demo.chamyeo.kr", "서단풍", "yeonsu-gu"),
    ("demo.autumn.author3@demo.chamyeo.kr", "윤은행", "namdong-gu"),
    ("demo.autumn.author4@demo.chamyeo.kr", "Grace Lee", "seo-gu"),
]


@dataclass(frozen=True)
class Item:
    district: str | None
    area: str
    title: str
    summary: str
    description: str
    cost: int
    author: int
    outcome: str  # on_ballot / rejected / infeasible / merged:<survivor title> / waiting
    reviewed_cost: int | None = None
    reasons: tuple[str, ...] = ()
    notes: str = ""
    public_reason: str = ""
    endorsements: int = 0


ITEMS = [
    Item(
        "bupyeong-gu",
        "transport",
        "부평구청역 횡단보도 LED 바닥 신호등",
        "스마트폰을 보며 걷는 보행자를 위해 바닥 신호등을 설치합니다.",
        "부평구청역 주변 횡단보도 네 곳에 LED 바닥 신호등을 설치합니다.",
        60_000_000,
        0,
        "on_ballot",
        64_000_000,
        notes="도로교통공단 기준 제품으로 단가 재산정.",
        public_reason="보행 사고가 잦은 곳이며 경찰서와 협의가 끝났습니다. 설치비가 조금 늘어 6,400만 원으로 검토했습니다.",
    ),
    Item(
        "bupyeong-gu",
        "transport",
        "부평구청역 스마트 횡단보도",
        "바닥 신호등과 음성 안내로 안전한 횡단보도를 만듭니다.",
        "구청역 앞 횡단보도에 바닥 신호등과 음성 안내기를 설치합니다.",
        55_000_000,
        1,
        "merged:부평구청역 횡단보도 LED 바닥 신호등",
    ),
    Item(
        "yeonsu-gu",
        "social-welfare",
        "송도 어르신 디지털 배움터",
        "키오스크와 모바일 뱅킹을 배우는 어르신 교실을 엽니다.",
        "복지관 두 곳에서 주 2회 어르신 디지털 교육을 운영하고 실습용 태블릿을 갖춥니다.",
        40_000_000,
        1,
        "on_ballot",
        38_000_000,
        notes="강사비 단가 조정.",
        public_reason="디지털 소외 해소라는 시 정책과 맞고, 복지관이 운영을 맡기로 했습니다.",
    ),
    Item(
        "namdong-gu",
        "environment-climate",
        "소래습지 탐방로 데크 교체",
        "낡은 탐방로 데크를 재활용 목재로 바꿉니다.",
        "소래습지생태공원 탐방로 300m의 데크를 교체합니다.",
        150_000_000,
        2,
        "infeasible",
        None,
        ("already_planned",),
        "2026년 시 본예산에 같은 구간 교체가 이미 반영되어 있음.",
        "",
    ),
    Item(
        "namdong-gu",
        "culture",
        "구월동 주말 거리 공연 지원",
        "주말마다 로데오거리에서 주민 동아리 공연을 지원합니다.",
        "음향 장비를 대여하고 공연 동아리에 소정의 활동비를 지원합니다.",
        30_000_000,
        2,
        "rejected",
        30_000_000,
        notes="",
        public_reason="같은 내용의 구 자체 사업이 올해 시작되어, 주민참여예산으로 중복 지원하지 않기로 했습니다.",
    ),
    Item(
        "seo-gu",
        "public-works",
        "청라 호수공원 사유지 진입로 포장",
        "공원 옆 사유지 진입로를 포장합니다.",
        "청라 호수공원과 이어진 사유지 진입로 200m를 포장합니다.",
        90_000_000,
        3,
        "infeasible",
        None,
        ("private_benefit", "legal"),
        "사유지라 공공 예산 집행 불가(지방재정법).",
        "",
    ),
    Item(
        "seo-gu",
        "health",
        "Outdoor exercise corner in Cheongna",
        "Simple outdoor gym equipment for all ages near the lake park.",
        "Install eight pieces of outdoor fitness equipment with instructions in Korean and English.",
        35_000_000,
        3,
        "waiting",
    ),
    Item(
        None,
        "transport",
        "시내버스 정류장 실시간 도착 안내 확대",
        "안내기가 없는 정류장 100곳에 도착 안내기를 답니다.",
        "이용객이 많은데 안내기가 없는 정류장 100곳을 골라 태양광 도착 안내기를 설치합니다.",
        900_000_000,
        0,
        "waiting",
        endorsements=24,
    ),
    Item(
        None,
        "social-welfare",
        "발달장애인 가족 쉼 프로그램",
        "돌봄 가족이 쉴 수 있는 주말 프로그램을 운영합니다.",
        "발달장애인 가족에게 주말 돌봄과 가족 캠프를 제공합니다.",
        300_000_000,
        1,
        "waiting",
        endorsements=11,
    ),
]


def _person(email: str, name: str, district: District) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email)
        user.set_unusable_password()
        user.save()
    ResidentProfile.objects.get_or_create(
        user=user,
        defaults={
            "display_name": name,
            "district": district,
            "birth_year": 1978,
            "relation": ResidentProfile.Relation.LIVES,
            "verified_at": timezone.now(),
        },
    )
    return user


def seed_rubric(cycle: BudgetCycle) -> list[RubricCriterion]:
    """The published rubric of ``cycle`` (created once)."""
    criteria = []
    for order, (name_ko, name_en, desc_ko, desc_en, points) in enumerate(RUBRIC, start=1):
        criterion, _created = RubricCriterion.objects.get_or_create(
            cycle=cycle,
            name_ko=name_ko,
            defaults={
                "name_en": name_en,
                "description_ko": desc_ko,
                "description_en": desc_en,
                "max_points": points,
                "order": order,
            },
        )
        criteria.append(criterion)
    return criteria


def _create_review_cycle(current: BudgetCycle) -> BudgetCycle:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    cycle = BudgetCycle.objects.create(
        slug=REVIEW_SLUG,
        year=2026,
        name_ko="2026년 인천 주민참여예산 (하반기 추가 공모)",
        name_en="Incheon Participatory Budget 2026 (autumn round)",
        description_ko="하반기 추가 공모: 주민참여예산위원회가 제안을 심사하고 있습니다.",
        description_en="The autumn round: the residents' council is reviewing the proposals.",
        ballot_rule=BudgetCycle.BallotRule.APPROVAL,
        tally_rule=BudgetCycle.TallyRule.GREEDY,
        endorsement_threshold=20,
        proposals_start_at=now - timedelta(days=40),
        proposals_end_at=now - timedelta(days=10),
        voting_start_at=now + timedelta(days=20),
        voting_end_at=now + timedelta(days=34),
        results_expected_at=now + timedelta(days=41),
    )
    cycle.policy_areas.set(current.policy_areas.all())
    for scope in current.scopes.select_related("district"):
        BallotScope.objects.create(
            cycle=cycle,
            district=scope.district,
            budget_won=scope.budget_won // 5,
            per_project_cap_won=None,  # the whole (smaller) pot: no cap below it
        )
    return cycle


def _endorse(proposal: Proposal, count: int, when) -> None:
    """Endorsements from demo residents during the proposal phase (the phase is over now)."""
    people = (
        User.objects.filter(email__startswith="demo.")
        .exclude(pk=proposal.author_id)
        .exclude(council_memberships__cycle=proposal.cycle)  # the council does not endorse
    )
    for user in people.order_by("email")[:count]:
        Endorsement.objects.get_or_create(proposal=proposal, user=user)
    total = proposal.endorsements.count()
    threshold = proposal.cycle.endorsement_threshold
    if threshold and total >= threshold:
        record_audit_event(
            event_type=AuditEvent.Type.ENDORSEMENT_THRESHOLD_REACHED,
            is_public=True,
            cycle=proposal.cycle,
            subject=proposal,
            threshold=threshold,
            endorsements=total,
            created_at=when,
        )


def _submit(cycle, item: Item, author: User, when) -> Proposal:
    scopes = BallotScope.objects.filter(cycle=cycle)
    scope = (
        scopes.get(district__slug=item.district)
        if item.district
        else scopes.get(district__isnull=True)
    )
    proposal = Proposal.objects.create(
        cycle=cycle,
        scope=scope,
        policy_area=PolicyArea.objects.get(slug=item.area),
        author=author,
        title=item.title,
        summary=item.summary,
        description=item.description,
        cost_estimate_won=item.cost,
        status=Proposal.Status.SUBMITTED,
        submitted_at=when,
    )
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.PROPOSAL_SUBMITTED,
        subject=proposal,
        actor=author,
        is_public=True,
        title=proposal.title,
        cost_estimate_won=proposal.cost_estimate_won,
        scope=scope.name,
        created_at=when,
    )
    return proposal


@transaction.atomic
def seed_demo_review(cycle: BudgetCycle) -> BudgetCycle | None:
    """Publish a rubric for ``cycle`` and create the autumn-round cycle in review (once).

    Returns the review cycle, or None when the demo council account does not exist.
    """
    council = User.objects.filter(email=COUNCIL_EMAIL).first()
    if council is None:
        return None
    seed_rubric(cycle)
    existing = BudgetCycle.objects.filter(slug=REVIEW_SLUG).first()
    if existing is not None:
        return existing  # already seeded: a second run adds nothing

    review_cycle = _create_review_cycle(cycle)
    criteria = seed_rubric(review_cycle)
    districts = {d.slug: d for d in District.objects.all()}
    authors = [_person(email, name, districts[slug]) for email, name, slug in AUTHORS]
    appoint_council_member(cycle=review_cycle, user=council)
    members = [council]
    for email, name, slug, area in OTHER_MEMBERS:
        member = _person(email, name, districts[slug])
        appoint_council_member(
            cycle=review_cycle, user=member, policy_area=PolicyArea.objects.get(slug=area)
        )
        members.append(member)

    # Open the round, take the proposals, then move into review (each step audited).
    advance_phase(cycle=review_cycle, to=Phase.PROPOSALS, by_schedule=True)
    start = review_cycle.proposals_start_at
    proposals = {}
    for index, item in enumerate(ITEMS):
        when = start + timedelta(days=2 + index * 3)
        proposals[item.title] = _submit(review_cycle, item, authors[item.author], when)
        if item.endorsements:
            _endorse(proposals[item.title], item.endorsements, when + timedelta(days=5))
    while PHASE_ORDER.index(Phase(review_cycle.phase)) < PHASE_ORDER.index(Phase.REVIEW):
        step = cast("Phase", next_phase(review_cycle.phase))  # before REVIEW: not the last
        advance_phase(cycle=review_cycle, to=step, by_schedule=True)

    reviewer, scorer = members[1], members[2]
    for item in ITEMS:
        proposal = proposals[item.title]
        if item.outcome == "waiting":
            continue
        if item.outcome.startswith("merged:"):
            survivor = proposals[item.outcome.removeprefix("merged:")]
            merge_proposals(
                survivor=survivor,
                duplicates=[proposal],
                merged_by=reviewer,
                public_reason="같은 횡단보도에 대한 같은 목적의 제안이라 하나로 합쳐 심사합니다.",
            )
            continue
        infeasible = item.outcome == "infeasible"
        record_feasibility_review(
            proposal=proposal,
            reviewer=reviewer,
            verdict="infeasible" if infeasible else "feasible",
            reason_codes=list(item.reasons),
            legal_notes=item.notes if infeasible else "",
            technical_notes="" if infeasible else item.notes,
            reviewed_cost_won=item.reviewed_cost,
        )
        if infeasible:
            continue
        score_proposal(
            proposal=proposal,
            member=scorer,
            points={c.pk: 3 + (i + len(item.title)) % 3 for i, c in enumerate(criteria)},
        )
        record_council_decision(
            proposal=proposal,
            decided_by=reviewer,
            decision=item.outcome,
            public_reason=item.public_reason,
        )
    return review_cycle
