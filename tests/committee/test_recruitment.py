"""Recruitment end to end: apply, close with a seed commitment, draw, re-run from the published
files, refusals with their reasons, replacement by reserve, budget school."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from budgeting.models import CouncilMembership
from committee.lottery import draw
from committee.lottery import panel_meets_quotas
from committee.lottery import read_applicant_table
from committee.lottery import read_quota_table
from committee.models import Application
from committee.models import Course
from committee.models import CourseSession
from committee.models import Recruitment
from committee.selectors import as_applicant
from committee.selectors import list_quota_specs
from committee.services import CommitteeError
from committee.services import apply_to_committee
from committee.services import close_applications
from committee.services import confirm_online_session
from committee.services import enrol
from committee.services import open_recruitment
from committee.services import replace_member
from committee.services import run_draw
from committee.services import save_recruitment
from tests.accounts.factories import ResidentProfileFactory

pytestmark = pytest.mark.django_db


def test_the_published_files_and_revealed_seed_reproduce_the_panel(recruitment, client):
    recruitment = close_applications(recruitment=recruitment)
    public = client.get(reverse("committee:public", kwargs={"slug": recruitment.cycle.slug}))
    assert recruitment.seed_sha256 in public.content.decode()
    assert recruitment.sealed_seed not in public.content.decode()  # sealed until the draw
    table = client.get(
        reverse(
            "committee:draw-file", kwargs={"slug": recruitment.cycle.slug, "name": "applicants"}
        )
    ).content.decode()
    quotas = client.get(
        reverse("committee:draw-file", kwargs={"slug": recruitment.cycle.slug, "name": "quotas"})
    ).content.decode()
    assert hashlib.sha256(table.encode()).hexdigest() == recruitment.table_sha256
    assert "@" not in table  # anonymised: numbers and attributes only

    report = run_draw(recruitment=recruitment)
    recruitment.refresh_from_db()
    assert recruitment.status == Recruitment.Status.DRAWN
    assert hashlib.sha256(recruitment.seed.encode()).hexdigest() == recruitment.seed_sha256
    # anyone: the downloaded files + the revealed seed → the same panel and reserves
    again = draw(
        read_applicant_table(table),
        read_quota_table(quotas),
        seats=recruitment.seats,
        reserves=recruitment.reserves,
        seed=recruitment.seed,
        algorithm=recruitment.algorithm,
    )
    selected = set(
        Application.objects.filter(recruitment=recruitment, outcome="selected").values_list(
            "public_id", flat=True
        )
    )
    assert set(again.panel) == selected
    reserves = list(
        Application.objects.filter(recruitment=recruitment, outcome="reserve")
        .order_by("reserve_rank")
        .values_list("public_id", flat=True)
    )
    assert tuple(reserves) == again.reserves
    assert len(report.members) == 10
    assert CouncilMembership.objects.filter(cycle=recruitment.cycle, status="member").count() == 10
    assert CouncilMembership.objects.filter(cycle=recruitment.cycle, status="reserve").count() == 6
    page = client.get(reverse("committee:public", kwargs={"slug": recruitment.cycle.slug}))
    assert recruitment.seed in page.content.decode()


def test_an_impossible_quota_is_refused_with_its_reason_and_nothing_changes(
    recruitment, client, staff_user
):
    recruitment.quotas.filter(feature="gender", value="woman").update(min_seats=30, max_seats=30)
    Recruitment.objects.filter(pk=recruitment.pk).update(seats=40)
    close_applications(recruitment=recruitment)
    client.force_login(staff_user)
    url = reverse("committee:staff-console", kwargs={"slug": recruitment.cycle.slug})
    response = client.post(url, {"action": "draw"})
    assert response.status_code == 400
    page = response.content.decode()
    # Korean is the default language: "…but only 24 applicants have it: 6 short"
    assert "해당 신청자는 24명뿐입니다: 6명 부족" in page
    recruitment.refresh_from_db()
    assert recruitment.status == Recruitment.Status.CLOSED
    assert recruitment.seed == ""
    assert not CouncilMembership.objects.filter(cycle=recruitment.cycle).exists()
    assert not Application.objects.filter(recruitment=recruitment, outcome="selected").exists()


def test_a_member_who_leaves_is_replaced_by_the_next_reserve_keeping_the_quotas(recruitment):
    Recruitment.objects.filter(pk=recruitment.pk).update(reserves=30)
    close_applications(recruitment=recruitment)
    run_draw(recruitment=recruitment)
    cycle = recruitment.cycle
    rows = {
        a.user_id: a
        for a in Application.objects.filter(recruitment=recruitment).select_related("district")
    }
    quotas = list_quota_specs(recruitment=recruitment)

    def panel_without(user_ids):
        return [as_applicant(rows[m.user_id]) for m in sitting() if m.user_id not in user_ids]

    def sitting():
        return CouncilMembership.objects.filter(cycle=cycle, status="member")

    leaving = sitting().order_by("seat_number").first()
    reserves = list(
        CouncilMembership.objects.filter(cycle=cycle, status="reserve").order_by("reserve_rank")
    )
    chosen = replace_member(membership=leaving, reason="이사")
    leaving.refresh_from_db()
    assert (leaving.status, leaving.left_reason) == ("left", "이사")
    assert chosen is not None  # 30 reserves: one of them keeps the quotas
    assert sitting().count() == 10
    # the panel still meets every quota, and every reserve called before would have broken one
    assert panel_meets_quotas(panel_without(set()), quotas) == []
    base = panel_without({chosen.user_id})
    for earlier in reserves[: [r.user_id for r in reserves].index(chosen.user_id)]:
        assert panel_meets_quotas([*base, as_applicant(rows[earlier.user_id])], quotas) != []


def test_applying_checks_age_and_school(cycle, district):
    recruitment = save_recruitment(
        cycle=cycle,
        seats=5,
        reserves=0,
        min_age=19,
        require_verified=False,
        school_rule=Recruitment.SchoolRule.BEFORE_DRAW,
        custom_attribute="",
        quotas=[],
    )
    open_recruitment(recruitment=recruitment)
    young = ResidentProfileFactory(district=district, birth_year=cycle.year - 16).user
    with translation.override("en"), pytest.raises(CommitteeError, match="at least 19"):
        apply_to_committee(
            recruitment=recruitment,
            user=young,
            gender="woman",
            custom_answer=False,
            name_is_public=False,
        )
    adult = ResidentProfileFactory(district=district, birth_year=cycle.year - 40).user
    with translation.override("en"), pytest.raises(CommitteeError, match="budget school"):
        apply_to_committee(
            recruitment=recruitment,
            user=adult,
            gender="man",
            custom_answer=False,
            name_is_public=False,
        )
    course = Course.objects.create(cycle=cycle, title="예산학교", is_published=True)
    session = CourseSession.objects.create(
        course=course, title="예산의 기초", kind="online", duration_minutes=30
    )
    enrolment = enrol(course=course, user=adult)
    with translation.override("en"), pytest.raises(CommitteeError, match="30 minutes"):
        confirm_online_session(enrolment=enrolment, session=session, minutes_studied=10)
    confirm_online_session(enrolment=enrolment, session=session, minutes_studied=35)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    application = apply_to_committee(
        recruitment=recruitment, user=adult, gender="man", custom_answer=False, name_is_public=False
    )
    assert application.age_band == "40-59"
    assert application.district == district


def test_staff_record_in_person_attendance_from_a_csv(cycle, district, staff_user, client):
    course = Course.objects.create(cycle=cycle, title="예산학교", is_published=True)
    session = CourseSession.objects.create(
        course=course, title="심사 실습", kind="in_person", duration_minutes=120
    )
    learner = ResidentProfileFactory(district=district).user
    client.force_login(staff_user)
    url = reverse("committee:staff-attendance", kwargs={"pk": session.pk})
    upload = SimpleUploadedFile(
        "list.csv", f"{learner.email}\nnobody@example.org\n".encode(), content_type="text/csv"
    )
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert "nobody@example.org" in response.content.decode()
    enrolment = course.enrolments.get(user=learner)
    assert enrolment.completed_at is not None  # the course's only session
    certificate = client.get(
        reverse("committee:certificate", kwargs={"code": enrolment.certificate_code})
    )
    assert certificate.status_code == 200


def test_residents_cannot_open_the_staff_console(cycle, resident, client):
    client.force_login(resident)
    url = reverse("committee:staff-console", kwargs={"slug": cycle.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "save", "seats": "5"}).status_code == 403
    assert not Recruitment.objects.exists()


def test_staff_set_up_and_open_a_recruitment_from_the_console(cycle, staff_user, client):
    client.force_login(staff_user)
    url = reverse("committee:staff-console", kwargs={"slug": cycle.slug})
    form = {"action": "save", "seats": "2", "reserves": "1", "min_age": "19", "school_rule": "none"}
    bad = client.post(url, {**form, "quotas": "gender,woman,3,1"})
    assert bad.status_code == 400
    assert not Recruitment.objects.exists()
    response = client.post(url, {**form, "quotas": "gender,woman,1,1\ngender,man,1,1"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert client.post(url, {"action": "open"}).status_code == 302
    recruitment = Recruitment.objects.get(cycle=cycle)
    assert recruitment.status == Recruitment.Status.OPEN
    assert recruitment.quotas.count() == 2
