"""SMS verification: codes by the configured backend, brute force and rate limits refused."""

import re

import pytest
from django.utils import timezone

from channels.models import PhoneVerification
from channels.services import ChannelError
from channels.services import check_phone_code
from channels.services import request_phone_code
from channels.services import verify_account_phone
from channels.sms import SmsError
from tests.accounts.factories import ResidentProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_code(django_capture_on_commit_callbacks):
    """request_phone_code, with the SMS sent as on commit (the test's transaction never commits)."""

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request_phone_code(**kwargs)

    return request


NUMBER = "010-1234-5678"


def _sent_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)


def test_code_goes_by_sms_and_verifies_the_number(request_code, sms_outbox):
    verification = request_code(raw_number=NUMBER, ip="203.0.113.9")
    assert sms_outbox[-1].to == "+821012345678"
    code = _sent_code(sms_outbox)
    assert code not in str(PhoneVerification.objects.values().get(pk=verification.pk))
    checked = check_phone_code(verification_id=verification.pk, code=code)
    assert checked.verified_at is not None


def test_five_wrong_tries_lock_the_code_even_for_the_right_one(request_code, sms_outbox):
    verification = request_code(raw_number=NUMBER, ip="203.0.113.9")
    code = _sent_code(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _try in range(5):
        with pytest.raises(ChannelError) as refused:
            check_phone_code(verification_id=verification.pk, code=wrong)
        assert refused.value.code == "wrong_code"
    with pytest.raises(ChannelError) as refused:
        check_phone_code(verification_id=verification.pk, code=code)
    assert refused.value.code == "too_many_tries"


def test_an_expired_code_is_refused(request_code, sms_outbox):
    verification = request_code(raw_number=NUMBER, ip="203.0.113.9")
    PhoneVerification.objects.filter(pk=verification.pk).update(expires_at=timezone.now())
    with pytest.raises(ChannelError) as refused:
        check_phone_code(verification_id=verification.pk, code=_sent_code(sms_outbox))
    assert refused.value.code == "expired"


def test_rate_limits_per_number_and_per_address(request_code, settings, sms_outbox):
    settings.CHAMYEO_SMS_PER_NUMBER_PER_HOUR = 2
    settings.CHAMYEO_SMS_PER_IP_PER_HOUR = 3
    for _i in range(2):
        request_code(raw_number=NUMBER, ip="203.0.113.9")
    with pytest.raises(ChannelError) as refused:
        request_code(raw_number=NUMBER, ip="198.51.100.1")
    assert refused.value.code == "rate_limited_number"
    request_code(raw_number="010-2222-3333", ip="203.0.113.9")
    with pytest.raises(ChannelError) as refused:
        request_code(raw_number="010-4444-5555", ip="203.0.113.9")
    assert refused.value.code == "rate_limited_ip"
    assert len(sms_outbox) == 3


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("+1 202 555 0143", "region_not_allowed"),
        ("02-123-4567", "not_mobile"),
        ("12", "invalid_number"),
    ],
)
def test_foreign_landline_and_bad_numbers_get_no_sms(request_code, number, code, sms_outbox):
    with pytest.raises(ChannelError) as refused:
        request_code(raw_number=number, ip="203.0.113.9")
    assert refused.value.code == code
    assert sms_outbox == []


def test_one_verified_number_belongs_to_one_account(request_code, sms_outbox):
    first, second = ResidentProfileFactory().user, ResidentProfileFactory().user
    for user in (first, second):
        verification = request_code(raw_number=NUMBER, ip="203.0.113.9", user=user)
        check_phone_code(verification_id=verification.pk, code=_sent_code(sms_outbox))
        verification.refresh_from_db()
        if user is first:
            verify_account_phone(user=user, verification=verification)
        else:
            with pytest.raises(ChannelError) as refused:
                verify_account_phone(user=user, verification=verification)
            assert refused.value.code == "number_taken"
    first.resident_profile.refresh_from_db()
    assert first.resident_profile.phone_verified_at is not None


class FailingBackend:
    available = True

    def send(self, message):
        raise SmsError("provider answered 503")


def test_a_message_the_provider_refuses_is_a_form_error_and_stores_nothing(
    request_code, settings, sms_outbox, caplog
):
    """When the SMS provider is down the resident is told at once, rather than waiting for a
    code that never comes, and the failed try does not count against the hourly limit."""
    settings.CHAMYEO_SMS_BACKEND = f"{__name__}.FailingBackend"
    with pytest.raises(ChannelError) as refused:
        request_code(raw_number=NUMBER, ip="203.0.113.9")
    assert refused.value.code == "sms_failed"
    assert not PhoneVerification.objects.exists()
    assert not re.search(r"\b\d{6}\b", caplog.text)  # the unsent code is not logged either


def test_without_an_sms_provider_phone_verification_is_not_offered(request_code, settings):
    settings.CHAMYEO_SMS_BACKEND = "channels.sms.DisabledBackend"
    with pytest.raises(ChannelError) as refused:
        request_code(raw_number=NUMBER, ip="203.0.113.9")
    assert refused.value.code == "sms_unavailable"
    assert "not offered" in refused.value.message
    assert not PhoneVerification.objects.exists()
