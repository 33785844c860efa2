"""Sign-up, login, password reset and login by code: time for a registered vs an unknown address.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chamyeo .venv/bin/python \\
        benchmarks/bench_enumeration.py [--samples 20]

Not a test (times on a shared machine are no pass/fail; ``tests/security/test_enumeration.py``
checks the work structurally). Runs in-process with Django's test client on a database of its own
(``chamyeo_bench_enumeration`` next to ``DATABASE_URL``'s, created and dropped), with the
production password hasher (Django's default PBKDF2, not the tests' MD5) and rate limits off.
Every flow alternates a registered and an unknown address; the figures are medians in ms.
The row "sign-up without the fix" runs the sign-up with allauth's own form (no password hash for
a registered address), as before issue #16: the gap it shows is what the fix closes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chamyeo")
os.environ["CHAMYEO_TEST_DB_NAME"] = "chamyeo_bench_enumeration"

import django  # noqa: E402

django.setup()

from allauth.account.forms import SignupForm as AllauthSignupForm  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.forms import SignupForm  # noqa: E402

PASSWORD = "a-Strong-pw-2026!"  # noqa: S105 (a benchmark account)
KNOWN = "registered@example.kr"


def _signup(client: Client, email: str):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "consent_account": "on"}
    return client.post(reverse("account_signup"), data)


def _login(client: Client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": "wrong-pw-2026!"})


def _reset(client: Client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email})


def _code(client: Client, email: str):
    return client.post(reverse("account_request_login_code"), {"email": email})


FLOWS = [
    ("sign-up", _signup),
    ("login", _login),
    ("password reset", _reset),
    ("login by code", _code),
]


def _time(flow, email: str) -> float:
    client = Client()
    mail.outbox = []
    started = time.perf_counter()
    response = flow(client, email)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code in (200, 302), response.status_code
    return elapsed


def _measure(flow, samples: int) -> tuple[float, float]:
    known, unknown = [], []
    for n in range(samples):
        known.append(_time(flow, KNOWN))
        unknown.append(_time(flow, f"new-{time.monotonic_ns()}-{n}@example.kr"))
    return statistics.median(known), statistics.median(unknown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            ACCOUNT_RATE_LIMITS=False,
        ):
            from tests.accounts.factories import ResidentProfileFactory

            ResidentProfileFactory(user__email=KNOWN)
            _time(_signup, "warm-up@example.kr")
            print(f"{'flow':28s} {'registered ms':>14s} {'unknown ms':>11s} {'ratio':>6s}")
            summary = []
            rows = [(name, flow, None) for name, flow in FLOWS]
            rows.append(("sign-up without the fix", _signup, AllauthSignupForm.try_save))
            for name, flow, original in rows:
                saved = SignupForm.try_save
                if original is not None:
                    SignupForm.try_save = original  # allauth's: no hash for a known address
                try:
                    known, unknown = _measure(flow, args.samples)
                finally:
                    SignupForm.try_save = saved
                ratio = known / unknown if unknown else float("nan")
                print(f"{name:28s} {known:14.1f} {unknown:11.1f} {ratio:6.2f}", flush=True)
                summary.append(f"{name.replace(' ', '_')}={known:.0f}/{unknown:.0f}")
            print(
                f"enumeration ({args.samples} samples, median ms registered/unknown, "
                f"{settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}): " + " ".join(summary)
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
