import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def _confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_sends_verification_mail_and_confirming_logs_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Minji@Example.kr",
            "password1": "a-Strong-pw-2026!",
            "password2": "a-Strong-pw-2026!",
            "consent_account": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email__iexact="minji@example.kr")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["minji@example.kr"]

    link = _confirmation_link(mail.outbox[0])
    response = client.post(link)
    assert EmailAddress.objects.get(user=user).verified is True
    # Logged in, and sent to complete the resident profile first.
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_unverified_account_cannot_log_in(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.kr",
            "password1": "a-Strong-pw-2026!",
            "password2": "a-Strong-pw-2026!",
            "consent_account": "on",
        },
    )
    client.logout()
    mail.outbox.clear()
    response = client.post(
        reverse("account_login"), {"login": "new@example.kr", "password": "a-Strong-pw-2026!"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1  # a fresh verification mail, nothing else


def test_verified_resident_logs_in_with_email_and_password(client, resident):
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": "a-Strong-test-password-42"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_wrong_password_is_refused_with_a_message(client, resident):
    response = client.post(reverse("account_login"), {"login": resident.email, "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_duplicate_email_sign_up_creates_no_second_account(client, resident):
    client.post(
        reverse("account_signup"),
        {
            "email": resident.email.upper(),
            "password1": "a-Strong-pw-2026!",
            "password2": "a-Strong-pw-2026!",
            "consent_account": "on",
        },
    )
    assert User.objects.filter(email__iexact=resident.email).count() == 1


def test_password_reset_mail_is_sent(client, resident):
    response = client.post(reverse("account_reset_password"), {"email": resident.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
