import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ResidentProfile
from accounts.services import verify_resident
from accounts.services import verify_residents_from_csv
from budgeting.models import AuditEvent
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified(district):
    return [
        ResidentProfileFactory(district=district, verified_at=None, user__email=f"r{i}@example.kr")
        for i in range(3)
    ]


def test_csv_verifies_matching_residents_and_reports_the_rest(unverified, staff_user, resident):
    UserFactory(email="noprofile@example.kr")
    raw = (
        "email\n"
        "R0@example.kr\n"  # case differs from the account
        "r1@example.kr\n"
        f"{resident.email}\n"  # already verified
        "stranger@example.kr\n"
        "noprofile@example.kr\n"
        "not an address\n"
    ).encode("utf-8-sig")
    report = verify_residents_from_csv(raw=raw, actor=staff_user)
    assert report.verified == 2
    assert report.already_verified == 1
    assert report.unknown == ["stranger@example.kr"]
    assert report.without_profile == ["noprofile@example.kr"]
    assert report.invalid_lines == [7]
    verified = set(
        ResidentProfile.objects.filter(
            verified_at__isnull=False, verified_by=staff_user
        ).values_list("user__email", flat=True)
    )
    assert verified == {"r0@example.kr", "r1@example.kr"}
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.RESIDENTS_VERIFIED_FROM_CSV)
    assert event.actor == staff_user
    assert event.is_public is False
    assert event.parameters["verified"] == 2
    assert "r0@example.kr" not in str(event.parameters)


def test_csv_in_cp949_with_semicolons_is_read(unverified, staff_user):
    raw = "이메일;이름\nr2@example.kr;홍길동\n".encode("cp949")
    report = verify_residents_from_csv(raw=raw, actor=staff_user)
    assert report.verified == 1


def test_csv_page_shows_the_report(client, staff_user, unverified):
    client.force_login(staff_user)
    upload = SimpleUploadedFile(
        "list.csv", b"r0@example.kr\nr1@example.kr\n", content_type="text/csv"
    )
    response = client.post(reverse("accounts:staff-residents-csv"), {"file": upload})
    assert response.status_code == 200
    assert response.context["report"].verified == 2


def test_csv_page_refuses_binary_garbage_and_changes_nothing(client, staff_user, unverified):
    client.force_login(staff_user)
    upload = SimpleUploadedFile("list.csv", b"\xff\xfe\x00\x81\x8d" * 10, content_type="text/csv")
    response = client.post(reverse("accounts:staff-residents-csv"), {"file": upload})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert ResidentProfile.objects.filter(verified_at__isnull=True).count() == 3


def test_resident_cannot_use_the_csv_page(client, resident, unverified):
    client.force_login(resident)
    upload = SimpleUploadedFile("list.csv", b"r0@example.kr\n", content_type="text/csv")
    response = client.post(reverse("accounts:staff-residents-csv"), {"file": upload})
    assert response.status_code == 403
    assert ResidentProfile.objects.filter(verified_at__isnull=True).count() == 3


def test_one_by_one_verification_from_the_staff_page(client, staff_user, unverified):
    client.force_login(staff_user)
    target = unverified[0]
    response = client.post(reverse("accounts:staff-resident-verify", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.verified_by == staff_user
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.RESIDENT_VERIFIED)
    assert event.subject == target


def test_verifying_twice_writes_one_event(staff_user, unverified):
    assert verify_resident(profile=unverified[0], actor=staff_user) is True
    assert verify_resident(profile=unverified[0], actor=staff_user) is False
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.RESIDENT_VERIFIED).count() == 1
