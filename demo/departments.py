# ruff: noqa: E501 (demo texts in Korean are data; wrapping them would hurt reading)
"""Demo of the city departments (issue #11) in the autumn round (``incheon-2026-review``).

Departments owning the policy areas and the mayor's office; a demo official of the transport
department (``official@demo.chamyeo.kr``, with an authenticator like the other staff); the
council's earlier feasibility reviews carried over as department reviews; the proposals still
waiting routed to their departments: one reviewed with changes after an external consultation
(인천연구원), one sent to two departments, one on time and one overdue. The ladder of the round
(5 / 10 / 20 supporters: the demo city is small) with proposals at each step: an answer given,
an answer overdue, an open forum with an expert statement, a closed forum, and the mayor's
office's answer still due. Idempotent: a second run adds nothing.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea
from demo.city import DEMO_TOTP_SECRETS
from demo.review import REVIEW_SLUG
from departments.models import Department
from departments.models import DepartmentOfficial
from departments.models import DepartmentReview
from departments.models import Escalation
from departments.models import EscalationStep
from departments.models import ForumPost
from departments.services import answer_escalation
from departments.services import close_forum
from departments.services import post_to_forum
from departments.services import reach_escalation_steps
from departments.services import record_department_review
from departments.services import reroute_proposal
from departments.services import route_proposal
from proposals.models import Endorsement
from proposals.models import FeasibilityReview
from proposals.models import Proposal

OFFICIAL_EMAIL = "official@demo.chamyeo.kr"
ADMIN_EMAIL = "admin@demo.chamyeo.kr"

# slug, Korean, English, policy areas owned
DEPARTMENTS = [
    ("transport-policy", "교통정책과", "Transport Policy Division", ["transport"]),
    ("welfare-policy", "복지정책과", "Welfare Policy Division", ["social-welfare"]),
    ("health-policy", "건강체육과", "Health and Sports Division", ["health"]),
    ("environment", "환경기후정책과", "Environment and Climate Division", ["environment-climate"]),
    ("culture-arts", "문화예술과", "Culture and Arts Division", ["culture"]),
    ("urban-facilities", "도시시설과", "Urban Facilities Division", ["public-works", "housing"]),
    ("smart-city", "스마트도시과", "Smart City Division", ["digital-governance"]),
    ("mayor", "시장실", "Mayor's Office", []),
]

BUS = "시내버스 정류장 실시간 도착 안내 확대"
FAMILY = "발달장애인 가족 쉼 프로그램"
EXERCISE = "Outdoor exercise corner in Cheongna"
LED = "부평구청역 횡단보도 LED 바닥 신호등"


def _official(department: Department, password: str) -> User:
    user = User.objects.filter(email=OFFICIAL_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=OFFICIAL_EMAIL, password=password)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        ResidentProfile.objects.create(
            user=user,
            display_name="교통정책과 주무관",
            district=District.objects.get(slug="namdong-gu"),
            birth_year=1985,
            relation="works",
            verified_at=timezone.now(),
        )
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRETS[OFFICIAL_EMAIL])
    DepartmentOfficial.objects.get_or_create(user=user, department=department)
    return user


def _carry_over_council_reviews(cycle: BudgetCycle) -> None:
    """The council's feasibility reviews become department reviews (as the data migration)."""
    for old in FeasibilityReview.objects.filter(proposal__cycle=cycle).select_related("proposal"):
        department = Department.objects.filter(policy_areas=old.proposal.policy_area_id).first()
        DepartmentReview.objects.get_or_create(
            feasibility_review=old,
            defaults={
                "proposal": old.proposal,
                "department": department,
                "status": DepartmentReview.Status.SUBMITTED,
                "official": old.reviewer,
                "verdict": old.verdict,
                "reason_codes": old.reason_codes,
                "legal_basis": old.legal_notes,
                "notes": old.technical_notes,
                "reviewed_cost_won": old.reviewed_cost_won,
                "submitted_at": old.updated_at,
            },
        )


def _endorse(proposal: Proposal, count: int) -> None:
    people = User.objects.filter(email__startswith="demo.").exclude(pk=proposal.author_id)
    for user in people.order_by("-email")[:count]:
        Endorsement.objects.get_or_create(proposal=proposal, user=user)


@transaction.atomic
def seed_demo_departments(*, password: str) -> None:
    cycle = BudgetCycle.objects.filter(slug=REVIEW_SLUG).first()
    if cycle is None or Department.objects.filter(slug="transport-policy").exists():
        return
    admin = User.objects.get(email=ADMIN_EMAIL)
    departments = {}
    for slug, name_ko, name_en, areas in DEPARTMENTS:
        department = Department.objects.create(
            slug=slug, name_ko=name_ko, name_en=name_en, email=f"{slug}@city.demo.chamyeo.kr"
        )
        department.policy_areas.set(PolicyArea.objects.filter(slug__in=areas))
        departments[slug] = department
    official = _official(departments["transport-policy"], password)

    _carry_over_council_reviews(cycle)
    led = Proposal.objects.get(cycle=cycle, title=LED)
    DepartmentReview.objects.filter(proposal=led).update(
        consulted="인천연구원",
        consultation_summary="바닥 신호등은 보행 사고를 줄이는 효과가 확인되었으나, 겨울철 결빙 구간에는 발열 기능이 필요하다는 의견.",
    )

    now = timezone.now()
    proposals = {p.title: p for p in Proposal.objects.filter(cycle=cycle)}
    for title in (BUS, FAMILY, EXERCISE):
        route_proposal(proposal=proposals[title])
    # two departments: the arrival boards are also a smart-city system
    reroute_proposal(
        proposal=proposals[BUS],
        staff=admin,
        departments=[departments["transport-policy"], departments["smart-city"]],
        reason="도착 안내기는 스마트도시 통합플랫폼과 연동되어야 하므로 스마트도시과도 함께 검토합니다.",
    )
    bus_review = DepartmentReview.objects.get(
        proposal=proposals[BUS], department=departments["transport-policy"]
    )
    record_department_review(
        review=bus_review,
        official=official,
        verdict=DepartmentReview.Verdict.NEEDS_CHANGES,
        legal_basis="도로법 제61조(도로의 점용 허가) 대상: 구청 협의 필요.",
        notes="정류장 100곳 중 전원 공급이 가능한 60곳부터 설치하는 것으로 조정합니다.",
        overlap_programme="2025 스마트 버스정류장 시범사업(20곳)",
        reviewed_cost_won=600_000_000,
        cost_breakdown=[
            ["안내기 60대", 480_000_000],
            ["설치·전기 공사", 90_000_000],
            ["2년 유지관리", 30_000_000],
        ],
        duration_months=8,
        consulted="인천연구원 도시교통연구실",
        consultation_summary="이용객 상위 60곳 우선 설치 시 효과의 80%를 얻을 수 있다는 자문.",
    )
    # one review overdue (the reminder goes out with the next beat run)
    DepartmentReview.objects.filter(proposal=proposals[EXERCISE]).update(
        due_at=now - timedelta(days=3)
    )

    # The round's ladder (published before proposals opened; the demo city is small).
    for threshold, action, office, days in (
        (5, EscalationStep.Action.DEPARTMENT_ANSWER, None, 14),
        (10, EscalationStep.Action.FORUM, None, 14),
        (20, EscalationStep.Action.OFFICE_ANSWER, departments["mayor"], 30),
    ):
        EscalationStep.objects.get_or_create(
            cycle=cycle,
            threshold=threshold,
            defaults={"action": action, "office": office, "days": days},
        )
    _endorse(proposals[EXERCISE], 6)  # the first step only
    reach_escalation_steps()
    bus_answer = Escalation.objects.get(proposal=proposals[BUS], step__threshold=5)
    answer_escalation(
        escalation=bus_answer,
        official=official,
        answer="지지해 주셔서 감사합니다. 부서 검토 결과 전원 공급이 가능한 정류장 60곳부터 설치하는 안으로 조정해 위원회에 올렸습니다.",
    )
    # an answer the transport department has not given in time (shown as overdue)
    family_answer = Escalation.objects.get(proposal=proposals[FAMILY], step__threshold=5)
    Escalation.objects.filter(pk=family_answer.pk).update(
        reached_at=now - timedelta(days=18), due_at=now - timedelta(days=4)
    )
    # the bus proposal's forum is open, with a moderator and an expert statement
    forum = Escalation.objects.get(proposal=proposals[BUS], step__threshold=10)
    Escalation.objects.filter(pk=forum.pk).update(moderator=admin)
    forum.refresh_from_db()
    resident = User.objects.get(email="resident@demo.chamyeo.kr")
    post_to_forum(
        escalation=forum,
        author=resident,
        body="밤늦게 버스를 기다릴 때 도착 시간을 알 수 있으면 좋겠습니다.",
    )
    post_to_forum(
        escalation=forum,
        author=admin,
        body="정류장 이용객 자료를 보면 상위 60곳이 전체 승차의 70%를 차지합니다.",
        expert_name="이교통 (인천연구원 연구위원)",
    )
    # the family programme's forum has closed, with its summary
    closed = Escalation.objects.get(proposal=proposals[FAMILY], step__threshold=10)
    Escalation.objects.filter(pk=closed.pk).update(moderator=admin)
    closed.refresh_from_db()
    ForumPost.objects.create(
        escalation=closed, author=resident, body="주말 돌봄이 가장 절실합니다."
    )
    close_forum(
        escalation=closed,
        moderator=admin,
        summary="참여자 다수가 주말 돌봄 확대를 우선으로 꼽았습니다. 가족 캠프는 연 2회로 줄이자는 의견이 있었습니다.",
    )
