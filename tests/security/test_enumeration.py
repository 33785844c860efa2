"""Issue #16 item 5 (finding 7): sign-up, login, password reset and login by code answer the same
and do the same work for a registered and an unknown address.

"The same work" is checked structurally, not by timing: the same number of password hashes, the
same number of e-mails, the same answer (status, redirect, page). The timing itself is measured by
``benchmarks/bench_enumeration.py`` (not a test: times on a shared machine are not a pass/fail).
"""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.security import hashers

pytestmark = pytest.mark.django_db

PASSWORD = "a-Strong-pw-2026!"
KNOWN = "registered@example.kr"
UNKNOWN = "nobody-here@example.kr"


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.security.hashers.CountingMD5PasswordHasher"]
    hashers.CALLS.clear()
    return hashers.CALLS


@pytest.fixture
def registered(counting_hasher):
    from tests.accounts.factories import ResidentProfileFactory

    user = ResidentProfileFactory(user__email=KNOWN).user
    counting_hasher.clear()
    return user


def _signup(client, email):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent_account": "on",
        },
    )


def _login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": "wrong-pw-2026!"})


def _reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def _code(client, email):
    return client.post(reverse("account_request_login_code"), {"email": email})


def _run(client, flow, email, calls):
    """What one attempt shows and does: the answer, the hashes, the e-mails sent."""
    client.logout()
    calls.clear()
    mail.outbox.clear()
    response = flow(client, email)
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        # the page and its messages (the e-mails differ by design: "reset your password" /
        # "someone tried with your address"; each address gets one)
        "templates": sorted(
            {t.name for t in response.templates if t.name and "/email/" not in t.name}
        ),
        "errors": (
            sorted(str(e) for e in response.context["form"].errors.get("__all__", []))
            if response.context and "form" in response.context
            else None
        ),
        "hashes": len(calls),
        "mails": [m.to for m in mail.outbox],
    }


@pytest.mark.parametrize(
    ("flow", "mails"),
    [(_signup, 1), (_login, 0), (_reset, 1), (_code, 1)],
    ids=["signup", "login", "password-reset", "login-by-code"],
)
def test_a_registered_and_an_unknown_address_get_the_same_answer_and_work(
    client, registered, counting_hasher, flow, mails
):
    known = _run(client, flow, KNOWN, counting_hasher)
    unknown = _run(client, flow, UNKNOWN, counting_hasher)

    assert known.pop("mails") == [[KNOWN]] * mails
    assert unknown.pop("mails") == [[UNKNOWN]] * mails
    assert known == unknown
    # and the registered person's account is untouched; no account is made for a known address
    assert User.objects.filter(email__iexact=KNOWN).count() == 1


def test_sign_up_hashes_the_password_also_for_a_registered_address(
    client, registered, counting_hasher
):
    """The finding itself: a new address cost a hash (~300 ms), a registered one none (12 ms)."""
    _signup(client, KNOWN)
    assert counting_hasher == ["encode"]
    assert [m.subject for m in mail.outbox] != []
