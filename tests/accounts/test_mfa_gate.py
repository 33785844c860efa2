import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/admin/", "/staff/residents/", "/staff/residents/verify-csv/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_without_mfa_is_sent_to_set_it_up(client, staff_without_mfa, path):
    client.force_login(staff_without_mfa)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_with_mfa_opens_staff_pages(client, staff_user, path):
    client.force_login(staff_user)
    assert client.get(path).status_code == 200


def test_council_member_without_mfa_cannot_open_council_pages(client, council_member_without_mfa):
    client.force_login(council_member_without_mfa)
    response = client.get("/council/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_mfa_setup_page_itself_opens_for_staff_without_mfa(client, staff_without_mfa):
    client.post(
        reverse("account_login"),
        {"login": staff_without_mfa.email, "password": "a-Strong-test-password-42"},
    )
    # allauth asks for the password again before adding an authenticator
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": "a-Strong-test-password-42"})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "totp" in response.context["form"].__class__.__name__.lower()


def test_residents_are_not_asked_for_mfa(client, resident):
    client.force_login(resident)
    response = client.get("/staff/residents/")
    assert response.status_code == 403


def test_anonymous_admin_goes_through_allauth_login(client):
    response = client.get("/admin/", follow=True)
    first_hop, last_hop = response.redirect_chain[0][0], response.redirect_chain[-1][0]
    assert first_hop.startswith("/admin/login/")
    assert last_hop.startswith(reverse("account_login"))
    assert response.status_code == 200
