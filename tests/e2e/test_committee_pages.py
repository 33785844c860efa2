"""Every page the committee adds, in Chromium on a phone in Korean and a desktop in English:
axe-core finds no serious or critical violation, and no JavaScript or CSP error happens.

The people involved act through the pages: a resident applies, studies a session and opens
their certificate; a member declares an interest; the chair records a recommendation and a
member steps aside; staff set up, close and draw a recruitment and record attendance.
"""

import random

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from budgeting.models import SubcommitteeMember
from budgeting.phases import Phase
from committee.models import Course
from committee.models import CourseSession
from committee.models import Enrolment
from committee.models import Meeting
from committee.models import Recruitment
from committee.services import apply_to_committee
from committee.services import assign_seat
from committee.services import close_applications
from committee.services import open_recruitment
from committee.services import parse_quota_lines
from committee.services import run_draw
from committee.services import save_meeting
from committee.services import save_recruitment
from committee.services import save_subcommittee
from proposals.models import CoAuthorInvitation
from proposals.models import Recusal
from proposals.models import SubcommitteeRecommendation
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.e2e.browser import Device
from tests.e2e.browser import Journey
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.proposals.review.review_factories import FeasibilityReviewFactory

DEVICES = [
    pytest.param(Device("mobile", 390, 844, "ko"), id="phone-ko"),
    pytest.param(Device("desktop", 1280, 900, "en"), id="desktop-en"),
]


def drawn_cycle(district, other, area, staff):
    """A cycle in review whose committee was drawn, works in 분과 and met once."""
    cycle = BudgetCycleFactory(name_ko="2027년 주민참여예산", name_en="Participatory budget 2027")
    cycle.policy_areas.add(area)
    scope = BallotScopeFactory(cycle=cycle, district=district)
    recruitment = save_recruitment(
        cycle=cycle,
        seats=6,
        reserves=3,
        min_age=19,
        require_verified=False,
        school_rule=Recruitment.SchoolRule.NONE,
        custom_attribute="",
        quotas=parse_quota_lines("gender,woman,3,3\ngender,man,3,3", seats=6),
    )
    open_recruitment(recruitment=recruitment)
    rng = random.Random(3)
    for n in range(16):
        user = ResidentProfileFactory(district=rng.choice([district, other])).user
        apply_to_committee(
            recruitment=recruitment,
            user=user,
            gender=["woman", "man"][n % 2],
            custom_answer=False,
            name_is_public=n % 2 == 0,
        )
    close_applications(recruitment=recruitment)
    members = [m.user for m in run_draw(recruitment=recruitment).members]
    sub = save_subcommittee(
        cycle=cycle, name_ko="환경분과", name_en="Environment", policy_areas=[area]
    )
    for user in members[1:]:
        assign_seat(subcommittee=sub, user=user, role=SubcommitteeMember.Role.MEMBER)
    assign_seat(subcommittee=sub, user=members[0], role=SubcommitteeMember.Role.CHAIR)
    meeting = save_meeting(
        cycle=cycle,
        title="제1차 전체회의",
        held_at=cycle.proposals_start_at,
        place="시청",
        minutes="## 안건\n\n1. 분과 구성\n\n| 안건 | 결과 |\n|---|---|\n| 분과 | 의결 |",
        attendees=run_members(cycle),
    )
    course = Course.objects.create(cycle=cycle, title="예산학교", is_published=True)
    online = CourseSession.objects.create(
        course=course, order=1, title="예산의 기초", kind="online", duration_minutes=30,
        material="## 예산이란\n\n시의 살림살이 계획입니다.",
    )  # fmt: skip
    in_person = CourseSession.objects.create(
        course=course, order=2, title="심사 실습", kind="in_person", duration_minutes=60
    )
    proposal = ProposalFactory(scope=scope, cycle=cycle, policy_area=area, title="하천 정화")
    cycle_in_phase(cycle, Phase.REVIEW)
    FeasibilityReviewFactory(proposal=proposal, reviewer=members[1])
    return {
        "cycle": cycle,
        "members": members,
        "meeting": meeting,
        "course": course,
        "online": online,
        "in_person": in_person,
        "proposal": proposal,
    }


def run_members(cycle):
    return list(cycle.council_memberships.filter(status="member"))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", DEVICES)
def test_committee_pages_pass_axe(live_server, new_context, device):
    journey = Journey(new_context, live_server.url, device)
    district = DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")
    other = DistrictFactory(slug="yeonsu-gu", name_ko="연수구", name_en="Yeonsu-gu")
    area = PolicyAreaFactory(slug="environment", name_ko="환경", name_en="Environment")
    staff = ResidentProfileFactory(district=district, display_name="예산과").user
    staff.is_staff = staff.is_superuser = True
    staff.save()
    staff_secret = activate_totp(staff)
    world = drawn_cycle(district, other, area, staff)
    chair = world["members"][0]
    chair_secret = activate_totp(chair)
    member = world["members"][1]
    member_secret = activate_totp(member)
    open_cycle = cycle_in_phase(
        BudgetCycleFactory(name_ko="2028년 주민참여예산", name_en="Participatory budget 2028"),
        Phase.PROPOSALS,
    )
    resident = ResidentProfileFactory(district=district, display_name="이주민").user
    proposal_of_resident = ProposalFactory(
        scope=BallotScopeFactory(cycle=open_cycle, district=district), cycle=open_cycle,
        policy_area=area, author=resident, title="골목 벤치",
    )  # fmt: skip

    # --- public pages ---------------------------------------------------------------------------
    visitor = journey.open()
    journey.go(visitor, reverse("committee:public", kwargs={"slug": world["cycle"].slug}))
    expect(visitor.locator("main")).to_contain_text(world["cycle"].recruitment.seed)
    journey.go(visitor, world["meeting"].get_absolute_url())
    expect(visitor.locator("main table")).to_be_visible()
    journey.go(visitor, world["course"].get_absolute_url())

    # --- staff: set up, open, close and draw a recruitment; attendance ---------------------------
    office = journey.open()
    journey.log_in(office, staff.email, totp_secret=staff_secret)
    console = reverse("committee:staff-console", kwargs={"slug": open_cycle.slug})
    journey.go(office, console)
    office.fill("#id_seats", "2")
    office.fill("#id_reserves", "1")
    office.fill("#id_quotas", "gender,woman,1,1\ngender,man,1,1")
    office.locator("form:has(input[value='save']) button[type='submit']").click()
    journey.check(office)
    office.locator("form:has(input[value='open']) button[type='submit']").click()
    journey.check(office)

    # --- a resident applies, studies, and sees their certificate ---------------------------------
    person = journey.open()
    journey.log_in(person, resident.email)
    journey.go(person, reverse("committee:apply", kwargs={"slug": open_cycle.slug}))
    person.locator("input[name='gender'][value='woman']").check()
    person.locator("main form button[type='submit']").click()
    journey.check(person)
    assert open_cycle.recruitment.applications.filter(user=resident).exists()
    journey.go(person, world["course"].get_absolute_url())
    person.locator(
        f"form[action='{reverse('committee:enrol', kwargs={'pk': world['course'].pk})}'] button"
    ).click()
    journey.check(person)
    person.fill(f"#minutes-{world['online'].pk}", "35")
    person.locator(
        f"form[action='{reverse('committee:studied', kwargs={'pk': world['online'].pk})}'] button"
    ).click()
    journey.check(person)
    journey.go(office, reverse("committee:staff-attendance", kwargs={"pk": world["in_person"].pk}))
    office.fill("#id_email", resident.email)
    office.locator("form:not([enctype]) button[type='submit']").last.click()
    journey.check(office)
    enrolment = Enrolment.objects.get(user=resident, course=world["course"])
    assert enrolment.completed_at is not None
    journey.go(
        person, reverse("committee:certificate", kwargs={"code": enrolment.certificate_code})
    )
    journey.go(person, reverse("proposals:co-authors", kwargs={"pk": proposal_of_resident.pk}))
    person.fill("#id_email", staff.email)
    person.locator("main form button[type='submit']").click()
    journey.check(person)
    assert CoAuthorInvitation.objects.filter(proposal=proposal_of_resident).exists()
    journey.go(office, reverse("proposals:invitations"))

    # --- staff close and draw -------------------------------------------------------------------
    journey.go(office, console)
    office.locator("form:has(input[value='close']) button[type='submit']").click()
    journey.check(office)
    journey.go(office, reverse("committee:staff-console", kwargs={"slug": world["cycle"].slug}))
    journey.go(office, reverse("committee:staff-school", kwargs={"slug": world["cycle"].slug}))
    meeting_url = reverse("committee:staff-meeting-new", kwargs={"slug": world["cycle"].slug})
    journey.go(office, meeting_url)
    office.fill("#id_title", "제2차 전체회의")
    office.fill("#id_held_at", "2027-03-02T14:00")
    office.fill("#id_minutes", "## 결과\n\n**의결**")
    office.locator("main form button[type='submit']").click()
    expect(office.locator("main strong")).to_have_text("의결")
    journey.check(office)

    # --- members: interests, step aside, the chair's recommendation -------------------------------
    desk = journey.open()
    journey.log_in(desk, member.email, totp_secret=member_secret)
    journey.go(desk, reverse("committee:interests", kwargs={"slug": world["cycle"].slug}))
    desk.select_option("#id_kind", "organisation")
    desk.fill("#id_organisation", "부평환경연합")
    desk.locator("main form:not(:has(input[value='leave'])) button[type='submit']").click()
    journey.check(desk)
    journey.go(desk, reverse("proposals:review-proposal", kwargs={"pk": world["proposal"].pk}))
    journey.go(desk, reverse("proposals:review-step-aside", kwargs={"pk": world["proposal"].pk}))
    desk.fill("#id_reason", "가족이 관련 단체에서 일합니다")
    desk.locator("main form button[type='submit']").click()
    journey.check(desk)
    assert Recusal.objects.filter(member=member).exists()

    head = journey.open()
    journey.log_in(head, chair.email, totp_secret=chair_secret)
    journey.go(head, reverse("proposals:review-recommend", kwargs={"pk": world["proposal"].pk}))
    head.locator("input[name='recommendation'][value='on_ballot']").check()
    head.fill("#id_reason", "환경분과는 하천 정화를 권고합니다")
    head.locator("main form button[type='submit']").click()
    journey.check(head)
    assert SubcommitteeRecommendation.objects.filter(proposal=world["proposal"]).exists()

    # --- a member leaves the committee by themselves ----------------------------------------------
    journey.go(desk, reverse("committee:interests", kwargs={"slug": world["cycle"].slug}))
    desk.fill("#id_reason", "개인 사정")
    desk.check("#id_confirm")
    desk.locator("main form:has(input[value='leave']) button[type='submit']").click()
    expect(desk.locator("main")).to_contain_text("개인 사정")  # the committee page lists it
    journey.check(desk)
    assert member.council_memberships.get(cycle=world["cycle"]).status == "left"

    assert Meeting.objects.count() == 2
    assert not journey.js_errors, journey.js_errors
    assert not journey.violations, "\n".join(journey.violations)
