"""The staff roles page (issue #14, item 4): the budget office grants a role to an existing
account found by e-mail and revokes one, each with a reason kept in the audit log; refused
changes (no reason, no account, one's own budget-office role, the last one) change nothing; a
new member of staff sets up an authenticator app before any staff page opens."""

import pytest
from django.urls import reverse

from accounts.models import StaffRole
from budgeting.models import AuditEvent
from departments.models import Department
from departments.models import DepartmentOfficial
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp

pytestmark = pytest.mark.django_db

ROLES_URL = reverse("console:staff-roles")
REASON = "2027년 부평구 주민참여예산 담당자로 발령"


def _revoke_url(role):
    return reverse("console:staff-role-revoke", kwargs={"key": f"role-{role.pk}"})


@pytest.fixture
def office(district):
    """A member of the budget office by role (not a superuser), with their second factor."""
    user = ResidentProfileFactory(district=district).user
    user.is_staff = True
    user.save()
    activate_totp(user)
    StaffRole.objects.create(user=user, role=StaffRole.Role.BUDGET_OFFICE)
    return user


@pytest.fixture
def newcomer(district):
    return ResidentProfileFactory(district=district, user__email="newcomer@example.kr").user


def _events():
    return AuditEvent.objects.filter(event_type__in=["staff_role_granted", "staff_role_revoked"])


def test_grant_a_district_officer_who_then_sets_up_an_authenticator_app(
    client, office, newcomer, district
):
    client.force_login(office)
    assert client.get(ROLES_URL).status_code == 200

    response = client.post(
        ROLES_URL,
        {
            "email": "NEWCOMER@example.kr",
            "role": "district_officer",
            "district": str(district.pk),
            "reason": REASON,
        },
    )

    assert response.status_code == 302
    role = StaffRole.objects.get(user=newcomer)
    assert (role.role, role.district) == ("district_officer", district)
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    event = _events().get()
    assert (event.event_type, event.reason, event.is_public) == (
        "staff_role_granted",
        REASON,
        False,
    )
    assert event.parameters["role"] == "district_officer"
    assert "newcomer@example.kr" not in str(event.parameters)  # the account number only
    assert event.subject_id == str(newcomer.pk)
    page = client.get(ROLES_URL).content.decode()
    assert "newcomer@example.kr" in page
    assert "자치구 담당자" in page

    # their next staff page asks for an authenticator app first
    client.force_login(newcomer)
    answer = client.get(reverse("voting:staff-paper-ballots", kwargs={"slug": "any"}))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("mfa_activate_totp")


def test_grant_a_department_official_posts_them_in_their_department(client, office, newcomer):
    department = Department.objects.create(
        name_ko="교통정책과", name_en="Transport", slug="transport"
    )
    client.force_login(office)
    response = client.post(
        ROLES_URL,
        {
            "email": newcomer.email,
            "role": "department_official",
            "department": str(department.pk),
            "reason": REASON,
        },
    )
    assert response.status_code == 302
    post = DepartmentOfficial.objects.get(user=newcomer)
    assert post.department == department
    key = f"post-{post.pk}"
    revoke = reverse("console:staff-role-revoke", kwargs={"key": key})
    assert client.post(revoke, {"reason": "인사 이동"}).status_code == 302
    assert not DepartmentOfficial.objects.filter(user=newcomer).exists()
    assert not StaffRole.objects.filter(user=newcomer).exists()
    newcomer.refresh_from_db()
    assert not newcomer.is_staff


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "nobody@example.kr", "role": "moderator", "reason": REASON}, "가입"),
        ({"email": "newcomer@example.kr", "role": "moderator", "reason": "  "}, "감사 기록"),
        ({"email": "newcomer@example.kr", "role": "district_officer", "reason": REASON}, "자치구"),
        (
            {"email": "newcomer@example.kr", "role": "department_official", "reason": REASON},
            "부서",
        ),
    ],
)
def test_refused_grants_change_nothing(client, office, newcomer, data, message):
    client.force_login(office)
    response = client.post(ROLES_URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StaffRole.objects.filter(user=newcomer).exists()
    newcomer.refresh_from_db()
    assert not newcomer.is_staff
    assert not _events().exists()


def test_the_same_role_twice_is_refused(client, office, newcomer):
    StaffRole.objects.create(user=newcomer, role=StaffRole.Role.MODERATOR)
    client.force_login(office)
    response = client.post(
        ROLES_URL, {"email": newcomer.email, "role": "moderator", "reason": REASON}
    )
    assert response.status_code == 400
    assert StaffRole.objects.filter(user=newcomer).count() == 1


def test_revoke_a_moderator_with_a_reason(client, office, newcomer):
    newcomer.is_staff = True
    newcomer.save()
    role = StaffRole.objects.create(user=newcomer, role=StaffRole.Role.MODERATOR)
    client.force_login(office)
    assert client.get(_revoke_url(role)).status_code == 200

    without_reason = client.post(_revoke_url(role), {"reason": ""})
    assert without_reason.status_code == 400
    assert StaffRole.objects.filter(pk=role.pk).exists()

    response = client.post(_revoke_url(role), {"reason": "임기 종료"})

    assert response.status_code == 302
    assert not StaffRole.objects.filter(pk=role.pk).exists()
    newcomer.refresh_from_db()
    assert not newcomer.is_staff  # with no role left they would count as the budget office
    event = _events().get()
    assert (event.event_type, event.reason) == ("staff_role_revoked", "임기 종료")


def test_ones_own_budget_office_role_is_not_revoked(client, office):
    own = office.staff_roles.get()
    client.force_login(office)

    response = client.post(_revoke_url(own), {"reason": "실수"})

    assert response.status_code == 400
    assert "본인의 예산과 역할은 스스로 회수할 수 없습니다" in response.content.decode()
    assert StaffRole.objects.filter(pk=own.pk).exists()
    office.refresh_from_db()
    assert office.is_staff
    assert not _events().exists()


def test_the_last_budget_office_role_is_not_revoked(client, office, district):
    """Two in the budget office: one may revoke the other's role; the one left cannot then
    revoke their own, and the city is never without a budget office."""
    second = ResidentProfileFactory(district=district).user
    second.is_staff = True
    second.save()
    activate_totp(second)
    second_role = StaffRole.objects.create(user=second, role=StaffRole.Role.BUDGET_OFFICE)
    client.force_login(second)
    # second revokes office's role: allowed (second remains)
    assert client.post(_revoke_url(office.staff_roles.get()), {"reason": "전보"}).status_code == 302
    # the only budget office left cannot revoke their own
    response = client.post(_revoke_url(second_role), {"reason": "전보"})
    assert response.status_code == 400
    assert StaffRole.objects.filter(pk=second_role.pk).exists()


def test_a_district_officer_or_moderator_cannot_open_the_page_nor_grant(
    client, office, newcomer, district
):
    for role, role_district in (("district_officer", district), ("moderator", None)):
        staff = ResidentProfileFactory(district=district).user
        staff.is_staff = True
        staff.save()
        activate_totp(staff)
        StaffRole.objects.create(user=staff, role=role, district=role_district)
        client.force_login(staff)
        assert client.get(ROLES_URL).status_code == 403
        denied = client.post(
            ROLES_URL, {"email": newcomer.email, "role": "budget_office", "reason": REASON}
        )
        assert denied.status_code == 403
        revoke = client.post(_revoke_url(office.staff_roles.get()), {"reason": REASON})
        assert revoke.status_code == 403
    assert not StaffRole.objects.filter(user=newcomer).exists()
    assert office.staff_roles.count() == 1
    assert not _events().exists()
