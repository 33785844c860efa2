"""Submitting and editing through the browser: happy path, and bad input that never 500s and
never loses what the resident typed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from budgeting.models import AuditEvent
from budgeting.phases import Phase
from proposals.models import Proposal
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.proposals.factories import image_bytes
from tests.proposals.factories import jpeg_with_gps

pytestmark = pytest.mark.django_db


def _create_url(cycle):
    return reverse("proposals:proposal-create", args=[cycle.slug])


def _upload(content: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_resident_submits_a_proposal_with_place_and_image(
    client, resident, cycle, proposal_form_data, language
):
    client.force_login(resident)
    client.cookies["django_language"] = language
    data = {**proposal_form_data, "image": _upload(jpeg_with_gps())}

    response = client.post(_create_url(cycle), data)

    proposal = Proposal.objects.get(author=resident)
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    assert proposal.status == "submitted"
    assert proposal.title == "부평공원 어린이 물놀이터"
    assert proposal.cost_estimate_won == 120_000_000
    assert str(proposal.latitude) == "37.489500"
    assert str(proposal.longitude) == "126.723600"
    assert proposal.image.name.endswith(".jpg")
    with Image.open(proposal.image.path) as stored:
        assert stored.getexif().get(0x8825) is None  # no GPS
        assert stored.getexif().get(0x0110) is None  # no camera model
    event = AuditEvent.objects.get(event_type="proposal_submitted")
    assert event.is_public is True
    assert event.subject_id == str(proposal.pk)

    page = client.get(proposal.get_absolute_url())
    assert page.status_code == 200
    assert proposal.image.url in page.text
    assert "place-map" in page.text


def test_save_as_draft_is_private(client, resident, cycle, proposal_form_data):
    client.force_login(resident)
    client.post(_create_url(cycle), {**proposal_form_data, "action": "draft"})
    draft = Proposal.objects.get(author=resident)
    assert draft.status == "draft"
    assert AuditEvent.objects.filter(event_type="proposal_submitted").exists() is False
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def _assert_kept(response, data: dict, fields=("title", "summary", "description")):
    for name in fields:
        value = data[name]
        assert (
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
            .replace("'", "&#x27;")
            in response.text
        ), name


@pytest.mark.parametrize(
    ("_case", "changes", "message"),
    [
        ("title too long", {"title": "가" * 121}, "at most 120 characters"),
        ("negative cost", {"cost_estimate_won": "-5000"}, "The cost must be more than zero won."),
        (
            "non-numeric cost",
            {"cost_estimate_won": "삼천만원"},
            "Enter the cost as a whole number of won, digits only.",
        ),
        (
            "decimal cost",
            {"cost_estimate_won": "1000.5"},
            "Enter the cost as a whole number of won, digits only.",
        ),
        ("cost above the cap", {"cost_estimate_won": "300000001"}, "may cost at most"),
        ("latitude only", {"longitude": ""}, "Give both latitude and longitude, or neither."),
        ("latitude out of range", {"latitude": "123"}, "less than or equal to 90"),
        ("missing summary", {"summary": ""}, "This field is required."),
    ],
)
def test_bad_input_rerenders_with_message_and_text(
    client, resident, cycle, proposal_form_data, _case, changes, message
):
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    data = {**proposal_form_data, **changes}
    response = client.post(_create_url(cycle), data)
    assert response.status_code == 400
    assert message in response.text
    _assert_kept(response, data, fields=[f for f in ("title", "description") if data[f]])
    assert Proposal.objects.exists() is False


@pytest.mark.parametrize(
    ("_case", "upload", "message"),
    [
        (
            "GIF image",
            _upload(image_bytes("GIF"), "a.gif", "image/gif"),
            "Images must be JPEG, PNG or WebP (this one is GIF).",
        ),
        (
            "text pretending to be a JPEG",
            _upload(b"<script>alert(1)</script>", "evil.jpg"),
            "This file is not an image we can read.",
        ),
        (
            "20 MB upload",
            _upload(b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024), "huge.jpg"),
            "the most we accept is 5.0\xa0MB",
        ),
    ],
)
def test_bad_image_is_a_form_error(
    client, resident, cycle, proposal_form_data, _case, upload, message
):
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    data = {**proposal_form_data, "image": upload}
    response = client.post(_create_url(cycle), data)
    assert response.status_code == 400
    assert message in response.text
    assert "please choose the image again" in response.text
    _assert_kept(response, proposal_form_data)
    assert Proposal.objects.exists() is False


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_every_text_field_is_shown_escaped(client, resident, cycle, proposal_form_data):
    client.force_login(resident)
    text_fields = ("title", "summary", "description", "problem", "beneficiaries", "address")
    data = {**proposal_form_data, **{name: f"{name} {XSS}"[:100] for name in text_fields}}
    response = client.post(_create_url(cycle), data)
    assert response.status_code == 302
    proposal = Proposal.objects.get(author=resident)

    page = client.get(proposal.get_absolute_url())
    list_page = client.get(reverse("proposals:proposal-list", args=[cycle.slug]))
    edit_page = client.get(reverse("proposals:proposal-edit", args=[proposal.pk]))
    for response in (page, list_page, edit_page):
        assert "<script>alert" not in response.text
        assert "<img src=x" not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text


def test_post_after_the_phase_ended_keeps_the_text(client, resident, cycle, proposal_form_data):
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    cycle_in_phase(cycle, Phase.REVIEW)
    response = client.post(_create_url(cycle), proposal_form_data)
    assert response.status_code == 400
    assert "The proposal phase of this cycle is closed, so nothing was saved." in response.text
    _assert_kept(response, proposal_form_data)
    assert Proposal.objects.exists() is False


def test_edit_after_the_phase_ended_keeps_the_text(client, author, proposal, proposal_form_data):
    client.force_login(author)
    client.cookies["django_language"] = "en"
    cycle_in_phase(proposal.cycle, Phase.REVIEW)
    data = {**proposal_form_data, "version": proposal.version, "title": "늦은 수정"}
    response = client.post(reverse("proposals:proposal-edit", args=[proposal.pk]), data)
    assert response.status_code == 400
    assert "The proposal phase of this cycle is closed" in response.text
    assert "늦은 수정" in response.text
    proposal.refresh_from_db()
    assert proposal.title == "부평시장 버스정류장 그늘막 설치"


def test_stale_edit_is_refused_and_keeps_the_text(client, author, proposal, proposal_form_data):
    client.force_login(author)
    client.cookies["django_language"] = "en"
    url = reverse("proposals:proposal-edit", args=[proposal.pk])
    opened_version = proposal.version
    first = client.post(url, {**proposal_form_data, "version": opened_version, "title": "탭 1"})
    assert first.status_code == 302

    second = client.post(url, {**proposal_form_data, "version": opened_version, "title": "탭 2"})

    assert second.status_code == 409
    assert "was changed elsewhere" in second.text
    assert "탭 2" in second.text
    proposal.refresh_from_db()
    assert proposal.title == "탭 1"
    assert proposal.version == opened_version + 1


def test_edit_of_submitted_proposal_is_public_history(client, author, proposal, proposal_form_data):
    client.force_login(author)
    client.cookies["django_language"] = "en"
    url = reverse("proposals:proposal-edit", args=[proposal.pk])
    data = {**proposal_form_data, "version": proposal.version, "title": "그늘막과 의자"}
    client.post(url, data)
    event = AuditEvent.objects.get(event_type="proposal_edited")
    assert event.is_public is True
    assert "title" in event.parameters["fields"]
    client.logout()
    client.cookies["django_language"] = "en"
    page = client.get(proposal.get_absolute_url())
    history = page.text.split('id="history-heading"')[1]
    assert "Proposal edited" in history


def test_similar_proposals_are_shown_before_submitting(
    client, resident, cycle, proposal, proposal_form_data
):
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    data = {**proposal_form_data, "title": "부평시장 버스정류장 의자", "similar_checked": ""}

    response = client.post(_create_url(cycle), data)

    draft = Proposal.objects.get(author=resident)
    assert draft.status == "draft"
    assert response["Location"] == reverse("proposals:proposal-edit", args=[draft.pk])
    page = client.get(response["Location"])
    assert "Similar proposals already exist" in page.text
    assert proposal.get_absolute_url() in page.text
    # Submitting from the edit page goes through (the resident has seen the list).
    form = page.context["form"]
    assert form.initial["similar_checked"] is True
    data = {**proposal_form_data, "title": draft.title, "version": draft.version}
    submitted = client.post(response["Location"], data)
    assert submitted.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_limit_per_resident_keeps_the_proposal_as_draft(
    client, resident, cycle, district_scope, policy_area, proposal_form_data
):
    cycle.proposal_limit_per_resident = 2
    cycle.save(update_fields=["proposal_limit_per_resident"])
    ProposalFactory.create_batch(2, author=resident, scope=district_scope, policy_area=policy_area)
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    response = client.post(_create_url(cycle), proposal_form_data)

    assert response.status_code == 400
    assert "You have already submitted 2 proposals" in response.text
    assert Proposal.objects.filter(author=resident).count() == 2


def test_withdrawn_proposal_frees_a_place(client, author, proposal):
    client.force_login(author)
    response = client.post(
        reverse("proposals:proposal-withdraw", args=[proposal.pk]), {"reason": "중복이라서"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"
    event = AuditEvent.objects.get(event_type="proposal_withdrawn")
    assert event.reason == "중복이라서"
    page = client.get(proposal.get_absolute_url())
    assert "중복이라서" in page.text


def test_withdrawing_a_draft_deletes_it(client, author, draft_proposal):
    client.force_login(author)
    response = client.post(reverse("proposals:proposal-withdraw", args=[draft_proposal.pk]))
    assert response.status_code == 302
    assert Proposal.objects.filter(pk=draft_proposal.pk).exists() is False


def test_scope_must_be_own_district_or_city(
    client, other_district_resident, cycle, district_scope, citywide_scope, proposal_form_data
):
    client.force_login(other_district_resident)
    client.cookies["django_language"] = "en"
    response = client.post(_create_url(cycle), proposal_form_data)  # Bupyeong-gu's pot
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    data = {**proposal_form_data, "scope": str(citywide_scope.pk)}
    assert client.post(_create_url(cycle), data).status_code == 302


def test_image_too_large_in_pixels_is_resized(client, resident, cycle, proposal_form_data):
    client.force_login(resident)
    big = io.BytesIO()
    Image.new("RGB", (4000, 1000), (0, 90, 0)).save(big, format="PNG")
    data = {**proposal_form_data, "image": _upload(big.getvalue(), "wide.png", "image/png")}
    assert client.post(_create_url(cycle), data).status_code == 302
    proposal = Proposal.objects.get(author=resident)
    with Image.open(proposal.image.path) as stored:
        assert stored.size == (2000, 500)
        assert stored.format == "JPEG"


@pytest.mark.parametrize(
    ("_case", "typed", "stored"),
    [
        ("commas", "30,000,000", 30_000_000),
        ("spaces and 원", "30 000 000원", 30_000_000),
        ("won sign", "₩45000000", 45_000_000),
    ],
)
def test_cost_as_people_type_it(_case, typed, stored, client, resident, cycle, proposal_form_data):
    client.force_login(resident)
    data = {**proposal_form_data, "cost_estimate_won": typed, "latitude": "37.48951234"}
    assert client.post(_create_url(cycle), data).status_code == 302
    proposal = Proposal.objects.get(author=resident)
    assert proposal.cost_estimate_won == stored
    assert str(proposal.latitude) == "37.489512"


def test_edit_without_version_is_refused(client, author, proposal, proposal_form_data):
    client.force_login(author)
    client.cookies["django_language"] = "en"
    data = {**proposal_form_data, "title": "버전 없는 수정"}
    response = client.post(reverse("proposals:proposal-edit", args=[proposal.pk]), data)
    assert response.status_code == 409
    assert "This form is out of date." in response.text
    assert "버전 없는 수정" in response.text
    proposal.refresh_from_db()
    assert proposal.title == "부평시장 버스정류장 그늘막 설치"
