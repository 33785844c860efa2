"""Every committee action leaves exactly its audit event (public where the step is public) and a
refused action leaves none; the committee's e-mails go once each, in the recipient's language."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ResidentProfile
from budgeting.models import AuditEvent
from budgeting.models import CouncilMembership
from budgeting.models import DeclaredInterest
from committee.models import Application
from committee.models import Course
from committee.models import CourseSession
from committee.models import Meeting
from committee.models import Recruitment
from committee.services import CommitteeError
from committee.services import close_applications
from committee.services import confirm_online_session
from committee.services import declare_interest
from committee.services import enrol
from committee.services import open_recruitment
from committee.services import remove_members_without_school
from committee.services import replace_member
from committee.services import run_draw
from committee.services import save_meeting
from committee.services import save_recruitment
from departments.models import Department
from departments.models import DepartmentOfficial
from departments.services import record_department_review
from departments.services import route_proposal
from notifications.models import OutboxMessage
from notifications.services import send_pending_messages
from proposals.models import CoAuthorInvitation
from proposals.models import SubcommitteeRecommendation
from proposals.review.services import record_recommendation
from proposals.review.services import step_aside
from proposals.services import ProposalError
from proposals.services.coauthors import answer_invitation
from proposals.services.coauthors import invite_co_author
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory
from tests.accounts.factories import activate_totp
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db
T = AuditEvent.Type


def _mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _since(mark: int) -> list[tuple[str, bool]]:
    return list(
        AuditEvent.objects.filter(pk__gt=mark).order_by("pk").values_list("event_type", "is_public")
    )


def _set_language(user, language: str) -> None:
    profile = user.resident_profile
    profile.preferred_language = language
    profile.save(update_fields=["preferred_language"])


def _drawn(recruitment, staff_user):
    close_applications(recruitment=recruitment, actor=staff_user)
    run_draw(recruitment=recruitment, actor=staff_user)
    recruitment.refresh_from_db()
    return recruitment


# --- recruitment, seed, draw --------------------------------------------------------------------
def test_recruitment_steps_leave_their_public_events_and_the_seed_is_revealed_at_the_draw(
    recruitment, staff_user
):
    cycle = recruitment.cycle
    # the fixture saved and opened it
    assert list(
        AuditEvent.objects.filter(cycle=cycle).order_by("pk").values_list("event_type", flat=True)
    ) == [T.COMMITTEE_RECRUITMENT_SAVED, T.COMMITTEE_RECRUITMENT_OPENED]

    mark = _mark()
    recruitment = close_applications(recruitment=recruitment, actor=staff_user)
    assert _since(mark) == [(T.COMMITTEE_SEED_COMMITTED, True)]
    committed = AuditEvent.objects.get(event_type=T.COMMITTEE_SEED_COMMITTED)
    assert committed.parameters["seed_sha256"] == recruitment.seed_sha256
    assert committed.parameters["applicants"] == 48
    assert recruitment.sealed_seed not in str(committed.parameters)  # sealed until the draw
    assert committed.actor == staff_user

    mark = _mark()
    run_draw(recruitment=recruitment, actor=staff_user)
    assert _since(mark) == [(T.COMMITTEE_DRAWN, True)]
    drawn = AuditEvent.objects.get(event_type=T.COMMITTEE_DRAWN)
    assert drawn.parameters["seed"] == recruitment.sealed_seed
    assert (drawn.parameters["members"], drawn.parameters["reserves"]) == (10, 6)
    # the public record on the cycle page shows the steps
    assert AuditEvent.objects.filter(cycle=cycle).public().count() == 4


def test_refused_recruitment_steps_leave_no_event(recruitment, staff_user):
    mark = _mark()
    with pytest.raises(CommitteeError):
        open_recruitment(recruitment=recruitment, actor=staff_user)  # already open
    with pytest.raises(CommitteeError):
        run_draw(recruitment=recruitment, actor=staff_user)  # not closed yet
    close_applications(recruitment=recruitment, actor=staff_user)
    mark = _mark()
    with pytest.raises(CommitteeError):
        close_applications(recruitment=recruitment, actor=staff_user)
    with pytest.raises(CommitteeError):
        save_recruitment(
            cycle=recruitment.cycle,
            seats=5,
            reserves=0,
            min_age=19,
            require_verified=False,
            school_rule="none",
            custom_attribute="",
            quotas=[],
        )
    assert _since(mark) == []


def test_a_draw_refused_for_its_quotas_leaves_no_event_and_no_mail(recruitment, staff_user):
    recruitment.quotas.filter(feature="gender", value="woman").update(min_seats=5, max_seats=5)
    Application.objects.filter(recruitment=recruitment, gender="woman").update(gender="other")
    close_applications(recruitment=recruitment, actor=staff_user)
    mark = _mark()
    with pytest.raises(CommitteeError) as refused:
        run_draw(recruitment=recruitment, actor=staff_user)
    assert refused.value.reasons
    assert _since(mark) == []
    assert not OutboxMessage.objects.exists()


def test_every_applicant_hears_the_draw_once_in_their_language(recruitment, staff_user):
    english = Application.objects.filter(recruitment=recruitment).order_by("pk").first().user
    _set_language(english, "en")
    recruitment = _drawn(recruitment, staff_user)

    assert OutboxMessage.objects.filter(template="committee/emails/draw_outcome").count() == 48
    send_pending_messages()
    send_pending_messages()  # a second relay run sends nothing again
    assert len(mail.outbox) == 48
    by_address = {m.to[0]: m for m in mail.outbox}
    outcomes = {
        a.user.email: a
        for a in Application.objects.filter(recruitment=recruitment).select_related("user")
    }
    selected = [m for a, m in by_address.items() if outcomes[a].outcome == "selected"]
    reserves = [m for a, m in by_address.items() if outcomes[a].outcome == "reserve"]
    assert len(selected) == 10
    assert len(reserves) == 6
    korean_member = next(m for m in selected if m.to[0] != english.email)
    assert "위원으로 선정" in korean_member.subject
    assert reverse("committee:interests", kwargs={"slug": recruitment.cycle.slug}) in (
        korean_member.body
    )
    reserve = next(m for m in reserves if m.to[0] != english.email)
    rank = outcomes[reserve.to[0]].reserve_rank
    assert f"예비위원 {rank}번" in reserve.body
    english_mail = by_address[english.email]
    assert "committee" in english_mail.subject  # whichever outcome they drew
    assert "위원회" not in english_mail.body


# --- seats: replacement, budget school, resignation ---------------------------------------------
def test_replacing_a_member_leaves_one_public_event_and_mails_the_reserve_once(
    recruitment, staff_user, client
):
    # every other applicant is a reserve: one keeps the quotas, whoever leaves
    Recruitment.objects.filter(pk=recruitment.pk).update(reserves=38)
    recruitment = _drawn(recruitment, staff_user)
    OutboxMessage.objects.all().delete()
    first, second = CouncilMembership.objects.filter(
        cycle=recruitment.cycle, reserve_rank__in=[1, 2]
    ).order_by("reserve_rank")
    ResidentProfile.objects.filter(user=first.user).update(display_name="첫째예비")
    ResidentProfile.objects.filter(user=second.user).update(display_name="둘째예비")
    client.force_login(staff_user)  # the console lists the reserves in their order
    console = client.get(
        reverse("committee:staff-console", kwargs={"slug": recruitment.cycle.slug})
    ).content.decode()
    assert 0 < console.index("첫째예비") < console.index("둘째예비")
    leaving = CouncilMembership.objects.filter(cycle=recruitment.cycle, status="member").first()
    mark = _mark()
    chosen = replace_member(membership=leaving, reason="이사", actor=staff_user)
    assert chosen is not None
    assert _since(mark) == [(T.COMMITTEE_MEMBER_REPLACED, True)]
    event = AuditEvent.objects.get(pk__gt=mark)
    assert event.reason == "이사"
    assert event.parameters["seat"] == leaving.seat_number
    assert event.parameters["replaced_by_seat"] == chosen.seat_number
    assert set(event.parameters) == {"seat", "replaced_by_seat"}  # seat numbers, never who

    mark = _mark()
    with pytest.raises(CommitteeError):  # refused: not a sitting member any more
        replace_member(membership=leaving, reason="again", actor=staff_user)
    assert _since(mark) == []

    send_pending_messages()
    (message,) = mail.outbox
    assert message.to == [chosen.user.email]
    assert f"위원 {chosen.seat_number}" in message.body


def test_members_without_the_school_leave_each_with_an_event(recruitment, staff_user):
    Recruitment.objects.filter(pk=recruitment.pk).update(school_rule="after", reserves=30)
    recruitment = _drawn(recruitment, staff_user)
    course = Course.objects.create(cycle=recruitment.cycle, title="예산학교", is_published=True)
    session = CourseSession.objects.create(
        course=course, title="기초", kind="online", duration_minutes=30
    )
    members = list(CouncilMembership.objects.filter(cycle=recruitment.cycle, status="member"))
    for membership in members[:8]:
        confirm_online_session(
            enrolment=enrol(course=course, user=membership.user),
            session=session,
            minutes_studied=30,
        )
    mark = _mark()
    ended = remove_members_without_school(recruitment=recruitment, actor=staff_user)
    assert len(ended) == 2
    assert _since(mark) == [(T.COMMITTEE_MEMBER_REMOVED_NO_SCHOOL, True)] * 2

    Recruitment.objects.filter(pk=recruitment.pk).update(school_rule="none")
    recruitment.refresh_from_db()
    mark = _mark()
    with pytest.raises(CommitteeError):
        remove_members_without_school(recruitment=recruitment, actor=staff_user)
    assert _since(mark) == []


def test_a_member_leaves_by_themselves_and_the_next_fitting_reserve_is_called_up(
    recruitment, staff_user, client
):
    # every other applicant is a reserve: one keeps the quotas, whoever leaves
    Recruitment.objects.filter(pk=recruitment.pk).update(reserves=38)
    recruitment = _drawn(recruitment, staff_user)
    OutboxMessage.objects.all().delete()
    cycle = recruitment.cycle
    membership = CouncilMembership.objects.filter(cycle=cycle, status="member").first()
    member = membership.user
    activate_totp(member)
    client.force_login(member)
    url = reverse("committee:interests", kwargs={"slug": cycle.slug})
    assert 'name="confirm"' in client.get(url).content.decode()  # the page offers to leave

    mark = _mark()
    refused = client.post(url, {"action": "leave", "reason": "개인 사정"})  # not confirmed
    assert refused.status_code == 400
    assert _since(mark) == []

    response = client.post(url, {"action": "leave", "reason": "개인 사정", "confirm": "on"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "left"
    assert _since(mark) == [(T.COMMITTEE_MEMBER_RESIGNED, True)]
    event = AuditEvent.objects.get(pk__gt=mark)
    assert event.actor == member
    assert event.reason == "개인 사정"
    called_up = CouncilMembership.objects.get(
        cycle=cycle, seat_number=event.parameters["replaced_by_seat"]
    )
    assert called_up.status == "member"
    assert OutboxMessage.objects.get().recipient == called_up.user
    assert (
        "개인 사정"
        in client.get(reverse("committee:public", kwargs={"slug": cycle.slug})).content.decode()
    )

    # no longer a member: the page no longer offers to leave, and leaving again is refused
    mark = _mark()
    assert client.post(url, {"action": "leave", "reason": "x", "confirm": "on"}).status_code == 403
    assert _since(mark) == []


# --- interests, step-asides, recommendations ----------------------------------------------------
def test_declaring_an_interest_is_recorded_but_not_public(board):
    member = board["member_in"]
    mark = _mark()
    declare_interest(
        cycle=board["cycle"], user=member, kind="organisation", organisation="녹색교통"
    )
    assert _since(mark) == [(T.COMMITTEE_INTEREST_DECLARED, False)]
    assert AuditEvent.objects.get(pk__gt=mark).actor == member

    mark = _mark()
    with pytest.raises(CommitteeError):
        declare_interest(cycle=board["cycle"], user=member, kind="organisation", organisation="")
    assert _since(mark) == []
    assert DeclaredInterest.objects.filter(user=member).count() == 1


def test_step_aside_and_recommendation_each_leave_one_event(board):
    proposal = board["proposal"]
    mark = _mark()
    with pytest.raises(ProposalError):
        step_aside(proposal=proposal, member=board["recused"], reason=" ")
    with pytest.raises(ProposalError):  # a member, not the chair
        record_recommendation(
            proposal=proposal, chair=board["member_in"], recommendation="on_ballot", reason="좋음"
        )
    assert _since(mark) == []

    step_aside(proposal=proposal, member=board["recused"], reason="가족이 운영하는 업체")
    step_aside(proposal=proposal, member=board["recused"], reason="again")  # kept, not repeated
    # public with the decision (on the proposal page), so not public in the log at once
    assert _since(mark) == [(T.COMMITTEE_STEPPED_ASIDE, False)]

    mark = _mark()
    record_recommendation(
        proposal=proposal, chair=board["chair"], recommendation="on_ballot", reason="수요가 큼"
    )
    assert _since(mark) == [(T.SUBCOMMITTEE_RECOMMENDATION_RECORDED, False)]
    event = AuditEvent.objects.get(pk__gt=mark)
    assert event.parameters["recommendation"] == "on_ballot"
    assert event.reason == "수요가 큼"


# --- 분과 and meetings ----------------------------------------------------------------------------
def test_staff_rename_a_subcommittee_and_the_change_is_public(board, staff_user, client):
    traffic = board["traffic"]
    client.force_login(staff_user)
    url = reverse("committee:staff-console", kwargs={"slug": board["cycle"].slug})
    areas = [str(pk) for pk in traffic.policy_areas.values_list("pk", flat=True)]
    mark = _mark()
    bad = client.post(url, {"action": "subcommittee", "existing": str(traffic.pk), "name_ko": ""})
    assert bad.status_code == 400
    assert _since(mark) == []
    response = client.post(
        url,
        {
            "action": "subcommittee",
            "existing": str(traffic.pk),
            "name_ko": "교통·안전분과",
            "name_en": "Transport and safety",
            "policy_areas": areas,
        },
    )
    assert response.status_code == 302
    traffic.refresh_from_db()
    assert traffic.name == "교통·안전분과"
    assert traffic.members.count() == 5  # the seats stay
    assert _since(mark) == [(T.COMMITTEE_SUBCOMMITTEE_SAVED, True)]
    assert AuditEvent.objects.get(pk__gt=mark).parameters["created"] is False
    page = client.get(reverse("committee:public", kwargs={"slug": board["cycle"].slug}))
    assert "교통·안전분과" in page.content.decode()


def test_staff_remove_a_seat_with_a_public_event(board, staff_user, client):
    seat = board["traffic"].members.get(user=board["expert"])
    client.force_login(staff_user)
    url = reverse("committee:staff-console", kwargs={"slug": board["cycle"].slug})
    mark = _mark()
    assert client.post(url, {"action": "unseat", "seat": "x"}).status_code == 404
    assert client.post(url, {"action": "unseat", "seat": str(seat.pk)}).status_code == 302
    assert not board["traffic"].members.filter(user=board["expert"]).exists()
    assert _since(mark) == [(T.COMMITTEE_SEAT_REMOVED, True)]
    removed = AuditEvent.objects.get(pk__gt=mark)
    assert (removed.parameters["role"], removed.parameters["seat"]) == ("expert", None)
    assert "전문가" not in str(removed.parameters)  # no name in the append-only log


def test_publishing_minutes_is_a_public_event_once_per_version(cycle, staff_user):
    when = cycle.proposals_end_at
    mark = _mark()
    meeting = save_meeting(
        cycle=cycle, title="제1차", held_at=when, place="", minutes="", attendees=[]
    )
    assert _since(mark) == []  # no minutes yet
    save_meeting(
        cycle=cycle,
        title="제1차",
        held_at=when,
        place="",
        minutes="## 결과",
        attendees=[],
        meeting=meeting,
        actor=staff_user,
    )
    save_meeting(  # the same text again: nothing new to publish
        cycle=cycle,
        title="제1차",
        held_at=when,
        place="",
        minutes="## 결과",
        attendees=[],
        meeting=meeting,
    )
    save_meeting(
        cycle=cycle,
        title="제1차",
        held_at=when,
        place="",
        minutes="## 결과 (수정)",
        attendees=[],
        meeting=meeting,
    )
    assert _since(mark) == [(T.COMMITTEE_MINUTES_PUBLISHED, True)] * 2
    first, revised = AuditEvent.objects.filter(pk__gt=mark).order_by("pk")
    assert (first.parameters["revised"], revised.parameters["revised"]) == (False, True)
    assert first.parameters["minutes_sha256"] != revised.parameters["minutes_sha256"]
    assert Meeting.objects.get().minutes == "## 결과 (수정)"


# --- e-mails: co-author invitations, certificates -----------------------------------------------
def test_a_co_author_invitee_is_mailed_once_per_invitation(district, district_scope, resident):
    proposal = ProposalFactory(scope=district_scope, author=resident, title="골목 화단")
    invitee = ResidentProfileFactory(district=district).user
    _set_language(invitee, "en")
    invite_co_author(proposal=proposal, author=resident, email=invitee.email)
    invite_co_author(proposal=proposal, author=resident, email=invitee.email)  # again
    send_pending_messages()
    (message,) = mail.outbox
    assert message.to == [invitee.email]
    assert "골목 화단" in message.subject
    assert reverse("proposals:invitations") in message.body
    assert "co-author" in message.body

    invitation = CoAuthorInvitation.objects.get()
    answer_invitation(invitation=invitation, user=invitee, accept=False)
    invite_co_author(proposal=proposal, author=resident, email=invitee.email)  # renewed
    send_pending_messages()
    assert len(mail.outbox) == 2


def test_the_certificate_is_mailed_once_on_completion(cycle, resident):
    course = Course.objects.create(cycle=cycle, title="예산학교 기초", is_published=True)
    first, second = (
        CourseSession.objects.create(
            course=course, order=n, title=f"강의 {n}", kind="online", duration_minutes=20
        )
        for n in (1, 2)
    )
    enrolment = enrol(course=course, user=resident)
    confirm_online_session(enrolment=enrolment, session=first, minutes_studied=20)
    assert not OutboxMessage.objects.exists()
    confirm_online_session(enrolment=enrolment, session=second, minutes_studied=20)
    confirm_online_session(enrolment=enrolment, session=second, minutes_studied=25)
    send_pending_messages()
    (message,) = mail.outbox
    enrolment.refresh_from_db()
    assert enrolment.certificate_code in message.body
    assert (
        reverse("committee:certificate", kwargs={"code": enrolment.certificate_code})
        in message.body
    )


def test_the_subcommittee_recommends_only_after_the_department_has_answered(
    board, transport, client
):
    """Issue #11: the 분과 sees the department's review before it recommends."""
    proposal = board["proposal"]
    department = Department.objects.create(
        name_ko="교통정책과", name_en="Transport Policy", slug="transport-policy"
    )
    department.policy_areas.add(transport)
    official = UserFactory(email="official@city.example")
    DepartmentOfficial.objects.create(user=official, department=department)
    activate_totp(official)
    route_proposal(proposal=proposal)
    review = proposal.department_reviews.get(department=department)

    mark = _mark()
    with pytest.raises(ProposalError, match="교통정책과"):
        record_recommendation(
            proposal=proposal, chair=board["chair"], recommendation="on_ballot", reason="수요가 큼"
        )
    assert _since(mark) == []
    assert not SubcommitteeRecommendation.objects.filter(proposal=proposal).exists()

    record_department_review(
        review=review,
        official=official,
        verdict="feasible",
        reviewed_cost_won=50_000_000,
        cost_breakdown=[["정류장 쉼터 골조", 50_000_000]],
        consulted="인천연구원",
        consultation_summary="표준 규격 권고",
    )
    # the chair's desk shows the department's review in full before the recommendation
    client.force_login(board["chair"])
    desk = client.get(reverse("proposals:review-proposal", kwargs={"pk": proposal.pk}))
    assert desk.status_code == 200
    assert "정류장 쉼터 골조" in desk.text
    assert "인천연구원" in desk.text
    record_recommendation(
        proposal=proposal, chair=board["chair"], recommendation="on_ballot", reason="수요가 큼"
    )
    assert SubcommitteeRecommendation.objects.filter(proposal=proposal).exists()
