"""Implementation pages: who may open them, what bad input does, what the public sees."""

import re

import pytest
from django.urls import reverse

from budgeting.models import BudgetCut
from budgeting.models import ImplementationUpdate
from budgeting.models import ProjectFollow
from budgeting.phases import Phase
from implementation.services import post_implementation_update
from implementation.services import record_budget_cut
from tests.helpers import cycle_in_phase
from tests.helpers import reauthenticate

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "resident", "council_member", "staff_without_mfa", "staff_user"]


def client_as(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def staff_urls(project, cycle):
    return [
        reverse("implementation:staff-implementation", kwargs={"slug": cycle.slug}),
        reverse("implementation:staff-implementation-update", kwargs={"pk": project.pk}),
        reverse("implementation:staff-budget-cut", kwargs={"pk": project.pk}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_need_staff_with_two_factor_authentication(
    client, request, role, project, cycle
):
    client = client_as(client, request, role)
    for url in staff_urls(project, cycle):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        elif role == "staff_without_mfa":
            assert response.status_code == 302
            assert response["Location"] == reverse("mfa_activate_totp")
        elif role == "staff_user":
            assert response.status_code == 200
        else:
            assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_mfa_staff_can_post_an_update_or_a_cut(client, request, role, project):
    client = client_as(client, request, role)
    if role == "staff_user":
        reauthenticate(client)  # a cut asks for the password again (test_cut_reauthentication)
    client.post(
        reverse("implementation:staff-implementation-update", kwargs={"pk": project.pk}),
        {"status": "in_progress", "percent_done": 10, "spent_won": 1000, "note": "n"},
    )
    client.post(
        reverse("implementation:staff-budget-cut", kwargs={"pk": project.pk}),
        {"amount_won": 1000, "reason": "r"},
    )
    expected = 1 if role == "staff_user" else 0
    assert ImplementationUpdate.objects.count() == expected
    assert BudgetCut.objects.count() == expected


@pytest.mark.parametrize("role", ROLES)
def test_accountability_page_is_public_once_results_are_published(
    client, request, role, project, cycle, staff_user
):
    record_budget_cut(proposal=project, actor=staff_user, amount_won=10_000_000, reason="감액 이유")
    client = client_as(client, request, role)
    url = reverse("implementation:accountability", kwargs={"slug": cycle.slug})
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "감액 이유" in page
    assert "공원 쉼터" in page
    cycle_in_phase(cycle, Phase.VOTING)
    assert client.get(url).status_code in (302, 403)


def test_update_form_saves_with_a_photo_and_shows_on_the_proposal_page(client, staff_user, project):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    raw = io.BytesIO()
    Image.new("RGB", (50, 40), (200, 10, 10)).save(raw, format="PNG")
    client.force_login(staff_user)
    response = client.post(
        reverse("implementation:staff-implementation-update", kwargs={"pk": project.pk}),
        {
            "status": "in_progress",
            "percent_done": 35,
            "spent_won": 20_000_000,
            "note": "벤치 설치 시작",
            "photo_1": SimpleUploadedFile("a.png", raw.getvalue(), "image/png"),
            "caption_1": "설치 현장",
        },
    )
    assert response.status_code == 302
    saved = ImplementationUpdate.objects.get()
    assert saved.photos.get().image.name.endswith(".jpg")
    client.logout()
    client.cookies["django_language"] = "en"
    page = client.get(project.get_absolute_url()).content.decode()
    assert "벤치 설치 시작" in page
    assert "In progress" in page
    assert "설치 현장" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "done", "percent_done": 50, "spent_won": 0, "note": "x"}, "percent_done"),
        (
            {"status": "in_progress", "percent_done": 150, "spent_won": 0, "note": "x"},
            "percent_done",
        ),
        ({"status": "in_progress", "percent_done": 10, "spent_won": -1, "note": "x"}, "spent_won"),
        ({"status": "nonsense", "percent_done": 10, "spent_won": 0, "note": "x"}, "status"),
        ({"status": "in_progress", "percent_done": 10, "spent_won": 0, "note": ""}, "note"),
    ],
)
def test_bad_update_form_rerenders_with_errors(client, staff_user, project, data, field):
    client.force_login(staff_user)
    response = client.post(
        reverse("implementation:staff-implementation-update", kwargs={"pk": project.pk}), data
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert ImplementationUpdate.objects.exists() is False


def test_service_refusal_and_a_non_image_rerender_the_form(client, staff_user, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff_user)
    url = reverse("implementation:staff-implementation-update", kwargs={"pk": project.pk})
    data = {"status": "in_progress", "percent_done": 10, "spent_won": 999_000_000, "note": "x"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    data["spent_won"] = 0
    data["photo_1"] = SimpleUploadedFile("a.png", b"<script>", "image/png")
    response = client.post(url, data)
    assert response.status_code == 400
    assert "photo_1" in response.context["form"].errors
    assert ImplementationUpdate.objects.exists() is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount_won": 1000, "reason": ""}, "reason"),
        ({"amount_won": 0, "reason": "r"}, "amount_won"),
        ({"amount_won": 1000, "reason": "r", "decided_on": "not a date"}, "decided_on"),
        ({"amount_won": 100_000_001, "reason": "r"}, "__all__"),
    ],
)
def test_bad_cut_form_rerenders_with_errors(client, staff_user, project, data, field):
    client.force_login(staff_user)
    reauthenticate(client)  # a cut larger than the project is refused only when it is tried
    response = client.post(
        reverse("implementation:staff-budget-cut", kwargs={"pk": project.pk}), data
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert BudgetCut.objects.exists() is False


def test_unfunded_project_has_no_staff_forms(client, staff_user, result):
    client.force_login(staff_user)
    url = reverse("implementation:staff-implementation-update", kwargs={"pk": result["pool"].pk})
    assert client.get(url).status_code == 403


# --- following ---------------------------------------------------------------------------------
FOLLOW_ROLES = [
    ("anonymous", False),
    ("resident", False),  # did not vote on this ballot
    ("council_member", False),
    ("staff_without_mfa", False),
    ("staff_user", False),
    ("voter", True),
    ("endorser", True),
]


@pytest.mark.parametrize(("role", "allowed"), FOLLOW_ROLES)
def test_who_may_follow_a_funded_project(client, request, role, allowed, project):
    client = client_as(client, request, role)
    page = client.get(project.get_absolute_url()).content.decode()
    assert ('value="follow"' in page) is allowed
    response = client.post(
        reverse("implementation:project-follow", kwargs={"pk": project.pk}), {"action": "follow"}
    )
    assert ProjectFollow.objects.filter(proposal=project).exists() is allowed
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    elif allowed:
        assert response.status_code == 302
        page = client.get(project.get_absolute_url()).content.decode()
        assert 'value="unfollow"' in page


def test_follow_button_is_the_same_whatever_the_voter_chose(
    client, project, district, district_scope
):
    """Two voters of the ballot, one whose ballot chose the project and one whose did not:
    the page (and the permission) cannot tell them apart, because no ballot is read."""
    from django.utils import timezone

    from budgeting.models import Participation
    from tests.accounts.factories import ResidentProfileFactory
    from tests.results.factories import cast_ballots

    pages = []
    for n in range(2):
        user = ResidentProfileFactory(district=district, display_name="투표자").user
        Participation.objects.create(user=user, scope=district_scope, voted_at=timezone.now())
        cast_ballots(scope=district_scope, ballots=[[project]] if n == 0 else [[]], start=n)
        client.force_login(user)
        page = client.get(project.get_absolute_url()).content.decode()
        start = page.index('id="implementation"')
        block = page[start : page.index("</section>", start)]
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", block))
    assert 'value="follow"' in pages[0]
    assert pages[0] == pages[1]


def test_unfollow_works_and_a_resident_who_did_not_take_part_gets_403(
    client, project, voter, resident
):
    ProjectFollow.objects.create(user=voter, proposal=project)
    client.force_login(voter)
    url = reverse("implementation:project-follow", kwargs={"pk": project.pk})
    client.post(url, {"action": "unfollow"})
    assert ProjectFollow.objects.exists() is False
    client.force_login(resident)
    assert client.post(url, {"action": "follow"}).status_code == 403


def test_proposal_page_shows_the_cut_and_its_reason(client, project, staff_user):
    record_budget_cut(
        proposal=project, actor=staff_user, amount_won=100_000_000, reason="전액 삭감 사유"
    )
    post_implementation_update(
        proposal=project,
        actor=staff_user,
        status="cancelled",
        percent_done=0,
        spent_won=0,
        note="취소",
    )
    client.cookies["django_language"] = "en"
    page = client.get(project.get_absolute_url()).content.decode()
    assert "전액 삭감 사유" in page
    assert "Cut entirely by the city council" in page
    assert "Cancelled" in page
