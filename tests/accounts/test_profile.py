import pytest
from django.urls import reverse

from accounts.exceptions import ProfileError
from accounts.models import ResidentProfile
from accounts.services import update_resident_profile
from budgeting.phases import Phase
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db


def test_resident_without_profile_is_asked_to_complete_it_first(client, user_without_profile):
    client.force_login(user_without_profile)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile") + "?next=%2Fme%2F"


def test_completing_the_profile_returns_to_where_the_resident_was(
    client, user_without_profile, district
):
    client.force_login(user_without_profile)
    response = client.post(
        reverse("accounts:profile") + "?next=/me/",
        {
            "display_name": "한결",
            "district": district.pk,
            "birth_year": 1990,
            "relation": "lives",
            "preferred_language": "ko",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    profile = ResidentProfile.objects.get(user=user_without_profile)
    assert (profile.display_name, profile.district, profile.birth_year) == ("한결", district, 1990)
    assert profile.verified_at is None
    assert client.get("/me/").status_code == 200


def test_profile_refuses_an_external_next_url(client, user_without_profile, district):
    client.force_login(user_without_profile)
    response = client.post(
        reverse("accounts:profile") + "?next=https://evil.example/",
        {
            "display_name": "한결",
            "district": district.pk,
            "birth_year": 1990,
            "relation": "lives",
            "preferred_language": "ko",
        },
    )
    assert response["Location"] == reverse("accounts:dashboard")


@pytest.mark.parametrize(
    ("_case", "data", "field"),
    [
        ("future birth year", {"birth_year": 2999}, "birth_year"),
        ("non-numeric birth year", {"birth_year": "abc"}, "birth_year"),
        ("e-mail as public name", {"display_name": "me@example.kr"}, "display_name"),
        ("unknown relation", {"relation": "visits"}, "relation"),
        ("over-long name", {"display_name": "가" * 41}, "display_name"),
    ],
)
def test_bad_profile_input_re_renders_with_errors_and_saves_nothing(
    client, user_without_profile, district, _case, data, field
):
    client.force_login(user_without_profile)
    payload = {
        "display_name": "한결",
        "district": district.pk,
        "birth_year": 1990,
        "relation": "lives",
    }
    payload.update(data)
    response = client.post(reverse("accounts:profile"), payload)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert ResidentProfile.objects.filter(user=user_without_profile).exists() is False


def test_district_cannot_change_while_any_cycle_is_voting(resident, other_district, cycle):
    cycle_in_phase(cycle, Phase.VOTING)
    with pytest.raises(ProfileError):
        update_resident_profile(
            user=resident,
            display_name="이주민",
            district=other_district,
            birth_year=1985,
            relation="lives",
        )
    assert ResidentProfile.objects.get(user=resident).district != other_district


def test_district_change_clears_verification(resident, other_district):
    profile = update_resident_profile(
        user=resident,
        display_name="이주민",
        district=other_district,
        birth_year=1985,
        relation="lives",
    )
    assert profile.district == other_district
    assert profile.verified_at is None


def test_name_change_keeps_verification(resident, district):
    profile = update_resident_profile(
        user=resident, display_name="새 이름", district=district, birth_year=1985, relation="lives"
    )
    assert profile.verified_at is not None


def test_resident_chooses_which_emails_they_want(client, resident, district):
    client.force_login(resident)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="email_phase_opened"' in page
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "이주민",
            "district": district.pk,
            "birth_year": 1985,
            "relation": "lives",
            "preferred_language": "en",
            "email_phase_opened": "on",
            "email_followed_projects": "on",
        },
    )
    assert response.status_code == 302
    profile = ResidentProfile.objects.get(user=resident)
    assert (
        profile.email_phase_opened,
        profile.email_proposal_review,
        profile.email_followed_projects,
        profile.preferred_language,
    ) == (True, False, True, "en")
