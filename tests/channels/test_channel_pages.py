"""The pages: voting with a code (and an SMS check), staff's code sheet, an officer's kiosk and
walk-in paper ballots; each refuses the wrong person and re-renders bad input."""

import re

import pytest
from django.urls import reverse

from budgeting.models import Ballot
from budgeting.models import Participation
from channels.models import VotingCode
from channels.models import VotingCodeBatch
from channels.services import create_code_batch
from channels.services import generate_code_batch
from channels.services import take_printable_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def code_text(voting_cycle, district_scope, staff_user):
    batch = create_code_batch(
        cycle=voting_cycle, scopes=[district_scope], size=2, created_by=staff_user
    )
    generate_code_batch(batch_id=batch.pk)
    return take_printable_codes(batch=batch)[0]


def test_a_resident_without_an_account_votes_with_a_code(
    client, code_text, district_scope, district_projects
):
    bad = client.post(reverse("channels:code-start"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert bad.status_code == 400
    assert "This code is not valid" in bad.content.decode()
    response = client.post(reverse("channels:code-start"), {"code": code_text.lower()})
    assert response["Location"] == reverse("channels:code-ballots")
    ballot_url = reverse("channels:code-ballot", kwargs={"scope_pk": district_scope.pk})
    assert ballot_url in client.get(reverse("channels:code-ballots")).content.decode()
    page = client.get(ballot_url).content.decode()
    assert re.search(r"Choose between \d+ and \d+ projects", page), "the ballot's rule is stated"
    receipt_url = reverse("channels:code-receipt", kwargs={"scope_pk": district_scope.pk})
    assert client.get(receipt_url)["Location"] == reverse("channels:code-ballots")  # not yet
    stored = client.post(ballot_url, {"proposals": [district_projects[0].pk]})
    assert stored.status_code == 302
    assert stored["Location"] == receipt_url
    shown = client.get(receipt_url).content.decode()
    receipt = re.search(r"data-receipt>([A-Z0-9-]+)<", shown).group(1)
    assert Participation.objects.get(receipt=receipt).channel == "code"
    assert receipt_url in client.get(reverse("channels:code-ballots")).content.decode()
    again = client.post(ballot_url, {"proposals": [district_projects[1].pk]})
    assert again.status_code == 400
    assert "already used on this ballot" in again.content.decode()
    assert Ballot.objects.count() == 1


def test_a_cycle_asking_for_a_phone_sends_the_code_holder_through_sms(
    client,
    code_text,
    voting_cycle,
    district_scope,
    district_projects,
    sms_outbox,
    django_capture_on_commit_callbacks,
):
    voting_cycle.requires_phone = True
    voting_cycle.save(update_fields=["requires_phone"])
    response = client.post(reverse("channels:code-start"), {"code": code_text})
    assert response["Location"] == reverse("channels:code-phone")
    phone_url = reverse("channels:code-phone")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(phone_url, {"phone_number": "010-9876-5432"})
    sms = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    assert client.post(phone_url, {"code": sms})["Location"] == reverse("channels:code-ballots")
    ballot_url = reverse("channels:code-ballot", kwargs={"scope_pk": district_scope.pk})
    stored = client.post(ballot_url, {"proposals": [district_projects[0].pk]})
    assert stored["Location"] == reverse(
        "channels:code-receipt", kwargs={"scope_pk": district_scope.pk}
    )
    participation = Participation.objects.get(scope=district_scope)
    assert participation.channel == "code"
    assert participation.receipt in client.get(stored["Location"]).content.decode()


def test_staff_print_a_sheet_once_and_revoke_it(client, staff_user, voting_cycle, district_scope):
    client.force_login(staff_user)
    url = reverse("channels:staff-code-batches", kwargs={"slug": voting_cycle.slug})
    assert client.post(url, {"size": 0, "scopes": [district_scope.pk]}).status_code == 400
    client.post(url, {"size": 3, "label": "동 주민센터", "scopes": [district_scope.pk]})
    batch = VotingCodeBatch.objects.get()
    generate_code_batch(batch_id=batch.pk)
    sheet_url = reverse("channels:staff-code-sheet", kwargs={"pk": batch.pk})
    first = client.post(sheet_url).content.decode()
    assert len(re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", first)) == 3
    assert "already printed" in client.post(sheet_url).content.decode()
    client.post(reverse("channels:staff-code-revoke", kwargs={"pk": batch.pk}))
    assert VotingCode.objects.filter(batch__revoked_at__isnull=False).count() == 3


def test_residents_may_not_manage_codes(client, resident, voting_cycle):
    client.force_login(resident)
    url = reverse("channels:staff-code-batches", kwargs={"slug": voting_cycle.slug})
    assert client.get(url).status_code == 403


def _kiosk_url(office, cycle):
    return reverse("channels:kiosk", kwargs={"office_pk": office.pk, "slug": cycle.slug})


def test_kiosk_identifies_a_voter_stores_the_ballot_and_returns_blank(
    client, officer, office, voting_cycle, district_scope, district_projects
):
    client.force_login(officer)
    url = _kiosk_url(office, voting_cycle)
    blank = client.get(url)
    assert "no-store" in blank["Cache-Control"]
    assert 'autocomplete="off"' in blank.content.decode()
    client.post(url, {"census_ref": "900101-1234567"})
    ballot = client.get(url).content.decode()
    assert district_projects[0].title in ballot
    client.post(url, {"proposals": [district_projects[0].pk]})
    assert "Your ballots are stored" in client.get(url).content.decode()
    finished = client.post(
        reverse("channels:kiosk-finish", kwargs={"office_pk": office.pk, "slug": voting_cycle.slug})
    )
    assert "no-store" in finished["Cache-Control"]
    after = client.get(url).content.decode()
    assert district_projects[0].title not in after
    assert "900101" not in after
    participation = Participation.objects.get(scope=district_scope)
    assert participation.channel == "kiosk"
    assert participation.office_record.officer == officer


def test_officer_of_another_office_is_refused(
    client, officer, other_office, voting_cycle, district_scope
):
    client.force_login(officer)
    assert client.get(_kiosk_url(other_office, voting_cycle)).status_code == 403
    paper = reverse(
        "channels:walk-in-paper",
        kwargs={
            "office_pk": other_office.pk,
            "slug": voting_cycle.slug,
            "scope_pk": district_scope.pk,
        },
    )
    assert client.get(paper).status_code == 403


def test_walk_in_paper_ballot_and_a_second_for_the_same_reference(
    client, officer, office, voting_cycle, district_scope, district_projects
):
    client.force_login(officer)
    url = reverse(
        "channels:walk-in-paper",
        kwargs={"office_pk": office.pk, "slug": voting_cycle.slug, "scope_pk": district_scope.pk},
    )
    data = {"census_ref": "A-1234-5678", "proposals": [district_projects[0].pk]}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data | {"census_ref": "a12345678"})
    assert again.status_code == 400
    assert "paper ballot was already cast" in again.content.decode()
    assert Participation.objects.get(scope=district_scope).office_record.office == office
