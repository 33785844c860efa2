"""Voting by phone alone (as Seoul's mVoting): a resident without an account or a code verifies
a Korean mobile number by SMS, states their district, and votes; one number, one ballot per pot
whichever way it votes; a cycle setting, off by default, frozen once voting opens."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from budgeting.exceptions import RulesFrozenError
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from budgeting.phases import Phase
from budgeting.services.cycles import update_cycle
from channels.models import PhoneVerification
from channels.phone import PhoneDeclaration
from channels.phone import vote_by_phone
from channels.selectors import count_turnout_by_channel
from channels.services import ChannelError
from channels.services import phone_person_key
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.helpers import cycle_in_phase
from tests.voting.factories import put_on_ballot
from voting.services.ballots import submit_ballot
from voting.shared import BallotRefusedError

pytestmark = pytest.mark.django_db

NUMBER = "010-1234-5678"
E164 = "+821012345678"


@pytest.fixture
def phone_cycle(voting_cycle):
    BudgetCycle.objects.filter(pk=voting_cycle.pk).update(allow_phone_voting=True)
    voting_cycle.refresh_from_db()
    return voting_cycle


def _sent_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)


def _urls(cycle, scope=None) -> dict[str, str]:
    urls = {
        name: reverse(f"channels:phone-vote{suffix}", kwargs={"slug": cycle.slug})
        for name, suffix in [
            ("start", ""),
            ("about", "-about"),
            ("ballots", "-ballots"),
            ("finish", "-finish"),
        ]
    }
    if scope is not None:
        urls["ballot"] = reverse(
            "channels:phone-vote-ballot", kwargs={"slug": cycle.slug, "scope_pk": scope.pk}
        )
    return urls


def _verify(client, cycle, outbox, number=NUMBER):
    urls = _urls(cycle)
    sent = client.post(urls["start"], {"phone_number": number})
    assert sent.status_code == 200, sent.content.decode()
    verified = client.post(urls["start"], {"code": _sent_code(outbox)})
    assert verified["Location"] == urls["about"]


def _state(client, cycle, district, birth_year=1980):
    data = {"birth_year": birth_year, "relation": "lives", "truthful": "on"}
    if district is not None:
        data["district"] = district.pk
    stated = client.post(_urls(cycle)["about"], data)
    assert stated["Location"] == _urls(cycle)["ballots"]


def _receipt(response) -> str:
    return re.search(r"data-receipt>([A-Z0-9-]+)<", response.content.decode()).group(1)


def _verification(number=E164) -> PhoneVerification:
    now = timezone.now()
    return PhoneVerification.objects.create(
        phone_number=number,
        code_hash="-",
        salt="-",
        expires_at=now + timedelta(minutes=5),
        verified_at=now,
    )


def test_a_resident_votes_by_phone_alone_end_to_end(
    client, phone_cycle, district, district_scope, district_projects, citywide_scope, sms_outbox
):
    urls = _urls(phone_cycle, district_scope)
    cycle_page = client.get(phone_cycle.get_absolute_url()).content.decode()
    assert urls["start"] in cycle_page
    assert "You may also vote by phone alone" in cycle_page
    assert client.get(urls["ballots"])["Location"] == urls["start"]  # nothing verified yet

    start = client.get(urls["start"])
    assert start.status_code == 200
    assert 'name="phone_number"' in start.content.decode()
    foreign = client.post(urls["start"], {"phone_number": "+1 202 555 0100"})
    assert foreign.status_code == 400
    assert "Only Korean mobile phone numbers" in foreign.content.decode()
    assert sms_outbox == []

    assert client.post(urls["start"], {"phone_number": NUMBER}).status_code == 200
    assert sms_outbox[-1].to == E164
    wrong = client.post(
        urls["start"], {"code": "000000" if _sent_code(sms_outbox) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert "This code is not right" in wrong.content.decode()
    assert client.post(urls["start"], {"code": _sent_code(sms_outbox)})["Location"] == urls["about"]
    assert E164 not in str(dict(client.session))  # the session keeps no number

    assert client.get(urls["ballots"])["Location"] == urls["about"]  # no statement yet
    about = client.get(urls["about"]).content.decode()
    assert "010-****-5678" in about
    unstated = client.post(urls["about"], {"birth_year": 1980, "relation": "lives"})
    assert unstated.status_code == 400
    _state(client, phone_cycle, district)

    ballots = client.get(urls["ballots"]).content.decode()
    assert urls["ballot"] in ballots
    assert str(citywide_scope.name) in ballots
    assert client.get(urls["ballot"]).status_code == 200
    empty = client.post(urls["ballot"], {})
    assert empty.status_code == 400
    assert not Ballot.objects.exists()

    stored = client.post(urls["ballot"], {"proposals": [district_projects[0].pk]})
    assert stored.status_code == 200
    participation = Participation.objects.get(receipt=_receipt(stored))
    assert (participation.channel, participation.user_id) == ("phone", None)
    assert participation.person_key == phone_person_key(E164)
    assert "Voted: you may change it" in client.get(urls["ballots"]).content.decode()

    # turnout by channel counts it (the selector, the API and the cycle page)
    assert count_turnout_by_channel(scope=district_scope)["phone"] == 1
    turnout = client.get(f"/api/v1/cycles/{phone_cycle.slug}/turnout").json()
    assert {"label": "Phone number verified by SMS", "voters": 1} in turnout["per_channel"]

    done = client.post(urls["finish"])
    assert done["Location"] == reverse("home")
    assert client.get(urls["ballots"])["Location"] == urls["start"]


def test_the_vote_is_changed_by_verifying_the_same_phone_again(
    client, phone_cycle, district, district_scope, district_projects, sms_outbox, settings
):
    settings.CHAMYEO_SMS_PER_NUMBER_PER_HOUR = 5
    urls = _urls(phone_cycle, district_scope)
    _verify(client, phone_cycle, sms_outbox)
    _state(client, phone_cycle, district)
    first = _receipt(client.post(urls["ballot"], {"proposals": [district_projects[0].pk]}))
    client.post(urls["finish"])

    _verify(client, phone_cycle, sms_outbox)  # another day, another device: the same number
    _state(client, phone_cycle, district)
    second = _receipt(client.post(urls["ballot"], {"proposals": [district_projects[1].pk]}))

    assert first != second
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert list(BallotChoice.objects.values_list("proposal_id", flat=True)) == [
        district_projects[1].pk
    ]
    participation = Participation.objects.get(scope=district_scope)
    assert (participation.channel, participation.receipt) == ("phone", second)
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.BALLOT_CHANGED).count() == 1
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT)


def test_the_account_with_this_verified_phone_and_the_phone_alone_give_one_ballot(
    resident, phone_cycle, district, district_scope, district_projects
):
    profile = resident.resident_profile
    profile.phone_number, profile.phone_verified_at = E164, timezone.now()
    profile.save()
    statement = PhoneDeclaration(birth_year=1980, relation="lives", district_id=district.pk)
    choice = {district_projects[0].pk: 1}

    submit_ballot(voter=resident, scope=district_scope, choices=choice)
    with pytest.raises(BallotRefusedError) as refused:
        vote_by_phone(
            verification_id=_verification().pk,
            scope=district_scope,
            choices={district_projects[1].pk: 1},
            declaration=statement,
        )
    assert refused.value.code == "already_voted"
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert Participation.objects.get(scope=district_scope).channel == "online"
    conflict = AuditEvent.objects.get(event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT)
    assert conflict.parameters == {"counted_channel": "online", "refused_channel": "phone"}


def test_a_phone_alone_ballot_first_refuses_the_account_with_that_phone(
    resident, phone_cycle, district, district_scope, district_projects
):
    profile = resident.resident_profile
    profile.phone_number, profile.phone_verified_at = E164, timezone.now()
    profile.save()
    statement = PhoneDeclaration(birth_year=1980, relation="lives", district_id=district.pk)
    vote_by_phone(
        verification_id=_verification().pk,
        scope=district_scope,
        choices={district_projects[0].pk: 1},
        declaration=statement,
    )
    with pytest.raises(BallotRefusedError) as refused:
        submit_ballot(voter=resident, scope=district_scope, choices={district_projects[1].pk: 1})
    assert refused.value.code == "already_voted"
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert Participation.objects.get(scope=district_scope).channel == "phone"


def test_refused_when_the_cycle_does_not_allow_it(
    client, voting_cycle, district, district_scope, district_projects, sms_outbox
):
    assert voting_cycle.allow_phone_voting is False  # off by default
    urls = _urls(voting_cycle)
    assert urls["start"] not in client.get(voting_cycle.get_absolute_url()).content.decode()
    page = client.get(urls["start"]).content.decode()
    assert "This cycle does not offer voting by phone alone" in page
    assert 'name="phone_number"' not in page
    refused = client.post(urls["start"], {"phone_number": NUMBER})
    assert refused.status_code == 403
    assert sms_outbox == []
    with pytest.raises(ChannelError) as error:
        vote_by_phone(
            verification_id=_verification().pk,
            scope=district_scope,
            choices={district_projects[0].pk: 1},
            declaration=PhoneDeclaration(
                birth_year=1980, relation="lives", district_id=district.pk
            ),
        )
    assert error.value.code == "phone_voting_not_offered"
    assert not Ballot.objects.exists()


def test_refused_where_only_verified_residents_may_vote_and_the_page_says_why(
    client, phone_cycle, district, district_scope, district_projects, sms_outbox
):
    BudgetCycle.objects.filter(pk=phone_cycle.pk).update(requires_verification=True)
    urls = _urls(phone_cycle)
    page = client.get(urls["start"]).content.decode()
    assert "Only residents verified by staff may vote in this cycle" in page
    assert (
        "Voting by phone alone is not offered"
        in client.get(phone_cycle.get_absolute_url()).content.decode()
    )
    assert client.post(urls["start"], {"phone_number": NUMBER}).status_code == 403
    assert sms_outbox == []
    phone_cycle.refresh_from_db()
    with pytest.raises(ChannelError):
        vote_by_phone(
            verification_id=_verification().pk,
            scope=district_scope,
            choices={district_projects[0].pk: 1},
            declaration=PhoneDeclaration(
                birth_year=1980, relation="lives", district_id=district.pk
            ),
        )
    assert not Ballot.objects.exists()


def test_the_stated_district_and_age_decide_the_pots(
    client, phone_cycle, district, other_district, district_scope, district_projects, sms_outbox
):
    other_scope = BallotScopeFactory(cycle=phone_cycle, district=other_district)
    other_projects = put_on_ballot(other_scope, [50_000_000])
    urls = _urls(phone_cycle, district_scope)
    _verify(client, phone_cycle, sms_outbox)
    _state(client, phone_cycle, other_district)
    ballots = client.get(urls["ballots"]).content.decode()
    assert urls["ballot"] not in ballots
    refused = client.post(urls["ballot"], {"proposals": [district_projects[0].pk]})
    assert refused.status_code == 400
    assert "This ballot is for residents of another district" in refused.content.decode()
    other_url = _urls(phone_cycle, other_scope)["ballot"]
    assert client.post(other_url, {"proposals": [other_projects[0].pk]}).status_code == 200

    # stating another district afterwards does not give a second district's ballot
    _state(client, phone_cycle, district)
    again = client.post(urls["ballot"], {"proposals": [district_projects[0].pk]})
    assert again.status_code == 400
    assert "another district" in again.content.decode()
    assert not Participation.objects.filter(scope=district_scope).exists()

    # too young: no pot at all
    _state(client, phone_cycle, district, birth_year=timezone.localdate().year - 5)
    assert "there is no ballot you may vote on" in client.get(urls["ballots"]).content.decode()
    too_young = client.post(urls["ballot"], {"proposals": [district_projects[0].pk]})
    assert "minimum voting age" in too_young.content.decode()


def test_a_dong_resident_votes_on_the_pot_of_their_gu(
    phone_cycle, district, district_scope, district_projects
):
    dong = DistrictFactory(slug="bupyeong-1-dong", name_ko="부평1동", name_en="Bupyeong 1-dong")
    dong.parent = district
    dong.save()
    ballot = vote_by_phone(
        verification_id=_verification().pk,
        scope=district_scope,
        choices={district_projects[0].pk: 1},
        declaration=PhoneDeclaration(birth_year=1980, relation="lives", district_id=dong.pk),
    )
    assert ballot.receipt


def test_a_phone_check_lasts_thirty_minutes(
    client, phone_cycle, district, district_scope, district_projects, sms_outbox
):
    urls = _urls(phone_cycle, district_scope)
    _verify(client, phone_cycle, sms_outbox)
    _state(client, phone_cycle, district)
    PhoneVerification.objects.update(verified_at=timezone.now() - timedelta(minutes=31))
    late = client.post(urls["ballot"], {"proposals": [district_projects[0].pk]})
    assert late["Location"] == urls["start"]
    assert not Ballot.objects.exists()


def test_sms_limits_per_address_hold_on_the_phone_voting_page(
    client, phone_cycle, sms_outbox, settings
):
    settings.CHAMYEO_SMS_PER_IP_PER_HOUR = 1
    urls = _urls(phone_cycle)
    assert client.post(urls["start"], {"phone_number": NUMBER}).status_code == 200
    refused = client.post(urls["start"], {"phone_number": "010-2222-3333"})
    assert refused.status_code == 400
    assert "Too many codes were requested from here" in refused.content.decode()
    assert len(sms_outbox) == 1


def test_the_setting_is_edited_in_the_wizard_and_frozen_once_voting_opens(
    client, staff_user, district
):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.DRAFT)
    client.force_login(staff_user)
    step = reverse("console:wizard-step", kwargs={"slug": cycle.slug, "step": "eligibility"})
    form = {"minimum_age": "14", "residents_may_vote": "on", "allow_phone_voting": "on"}
    assert "allow_phone_voting" in client.get(step).content.decode()
    both = client.post(step, {**form, "requires_verification": "on"})
    assert both.status_code == 400
    assert "cannot be offered when only verified residents may vote" in both.content.decode()
    cycle.refresh_from_db()
    assert cycle.allow_phone_voting is False
    assert client.post(step, form).status_code == 302
    cycle.refresh_from_db()
    assert cycle.allow_phone_voting is True

    cycle_in_phase(cycle, Phase.VOTING)
    with pytest.raises(RulesFrozenError):
        update_cycle(cycle=cycle, allow_phone_voting=False, actor=staff_user)
    page = client.get(step).content.decode()
    assert re.search(r'<input[^>]*name="allow_phone_voting"[^>]*disabled', page)
    client.post(step, {"minimum_age": "14", "residents_may_vote": "on"})
    cycle.refresh_from_db()
    assert cycle.allow_phone_voting is True


def test_without_an_sms_provider_phone_voting_is_not_offered(
    client, phone_cycle, sms_outbox, settings
):
    settings.CHAMYEO_SMS_BACKEND = "channels.sms.DisabledBackend"
    urls = _urls(phone_cycle)
    page = client.get(urls["start"]).content.decode()
    assert "Phone verification is not offered here" in page
    assert client.post(urls["start"], {"phone_number": NUMBER}).status_code == 403
    assert sms_outbox == []
