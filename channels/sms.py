"""SMS backends, chosen by ``settings.CHAMYEO_SMS_BACKEND`` like Django's e-mail backends.

- ``ConsoleBackend`` (the demo) prints the message;
- ``LocmemBackend`` (tests) keeps it in ``channels.sms.outbox``;
- ``DisabledBackend`` (production's default when no provider is configured) sends nothing and
  tells the resident that phone verification is not offered;
- ``SolapiBackend`` sends through SOLAPI's REST API (https://developers.solapi.com), written
  against its documented HTTP interface (no SDK): ``POST /messages/v4/send`` with an
  ``HMAC-SHA256`` Authorization header (apiKey, date, salt, signature of date+salt).
"""

import hashlib
import hmac
import json
import secrets
import sys
import urllib.request
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class SmsMessage:
    to: str  # E.164, e.g. +821012345678
    text: str


class SmsError(Exception):
    """The provider did not accept the message."""


class BaseBackend:
    #: False for a backend that cannot deliver (phone verification is then not offered).
    available = True

    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class DisabledBackend(BaseBackend):
    available = False

    def send(self, message: SmsMessage) -> None:
        raise SmsError("SMS is not configured (CHAMYEO_SMS_BACKEND)")


class ConsoleBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        sys.stdout.write(f"SMS to {message.to}: {message.text}\n")
        sys.stdout.flush()


outbox: list[SmsMessage] = []


class LocmemBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


SOLAPI_URL = "https://api.solapi.com/messages/v4/send"


def solapi_authorization(*, api_key: str, api_secret: str, date: str, salt: str) -> str:
    """SOLAPI's Authorization header: HMAC-SHA256(secret, date + salt), hex."""
    signature = hmac.new(api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
    return f"HMAC-SHA256 apiKey={api_key}, date={date}, salt={salt}, signature={signature}"


def solapi_national_number(e164: str) -> str:
    """SOLAPI takes Korean numbers in national form: +821012345678 -> 01012345678."""
    return "0" + e164.removeprefix("+82") if e164.startswith("+82") else e164


class SolapiBackend(BaseBackend):
    timeout_seconds = 10

    def build_request(self, message: SmsMessage) -> urllib.request.Request:
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        salt = secrets.token_hex(16)
        body = {
            "message": {
                "to": solapi_national_number(message.to),
                "from": settings.CHAMYEO_SMS_SENDER,
                "text": message.text,
            }
        }
        return urllib.request.Request(
            SOLAPI_URL,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": solapi_authorization(
                    api_key=settings.SOLAPI_API_KEY,
                    api_secret=settings.SOLAPI_API_SECRET,
                    date=date,
                    salt=salt,
                ),
                "Content-Type": "application/json",
            },
        )

    def send(self, message: SmsMessage) -> None:
        request = self.build_request(message)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                status = response.status
        except OSError as error:
            raise SmsError(str(error)) from error
        if status >= 300:
            raise SmsError(f"SOLAPI answered {status}")


def get_backend() -> BaseBackend:
    return import_string(settings.CHAMYEO_SMS_BACKEND)()


def sms_available() -> bool:
    return get_backend().available


def send_sms(*, to: str, text: str) -> None:
    get_backend().send(SmsMessage(to=to, text=text))
