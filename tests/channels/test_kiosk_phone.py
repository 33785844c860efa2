"""The kiosk identifies a voter by a code sent to their mobile phone (instead of a census/ID
reference): the person is the number, so a number that voted online is refused at the kiosk;
only the office's officers may do it; nothing is left for the next voter."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import Participation
from channels.models import OfficeOfficer
from channels.phone import identify_kiosk_voter_by_phone
from channels.phone import request_kiosk_phone_code
from channels.services import phone_person_key
from voting.services.ballots import submit_ballot

pytestmark = pytest.mark.django_db

NUMBER = "010-2345-6789"
E164 = "+821023456789"


def _urls(office, cycle) -> dict[str, str]:
    kwargs = {"office_pk": office.pk, "slug": cycle.slug}
    return {
        "kiosk": reverse("channels:kiosk", kwargs=kwargs),
        "phone": reverse("channels:kiosk-phone", kwargs=kwargs),
        "finish": reverse("channels:kiosk-finish", kwargs=kwargs),
    }


def _sent_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)


def test_the_kiosk_identifies_a_voter_by_a_code_sent_to_their_phone(
    client, officer, office, voting_cycle, district_scope, district_projects, sms_outbox
):
    client.force_login(officer)
    urls = _urls(office, voting_cycle)
    assert urls["phone"] in client.get(urls["kiosk"]).content.decode()
    blank = client.get(urls["phone"])
    assert blank.status_code == 200
    assert "no-store" in blank["Cache-Control"]
    assert 'autocomplete="tel"' not in blank.content.decode()

    assert client.post(urls["phone"], {"phone_number": "02-123-4567"}).status_code == 400
    assert sms_outbox == []
    assert client.post(urls["phone"], {"phone_number": NUMBER})["Location"] == urls["phone"]
    assert sms_outbox[-1].to == E164
    waiting = client.get(urls["phone"]).content.decode()
    assert "010-****-6789" in waiting
    assert NUMBER not in waiting
    code = _sent_code(sms_outbox)
    wrong = client.post(urls["phone"], {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "This code is not right" in wrong.content.decode()
    assert client.post(urls["phone"], {"code": code})["Location"] == urls["kiosk"]

    assert district_projects[0].title in client.get(urls["kiosk"]).content.decode()
    client.post(urls["kiosk"], {"proposals": [district_projects[0].pk]})
    assert "Your ballots are stored" in client.get(urls["kiosk"]).content.decode()
    finished = client.post(urls["finish"])
    assert "no-store" in finished["Cache-Control"]
    for url in (urls["kiosk"], urls["phone"]):
        after = client.get(url).content.decode()
        assert district_projects[0].title not in after
        assert "6789" not in after
    assert not {"channels_kiosk_voter", "channels_kiosk_phone"} & set(client.session.keys())
    participation = Participation.objects.get(scope=district_scope)
    assert (participation.channel, participation.user_id) == ("kiosk", None)
    assert participation.person_key == phone_person_key(E164)
    assert participation.office_record.officer == officer


def test_a_number_that_voted_online_is_refused_at_the_kiosk(
    client,
    resident,
    officer,
    office,
    voting_cycle,
    district_scope,
    district_projects,
    sms_outbox,
):
    profile = resident.resident_profile
    profile.phone_number, profile.phone_verified_at = E164, timezone.now()
    profile.save()
    submit_ballot(voter=resident, scope=district_scope, choices={district_projects[0].pk: 1})
    client.force_login(officer)
    urls = _urls(office, voting_cycle)
    client.post(urls["phone"], {"phone_number": NUMBER})
    client.post(urls["phone"], {"code": _sent_code(sms_outbox)})
    client.post(urls["kiosk"], {"proposals": [district_projects[1].pk]})
    page = client.get(urls["kiosk"]).content.decode()
    assert "already voted online" in page
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert Participation.objects.get(scope=district_scope).channel == "online"
    conflict = AuditEvent.objects.get(event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT)
    assert conflict.parameters == {"counted_channel": "online", "refused_channel": "kiosk"}


def test_a_pending_code_is_gone_when_the_kiosk_is_finished(
    client, officer, office, voting_cycle, sms_outbox
):
    client.force_login(officer)
    urls = _urls(office, voting_cycle)
    client.post(urls["phone"], {"phone_number": NUMBER})
    client.post(urls["finish"])
    page = client.get(urls["phone"]).content.decode()
    assert "010-****-6789" not in page
    assert 'name="code"' not in page
    refused = client.post(urls["phone"], {"code": _sent_code(sms_outbox)})
    assert refused.status_code == 400
    assert "channels_kiosk_voter" not in client.session


@pytest.mark.parametrize("who", ["staff_user", "officer_elsewhere", "resident", "anonymous"])
def test_only_the_offices_officers_identify_voters_by_phone(
    client, request, who, office, other_office, voting_cycle, district_scope, sms_outbox
):
    if who == "officer_elsewhere":
        user = request.getfixturevalue("staff_user")
        OfficeOfficer.objects.create(user=user, office=other_office)
    elif who != "anonymous":
        user = request.getfixturevalue(who)
    if who != "anonymous":
        client.force_login(user)
    urls = _urls(office, voting_cycle)
    assert client.get(urls["phone"]).status_code in (302, 403)
    response = client.post(urls["phone"], {"phone_number": NUMBER})
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_login"))
    assert sms_outbox == []
    assert "channels_kiosk_phone" not in client.session


def test_the_services_refuse_anyone_not_posted_at_the_office(
    staff_user, office, other_office, voting_cycle, sms_outbox
):
    with pytest.raises(PermissionDenied):
        request_kiosk_phone_code(officer=staff_user, office=office, raw_number=NUMBER)
    with pytest.raises(PermissionDenied):
        identify_kiosk_voter_by_phone(
            officer=staff_user, office=office, verification_id=1, code="123456"
        )
    assert sms_outbox == []


def test_without_an_sms_provider_the_kiosk_says_so_and_sends_nothing(
    client, officer, office, voting_cycle, sms_outbox, settings
):
    settings.CHAMYEO_SMS_BACKEND = "channels.sms.DisabledBackend"
    client.force_login(officer)
    urls = _urls(office, voting_cycle)
    page = client.get(urls["phone"]).content.decode()
    assert "Phone verification is not offered here" in page
    assert 'name="phone_number"' not in page
    refused = client.post(urls["phone"], {"phone_number": NUMBER})
    assert refused.status_code == 400
    assert sms_outbox == []
