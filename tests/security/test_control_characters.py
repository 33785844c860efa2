"""Issue #16 finding 5: a NUL byte (or another control character) in a search, filter or form is
refused with a 400 page that says why; it never reaches PostgreSQL (a server error) and nothing
is changed."""

import pytest
from django.urls import reverse

from proposals.models import Comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/staff/residents/?q=%00",
        "/staff/residents/?q=abc%00def",
        "/staff/residents/?page=%00",
        "/admin/proposals/proposal/?q=%00",
        "/admin/proposals/proposal/?status=%00",
        "/admin/proposals/proposal/?status__exact=sub%00mitted",
        "/admin/budgeting/budgetcycle/?phase=%00",
        "/admin/accounts/user/?q=%00",
        "/admin/proposals/comment/?q=%1b[2J",
        "/admin/proposals/proposal/?%00=1",
    ],
)
def test_staff_searches_and_admin_filters_refuse_control_characters(client, staff_user, url):
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 400
    assert "control characters (such as a NUL byte)" in response.text


@pytest.mark.parametrize(
    "path", ["proposals:proposal-list", "proposals:proposal-map", "proposals:proposal-similar"]
)
def test_public_searches_refuse_nul(client, cycle, path):
    response = client.get(reverse(path, args=[cycle.slug]), {"q": "공원\x00", "title": "\x00"})
    assert response.status_code == 400


def test_a_comment_with_nul_is_refused_and_not_stored(client, resident, proposal):
    client.force_login(resident)
    response = client.post(
        reverse("proposals:comment-create", args=[proposal.pk]), {"body": "좋아요\x00"}
    )
    assert response.status_code == 400
    assert Comment.objects.exists() is False


def test_tabs_and_line_breaks_stay_allowed(client, resident, proposal):
    client.force_login(resident)
    client.post(
        reverse("proposals:comment-create", args=[proposal.pk]), {"body": "첫 줄\r\n둘째\t줄"}
    )
    assert Comment.objects.get().body == "첫 줄\r\n둘째\t줄"


def test_the_page_is_the_sites_own_and_translated(client):
    response = client.get("/?q=%00")
    assert response.status_code == 400
    assert "제어 문자" in response.text
    assert 'href="/"' in response.text


def test_the_open_data_api_refuses_control_characters_as_it_documents_a_bad_parameter(client):
    """The API documents 422 for a refused parameter (Schemathesis checks every answer against
    the schema): a control character gets that, naming the parameter, not the HTML 400 page."""
    response = client.get("/api/v1/cycles", {"year": "20\x0026", "limit": "5"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == [
        {
            "loc": ["query", "year"],
            "msg": "control characters are not allowed",
            "type": "value_error",
        }
    ]
