"""The demo committee (issue 10): the 2027 cycle's recruitment by lot with ~300 applicants and its
completed draw, a budget school with completions, three 분과 with chairs and an expert, a meeting
with minutes; and, on the approval-ballot sample cycle (a cycle has one recruitment), a
recruitment still open, so a visitor can apply. Everything goes through the committee's services
(so the audit log has every step); seeding twice adds nothing.
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.models import SubcommitteeMember
from committee.lottery import QuotaSpec
from committee.models import Course
from committee.models import CourseSession
from committee.models import Recruitment
from committee.services import apply_to_committee
from committee.services import assign_seat
from committee.services import close_applications
from committee.services import confirm_online_session
from committee.services import enrol
from committee.services import open_recruitment
from committee.services import record_attendance
from committee.services import run_draw
from committee.services import save_meeting
from committee.services import save_recruitment
from committee.services import save_subcommittee

APPLICANTS = 300
SEATS = 40
RESERVES = 20
DEMO_SEED = "chamyeo-demo-2027-committee-draw"
COUNCIL_EMAIL = "council@demo.chamyeo.kr"
EXPERT_EMAIL = "expert@demo.chamyeo.kr"
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = [
    "민준",
    "서연",
    "지호",
    "하은",
    "도윤",
    "수아",
    "예준",
    "지유",
    "시우",
    "서윤",
    "주원",
    "지민",
]

OPEN_RECRUITMENT_CYCLE = "demo-vote-approval"  # demo.voting's approval-ballot sample cycle
OPEN_APPLICANTS = 60
CUSTOM_ATTRIBUTE = "사회적 약자 계층에 해당합니다 (I belong to a socially vulnerable group)"

SUBCOMMITTEES = [
    ("복지·보건분과", "Welfare and health", ["social-welfare", "health", "housing"]),
    (
        "환경·교통분과",
        "Environment and transport",
        ["environment-climate", "transport", "public-works"],
    ),
    ("문화·경제분과", "Culture and economy", ["culture", "education", "economy-jobs", "tourism"]),
]

MINUTES = """## 제1차 전체회의

1. 위원장 선출: 분과별 위원장을 확인했습니다.
2. 예산학교 일정 안내: 온라인 강의 2개, 대면 강의 1개.
3. 이해관계 신고: 모든 위원은 첫 심사 전까지 이해관계를 신고합니다.

| 안건 | 결과 |
|---|---|
| 분과 구성 | 원안 의결 |
| 회의 공개 | 회의록 공개 |
"""


def seed_demo_committee(*, cycle: BudgetCycle, admin: User) -> Recruitment:
    existing = Recruitment.objects.filter(cycle=cycle).first()
    if existing is not None:
        return existing
    rng = random.Random(2027)  # noqa: S311 (demo data, not security)
    districts = list(District.objects.order_by("order"))
    applicants = _demo_residents(rng, districts)
    recruitment = save_recruitment(
        cycle=cycle,
        seats=SEATS,
        reserves=RESERVES,
        min_age=19,
        require_verified=False,
        school_rule=Recruitment.SchoolRule.AFTER_DRAW,
        custom_attribute=CUSTOM_ATTRIBUTE,
        quotas=[
            *(QuotaSpec("district", d.slug, 0, 6) for d in districts),
            QuotaSpec("gender", "woman", 20, 20),
            QuotaSpec("gender", "man", 20, 20),
            QuotaSpec("age_band", "19-39", 13, 14),
            QuotaSpec("age_band", "40-59", 13, 14),
            QuotaSpec("age_band", "60+", 13, 14),
            QuotaSpec("custom", "yes", 6, SEATS),  # 15 %: Seoul's vulnerable-groups share
        ],
        actor=admin,
    )
    open_recruitment(recruitment=recruitment, actor=admin)
    for user in applicants:
        apply_to_committee(
            recruitment=recruitment,
            user=user,
            gender=rng.choice(["woman", "man"]),
            custom_answer=rng.random() < 0.2,
            name_is_public=rng.random() < 0.4,
        )
    close_applications(recruitment=recruitment, seed=DEMO_SEED, actor=admin)
    report = run_draw(recruitment=recruitment, actor=admin)
    _seed_subcommittees(cycle, [m.user for m in report.members], admin)
    _seed_school(cycle, applicants, admin, rng)
    save_meeting(
        cycle=cycle,
        title="제1차 전체회의 (1st plenary meeting)",
        held_at=timezone.now() - timedelta(days=3),
        place="인천광역시청 대회의실",
        minutes=MINUTES,
        attendees=report.members[: SEATS - 4],
        actor=admin,
    )
    return recruitment


def seed_demo_open_recruitment(*, admin: User) -> Recruitment | None:
    """An open call on the approval-ballot sample cycle: 20 seats, 60 applicants so far; the
    demo residents can apply (no budget school required)."""
    cycle = BudgetCycle.objects.filter(slug=OPEN_RECRUITMENT_CYCLE).first()
    if cycle is None:
        return None
    existing = Recruitment.objects.filter(cycle=cycle).first()
    if existing is not None:
        return existing
    districts = list(District.objects.order_by("order"))
    recruitment = save_recruitment(
        cycle=cycle,
        seats=20,
        reserves=10,
        min_age=19,
        require_verified=False,
        school_rule=Recruitment.SchoolRule.NONE,
        custom_attribute=CUSTOM_ATTRIBUTE,
        quotas=[
            *(QuotaSpec("district", d.slug, 0, 4) for d in districts),
            QuotaSpec("gender", "woman", 10, 10),
            QuotaSpec("gender", "man", 10, 10),
            QuotaSpec("age_band", "19-39", 6, 7),
            QuotaSpec("age_band", "40-59", 6, 7),
            QuotaSpec("age_band", "60+", 6, 7),
            QuotaSpec("custom", "yes", 3, 20),
        ],
        applications_close_at=timezone.now() + timedelta(days=14),
        actor=admin,
    )
    open_recruitment(recruitment=recruitment, actor=admin)
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    applicants = User.objects.filter(
        email__startswith="applicant",
        email__endswith="@demo.chamyeo.kr",
        resident_profile__birth_year__lte=cycle.year - recruitment.min_age,
    ).select_related("resident_profile")
    for user in list(applicants.order_by("email"))[:OPEN_APPLICANTS]:
        apply_to_committee(
            recruitment=recruitment,
            user=user,
            gender=rng.choice(["woman", "man"]),
            custom_answer=rng.random() < 0.2,
            name_is_public=rng.random() < 0.4,
        )
    return recruitment


def _demo_residents(rng: random.Random, districts: list[District]) -> list[User]:
    """300 demo applicants (no password: they cannot log in) with resident profiles."""
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"applicant{n:03d}@demo.chamyeo.kr", password=password)
        for n in range(1, APPLICANTS + 1)
    )
    ResidentProfile.objects.bulk_create(
        ResidentProfile(
            user=user,
            display_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            district=rng.choice(districts),
            birth_year=2027 - rng.randint(19, 85),
            relation=ResidentProfile.Relation.LIVES,
        )
        for user in users
    )
    return list(
        User.objects.filter(pk__in=[u.pk for u in users]).select_related("resident_profile")
    )


def _seed_subcommittees(cycle: BudgetCycle, drawn: list[User], admin: User) -> None:
    subcommittees = []
    for name_ko, name_en, slugs in SUBCOMMITTEES:
        areas = list(PolicyArea.objects.filter(slug__in=slugs))
        subcommittees.append(
            save_subcommittee(
                cycle=cycle, name_ko=name_ko, name_en=name_en, policy_areas=areas, actor=admin
            )
        )
    council = User.objects.filter(email=COUNCIL_EMAIL).first()
    chairs = (
        [council]
        if council
        and CouncilMembership.objects.filter(
            cycle=cycle, user=council, status=CouncilMembership.Status.MEMBER
        ).exists()
        else []
    )
    chairs += drawn[: 3 - len(chairs)]
    for index, user in enumerate(drawn[3:] + [u for u in drawn[:3] if u not in chairs]):
        assign_seat(
            subcommittee=subcommittees[index % 3],
            user=user,
            role=SubcommitteeMember.Role.MEMBER,
            actor=admin,
        )
    for sub, chair in zip(subcommittees, chairs, strict=False):
        assign_seat(subcommittee=sub, user=chair, role=SubcommitteeMember.Role.CHAIR, actor=admin)
    expert = User.objects.filter(email=EXPERT_EMAIL).first()
    if expert is None:
        expert = User.objects.create_user(email=EXPERT_EMAIL, password=None)
        ResidentProfile.objects.create(
            user=expert,
            display_name="박연구 (인천연구원)",
            district=District.objects.order_by("order")[0],
            birth_year=1970,
            relation=ResidentProfile.Relation.WORKS,
        )
    assign_seat(
        subcommittee=subcommittees[1],
        user=expert,
        role=SubcommitteeMember.Role.EXPERT,
        affiliation="인천연구원 (Incheon Institute)",
        actor=admin,
    )


def _seed_school(
    cycle: BudgetCycle, applicants: list[User], admin: User, rng: random.Random
) -> None:
    course = Course.objects.create(
        cycle=cycle,
        title="2027 주민참여예산학교 (Budget school 2027)",
        description="예산의 기초, 인천시 재정, 제안 심사 방법을 배웁니다.",
        is_published=True,
    )
    online = [
        CourseSession.objects.create(
            course=course,
            order=1,
            title="예산의 기초 (Budget basics)",
            kind=CourseSession.Kind.ONLINE,
            material="## 예산이란\n\n시의 1년 살림살이 계획입니다.",
            duration_minutes=40,
        ),
        CourseSession.objects.create(
            course=course,
            order=2,
            title="인천시 재정 (Incheon's finances)",
            kind=CourseSession.Kind.ONLINE,
            material="## 세입과 세출\n\n세입은 시의 수입, 세출은 지출입니다.",
            duration_minutes=50,
        ),
    ]
    in_person = CourseSession.objects.create(
        course=course,
        order=3,
        title="제안 심사 실습 (Reviewing proposals, in person)",
        kind=CourseSession.Kind.IN_PERSON,
        starts_at=timezone.now() - timedelta(days=5),
        place="인천광역시청 중회의실",
        duration_minutes=120,
    )
    members = set(
        CouncilMembership.objects.filter(
            cycle=cycle, status=CouncilMembership.Status.MEMBER
        ).values_list("user_id", flat=True)
    )
    learners = [u for u in applicants if u.pk in members][:30] + rng.sample(applicants, 15)
    for user in dict.fromkeys(learners):
        enrolment = enrol(course=course, user=user)
        for session in online:
            confirm_online_session(
                enrolment=enrolment, session=session, minutes_studied=session.duration_minutes + 5
            )
        record_attendance(session=in_person, user=user, actor=admin)
