"""Issue #16 item 7: personal data under Korean law (개인정보 보호법).

Consent at sign-up (purpose, items, retention; required and optional apart), the privacy page,
the download of one's data, account deletion, and retention enforced by a beat task.
"""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from accounts.consents import POLICY_VERSION
from accounts.models import Consent
from accounts.models import ResidentProfile
from accounts.models import User
from accounts.selectors import has_consent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import Participation
from budgeting.models import ProjectFollow
from budgeting.phases import Phase
from core.retention import RetentionRule
from core.retention import list_retention_rules
from core.retention import register_retention_rule
from notifications.models import OutboxMessage
from privacy.services import enforce_retention
from privacy.tasks import enforce_retention_task
from proposals.models import Comment
from proposals.models import Endorsement
from tests.accounts.factories import PASSWORD
from tests.helpers import cycle_in_phase
from tests.proposals.factories import CommentFactory
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot
from voting.services.ballots import submit_ballot
from voting.services.ballots import withdraw_ballot

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "saram@example.kr",
    "password1": "a-Strong-pw-2026!",
    "password2": "a-Strong-pw-2026!",
}


# --- consent at sign-up ---------------------------------------------------------------------------
def test_sign_up_records_the_required_and_each_optional_answer(client):
    client.post(
        reverse("account_signup"), {**SIGNUP, "consent_account": "on", "consent_phone": "on"}
    )

    user = User.objects.get(email="saram@example.kr")
    answers = {c.purpose: (c.granted, c.policy_version) for c in Consent.objects.filter(user=user)}
    assert answers == {
        "account": (True, POLICY_VERSION),
        "committee_attributes": (False, POLICY_VERSION),
        "phone": (True, POLICY_VERSION),
    }
    assert has_consent(user=user, purpose=Consent.Purpose.PHONE) is True
    assert has_consent(user=user, purpose=Consent.Purpose.COMMITTEE_ATTRIBUTES) is False


def test_sign_up_without_the_required_consent_makes_no_account(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("account_signup"), {**SIGNUP, "consent_phone": "on"})

    assert response.status_code == 200
    assert "You need to agree to the required items" in response.text
    assert User.objects.exists() is False
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("ko", ["수집·이용 목적", "수집 항목", "보유 기간", "(필수)", "(선택", "휴대전화 번호"]),
        ("en", ["Purpose", "Items", "Kept for", "(required)", "(optional", "Phone number"]),
    ],
)
def test_the_sign_up_page_states_purpose_items_and_retention(client, language, texts):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("account_signup")).text
    for text in texts:
        assert text in page, text
    assert page.count('type="checkbox"') == 3
    assert f'href="{reverse("privacy:policy")}"' in page


# --- the privacy page ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "title", "sessions"),
    [("ko", "개인정보 처리방침", "만료된 로그인 세션"), ("en", "Privacy policy", "Login sessions")],
)
def test_the_privacy_page_is_linked_in_the_footer_and_lists_the_enforced_periods(
    client, language, title, sessions
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    home = client.get("/").text
    assert f'href="{reverse("privacy:policy")}"' in home.split("<footer")[1]
    page = client.get(reverse("privacy:policy")).text
    assert title in page
    assert sessions in page
    # the periods shown are the registry's (the ones the beat task enforces)
    with translation.override(language):
        for rule in list_retention_rules():
            assert str(rule.description) in page


# --- my data ------------------------------------------------------------------------------------
@pytest.fixture
def active_resident(resident, cycle, district_scope, proposal):
    """A resident who proposed, commented, endorsed, followed and voted (voting now closed)."""
    from tests.proposals.factories import ProposalFactory

    mine = ProposalFactory(
        author=resident, scope=district_scope, policy_area=proposal.policy_area, title="내 제안"
    )
    CommentFactory(proposal=proposal, author=resident, body="좋은 생각입니다")
    Endorsement.objects.create(proposal=proposal, user=resident)
    ProjectFollow.objects.create(proposal=proposal, user=resident)
    Consent.objects.create(
        user=resident, purpose="account", granted=True, policy_version=POLICY_VERSION
    )
    open_voting(cycle, rule="approval", approval_min_choices=1, approval_max_choices=1)
    [on_ballot] = put_on_ballot(district_scope, [10_000_000])
    ballot = submit_ballot(voter=resident, scope=district_scope, choices={on_ballot.pk: 1})
    return {"user": resident, "proposal": mine, "ballot": ballot, "on_ballot": on_ballot}


def test_a_resident_downloads_everything_about_them_and_nothing_about_their_choices(
    client, active_resident
):
    user = active_resident["user"]
    client.force_login(user)
    response = client.get(reverse("privacy:download"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email
    assert data["profile"]["display_name"] == "이주민"
    assert [c["purpose"] for c in data["consents"]] == ["account"]
    assert [p["title"] for p in data["proposals"]] == ["내 제안"]
    assert [c["body"] for c in data["comments"]] == ["좋은 생각입니다"]
    assert len(data["endorsements"]) == 1
    assert len(data["follows"]) == 1
    [participation] = data["participations"]
    assert participation["voted_at"] is not None
    # who voted, never what: no ballot id, receipt or chosen project anywhere in the file
    ballot = active_resident["ballot"]
    text = response.content.decode()
    assert str(ballot.pk) not in text
    assert ballot.receipt not in text
    assert "choice" not in text
    assert f'"proposal_id": {active_resident["on_ballot"].pk}' not in text


def test_the_download_needs_a_login(client):
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 302


def test_optional_consents_can_be_given_and_withdrawn(client, resident):
    client.force_login(resident)
    client.post(reverse("privacy:consents"), {"phone": "on"})
    assert has_consent(user=resident, purpose="phone") is True
    client.post(reverse("privacy:consents"), {})
    assert has_consent(user=resident, purpose="phone") is False
    assert list(
        Consent.objects.filter(user=resident).order_by("pk").values_list("purpose", "granted")
    ) == [("phone", True), ("phone", False)]


# --- deleting the account -----------------------------------------------------------------------
def _delete(client, password=PASSWORD, confirm=True):
    data = {"password": password}
    if confirm:
        data["confirm"] = "on"
    return client.post(reverse("privacy:delete"), data)


def test_deleting_the_account_erases_personal_data_and_keeps_the_public_record(
    client, active_resident, cycle
):
    user = active_resident["user"]
    scope = active_resident["ballot"].scope
    cycle_in_phase(cycle, Phase.TALLYING)
    ballots_before = (Ballot.objects.count(), BallotChoice.objects.count())
    old_email = user.email
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"

    response = _delete(client)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.deleted_at is not None
    assert old_email not in user.email
    assert user.email.endswith("@deleted.invalid")
    assert user.has_usable_password() is False
    assert user.is_active is False
    assert ResidentProfile.objects.filter(user=user).exists() is False
    assert EmailAddress.objects.filter(user=user).exists() is False
    assert Consent.objects.filter(user=user).exists() is False
    assert ProjectFollow.objects.filter(user=user).exists() is False
    # ballots stay counted (nothing links them to the account); turnout keeps the participation
    assert (Ballot.objects.count(), BallotChoice.objects.count()) == ballots_before
    assert Participation.objects.filter(scope=scope, voted_at__isnull=False).count() == 1
    # proposals and comments stay, by "former resident"
    page = client.get(active_resident["proposal"].get_absolute_url()).text
    assert "탈퇴한 주민" in page
    assert Comment.objects.filter(author=user).count() == 1
    # and the old address logs in no more
    client.post(reverse("account_login"), {"login": old_email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_address_can_sign_up_again_as_a_new_person(client, resident):
    email = resident.email
    client.force_login(resident)
    _delete(client)
    client.post(
        reverse("account_signup"),
        {**SIGNUP, "email": email, "consent_account": "on"},
    )
    assert User.objects.filter(email=email).exclude(pk=resident.pk).count() == 1


def test_deleting_is_refused_while_the_person_has_a_ballot_in_an_open_vote(client, active_resident):
    user = active_resident["user"]
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = _delete(client)

    assert response.status_code == 400
    assert "Withdraw your ballot first" in response.text
    user.refresh_from_db()
    assert user.deleted_at is None
    assert ResidentProfile.objects.filter(user=user).exists()
    # withdrawn, the ballot no longer counts and the account can go
    withdraw_ballot(voter=user, scope=active_resident["ballot"].scope)
    assert _delete(client).status_code == 302


@pytest.mark.parametrize(("password", "confirm"), [("wrong-password", True), (PASSWORD, False)])
def test_deleting_needs_the_password_and_the_confirmation(client, resident, password, confirm):
    client.force_login(resident)
    response = _delete(client, password=password, confirm=confirm)
    assert response.status_code == 400
    resident.refresh_from_db()
    assert resident.deleted_at is None


def test_staff_accounts_are_not_deleted_here(client, staff_user):
    client.force_login(staff_user)
    assert _delete(client).status_code == 400
    staff_user.refresh_from_db()
    assert staff_user.deleted_at is None


# --- retention ----------------------------------------------------------------------------------
def test_retention_deletes_what_is_past_its_period_once(resident):
    now = timezone.now()

    def outbox(sent_days_ago):
        message = OutboxMessage.objects.create(
            recipient=resident, to_email=resident.email, template="t"
        )
        sent_at = None if sent_days_ago is None else now - timedelta(days=sent_days_ago)
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=sent_at)
        return message.pk

    old_mail, recent_mail, unsent = outbox(31), outbox(29), outbox(None)

    def signup(email, days_ago, verified):
        user = User.objects.create_user(email=email, password="x")
        User.objects.filter(pk=user.pk).update(date_joined=now - timedelta(days=days_ago))
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        return user.pk

    abandoned = signup("abandoned@example.kr", 8, False)
    fresh = signup("fresh@example.kr", 6, False)
    confirmed = signup("confirmed@example.kr", 30, True)
    scripted = User.objects.create_user(email="by-staff@example.kr")  # no e-mail record
    User.objects.filter(pk=scripted.pk).update(date_joined=now - timedelta(days=30))

    expired, live = SessionStore(), SessionStore()
    expired.set_expiry(-60)
    expired.create()
    live.create()

    first = enforce_retention_task.apply().get()
    second = enforce_retention()

    assert first["notifications.sent_outbox"] == 1
    assert first["accounts.unconfirmed_signups"] == 1
    assert first["sessions.expired"] >= 1
    assert set(second.values()) == {0}  # idempotent: nothing more the second time
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent_mail, unsent}
    assert old_mail not in OutboxMessage.objects.values_list("pk", flat=True)
    users = set(User.objects.values_list("pk", flat=True))
    assert abandoned not in users
    assert {fresh, confirmed, scripted.pk, resident.pk} <= users
    assert Session.objects.filter(session_key=expired.session_key).exists() is False
    assert Session.objects.filter(session_key=live.session_key).exists() is True


def test_the_beat_schedule_runs_retention():
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "privacy.enforce_retention" in entries


def test_other_apps_can_register_a_rule_and_the_settings_can_change_its_period(settings):
    seen = []
    rule = RetentionRule(
        name="tests.sms_codes", description="SMS codes", days=1, purge=lambda t: seen.append(t) or 3
    )
    register_retention_rule(rule)
    try:
        settings.CHAMYEO_RETENTION_DAYS = {"tests.sms_codes": 2}
        result = enforce_retention()
        assert result["tests.sms_codes"] == 3
        assert timezone.now() - seen[0] > timedelta(days=2) - timedelta(minutes=1)
    finally:
        from core import retention

        retention._RULES.pop("tests.sms_codes")
