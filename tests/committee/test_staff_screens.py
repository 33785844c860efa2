"""Staff screens under /staff/: meetings with attendance and Markdown minutes, school courses and
sessions, and the budget school as a condition for staying on the committee."""

import pytest
from django.urls import reverse

from budgeting.models import CouncilMembership
from committee.models import Course
from committee.models import CourseSession
from committee.models import Meeting
from committee.models import Recruitment
from committee.services import close_applications
from committee.services import enrol
from committee.services import record_attendance
from committee.services import run_draw

pytestmark = pytest.mark.django_db


def test_staff_write_a_meeting_and_the_public_reads_its_minutes(recruitment, staff_user, client):
    close_applications(recruitment=recruitment)
    run_draw(recruitment=recruitment)
    cycle = recruitment.cycle
    members = list(CouncilMembership.objects.filter(cycle=cycle, status="member"))
    client.force_login(staff_user)
    url = reverse("committee:staff-meeting-new", kwargs={"slug": cycle.slug})
    assert client.post(url, {"title": ""}).status_code == 400
    assert not Meeting.objects.exists()
    response = client.post(
        url,
        {
            "title": "제2차 전체회의",
            "held_at": "2027-03-02T14:00",
            "place": "시청",
            "attendees": [str(members[0].pk), str(members[1].pk)],
            "minutes": "## 결과\n\n<script>alert(1)</script> **의결**",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.attendees.count() == 2
    client.logout()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "<strong>의결</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert members[0].public_label in page


def test_residents_cannot_write_meetings(cycle, resident, client):
    client.force_login(resident)
    url = reverse("committee:staff-meeting-new", kwargs={"slug": cycle.slug})
    assert client.post(url, {"title": "x", "held_at": "2027-03-02T14:00"}).status_code == 403
    assert not Meeting.objects.exists()


def test_staff_publish_a_course_and_add_sessions(cycle, staff_user, client):
    client.force_login(staff_user)
    url = reverse("committee:staff-school", kwargs={"slug": cycle.slug})
    client.post(url, {"action": "course", "title": "예산학교", "is_published": "on"})
    course = Course.objects.get(cycle=cycle)
    refused = client.post(
        url,
        {"action": "session", "course": course.pk, "title": "실습", "kind": "in_person",
         "duration_minutes": "60"},
    )  # fmt: skip
    assert refused.status_code == 400  # an in-person session needs its date
    assert not CourseSession.objects.exists()
    client.post(
        url,
        {"action": "session", "course": course.pk, "title": "예산의 기초", "kind": "online",
         "duration_minutes": "30", "material": "## 예산"},
    )  # fmt: skip
    assert list(course.sessions.values_list("title", flat=True)) == ["예산의 기초"]


def test_members_without_the_certificate_leave_and_reserves_take_their_seats(
    recruitment,
    staff_user,
    client,
):
    # 30 reserves: one of them keeps the quotas whoever leaves
    Recruitment.objects.filter(pk=recruitment.pk).update(school_rule="after", reserves=30)
    close_applications(recruitment=recruitment)
    run_draw(recruitment=recruitment)
    cycle = recruitment.cycle
    course = Course.objects.create(cycle=cycle, title="예산학교", is_published=True)
    session = CourseSession.objects.create(
        course=course, title="실습", kind="in_person", duration_minutes=60
    )
    members = list(CouncilMembership.objects.filter(cycle=cycle, status="member"))
    for membership in members[:9]:  # one member never completes the school
        enrol(course=course, user=membership.user)
        record_attendance(session=session, user=membership.user, actor=staff_user)
    client.force_login(staff_user)
    url = reverse("committee:staff-console", kwargs={"slug": cycle.slug})
    assert client.post(url, {"action": "school"}).status_code == 302
    members[9].refresh_from_db()
    assert members[9].status == "left"
    assert CouncilMembership.objects.filter(cycle=cycle, status="member").count() == 10
