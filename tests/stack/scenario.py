"""A budget cycle driven through the stack's front door (nginx, HTTPS), as residents, the budget
office and the council use it, with a browser's cookies, CSRF tokens and Origin header.

Used by the stack test (tests/stack/test_stack.py); every response is recorded, so a test can
require that none was a server error.
"""

from __future__ import annotations

import io
import itertools
import random
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

import requests
from allauth.mfa.totp.internal.auth import format_hotp_value
from allauth.mfa.totp.internal.auth import hotp_value
from PIL import Image
from requests.adapters import HTTPAdapter

from tests.stack.harness import Stack

PASSWORD = "stack-Passw0rd-for-residents"
BUDGET_WON = 300_000_000
MAIN_COST_WON = 42_000_000
OTHER_COSTS_WON = (120_000_000, 80_000_000, 60_000_000, 150_000_000)

SETUP = r"""
import json
from datetime import timedelta
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import get_random_string
from accounts.models import ResidentProfile, User
from budgeting.models import BallotScope, BudgetCycle, CouncilMembership, District, PolicyArea
from budgeting.phases import Phase
from proposals.models import Proposal
from tests.accounts.factories import activate_totp
from tests.helpers import dates_for_phase

VOTERS, LOGINS, PASSWORD, OTHER_COSTS = %(voters)d, %(logins)d, %(password)r, %(costs)r
now = timezone.now()
district = District.objects.create(name_ko="부평구", name_en="Bupyeong-gu", slug="bupyeong-gu")
area = PolicyArea.objects.create(name_ko="환경", name_en="Environment", slug="environment")
cycle = BudgetCycle.objects.create(
    name_ko="2027년 인천 주민참여예산", name_en="Incheon participatory budget 2027",
    slug="incheon-2027", year=2027, phase=Phase.PROPOSALS, ballot_rule="knapsack",
    tally_rule="greedy", requires_verification=True, tie_break_seed="stack-test-seed",
    **dates_for_phase(Phase.PROPOSALS),
)
cycle.policy_areas.add(area)
scope = BallotScope.objects.create(cycle=cycle, district=district, budget_won=%(budget)d)
hashed = make_password(PASSWORD)


def person(email, name, **extra):
    user = User.objects.create(email=email, password=hashed, **extra)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    ResidentProfile.objects.create(
        user=user, display_name=name, district=district, birth_year=1980,
        relation="lives", verified_at=now,
    )
    return user


staff = person("office@stack.example", "예산과", is_staff=True, is_superuser=True)
member = person("council@stack.example", "박위원")
CouncilMembership.objects.create(cycle=cycle, user=member)
author = person("author@stack.example", "제안자")
others = [
    Proposal.objects.create(
        cycle=cycle, scope=scope, policy_area=area, author=author, title=f"다른 사업 {n}",
        summary="요약", description="설명", cost_estimate_won=cost,
        status=Proposal.Status.SUBMITTED, submitted_at=now,
    )
    for n, cost in enumerate(OTHER_COSTS)
]
voters = [person(f"voter{n}@stack.example", f"주민{n}") for n in range(VOTERS)]
store = SessionStore()
sessions, logged_in = [], []
for user in voters:
    key = get_random_string(32)
    data = {
        "_auth_user_id": str(user.pk),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": user.get_session_auth_hash(),
    }
    sessions.append(Session(session_key=key, session_data=store.encode(data),
                            expire_date=now + timedelta(days=1)))
    logged_in.append([user.pk, key])
Session.objects.bulk_create(sessions)
logins = [person(f"login{n}@stack.example", f"로그인{n}").email for n in range(LOGINS)]
print(json.dumps({
    "cycle": cycle.slug, "cycle_pk": cycle.pk, "scope": scope.pk, "district": district.pk,
    "area": area.pk,
    "staff": [staff.email, activate_totp(staff)], "council": [member.email, activate_totp(member)],
    "others": [p.pk for p in others], "voters": logged_in, "logins": logins,
}))
"""

# The council's work on the other proposals, done before the test's own review.
REVIEW_OTHERS = r"""
import json
from accounts.models import User
from proposals.models import Proposal
from proposals.review.services import record_council_decision, record_feasibility_review
member = User.objects.get(email="council@stack.example")
for proposal in Proposal.objects.filter(pk__in=%(others)r).order_by("pk"):
    record_feasibility_review(proposal=proposal, reviewer=member, verdict="feasible",
                              reviewed_cost_won=proposal.cost_estimate_won)
    record_council_decision(proposal=proposal, decided_by=member, decision="on_ballot",
                            public_reason="현장 확인 결과 설치 가능합니다.")
print(json.dumps(True))
"""

# What is stored for each voter (by user id), read as the count reads it: through voter_key.
STORED_BALLOTS = r"""
import json
from budgeting.models import BallotChoice
from voting.shared import voter_key
stored = {}
for key, proposal_id in BallotChoice.objects.filter(ballot__scope_id=%(scope)d).values_list(
    "ballot__voter_key", "proposal_id"
):
    stored.setdefault(key, []).append(proposal_id)
print(json.dumps({
    str(user_id): sorted(stored.get(voter_key(user_id=user_id, scope_id=%(scope)d), []))
    for user_id in %(users)r
}))
"""

PROFILE_PK = r"""
import json
from accounts.models import ResidentProfile
print(json.dumps(ResidentProfile.objects.get(user__email=%(email)r).pk))
"""

PROPOSAL_PK = r"""
import json
from proposals.models import Proposal
proposal = Proposal.objects.get(title=%(title)r)
print(json.dumps([proposal.pk, proposal.get_absolute_url()]))
"""


def jpeg(width: int = 640, height: int = 480) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 140, 90)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def form_errors(html: str) -> list[str]:
    """A re-rendered form's errors (field errors and alerts), for assertion messages."""
    fields = re.findall(r'id="id_(\w+)_errors"[^>]*>\s*([^<]*)', html)
    alerts = re.findall(r'class="alert[^"]*"[^>]*>\s*([^<]*)', html)
    return [f"{name}: {text.strip()}" for name, text in fields] + [a.strip() for a in alerts]


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def valid_choices(project_costs: dict[int, int]) -> list[tuple[int, ...]]:
    """Every ballot of 1-3 projects within the budget (knapsack)."""
    ids = sorted(project_costs)
    return [
        combo
        for size in (1, 2, 3)
        for combo in itertools.combinations(ids, size)
        if sum(project_costs[pk] for pk in combo) <= BUDGET_WON
    ]


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a given loopback address (127.0.0.x), as from another machine."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Recorder:
    """Every answer the clients got: (method, path, status), and connection failures."""

    answers: list[tuple[str, str, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def server_errors(self) -> list[tuple[str, str, int]]:
        return [answer for answer in self.answers if answer[2] >= 500]

    def statuses(self) -> Counter:
        return Counter(status for _m, _p, status in self.answers)


class Browser:
    """One person's browser: a cookie jar, CSRF token from the cookie, Origin on every POST."""

    def __init__(self, stack: Stack, recorder: Recorder, *, source: str | None = None) -> None:
        self.stack = stack
        self.recorder = recorder
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy or CA bundle from the environment
        self.session.verify = str(stack.certificate)
        if source:
            self.session.mount("https://", SourceAddressAdapter(source))

    def _record(self, method: str, path: str, response: requests.Response) -> requests.Response:
        with self.recorder.lock:
            self.recorder.answers.append((method, path, response.status_code))
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        return self._record("GET", path, self.session.get(self.stack.url + path, **kwargs))

    def csrf(self) -> str:
        if "csrftoken" not in self.session.cookies:
            self.get("/accounts/login/")
        return self.session.cookies["csrftoken"]

    def post(self, path: str, data: dict | list, files=None, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        headers = {"Origin": self.stack.url, "Referer": self.stack.url + path}
        headers.update(kwargs.pop("headers", {}))
        body = list(data.items()) if isinstance(data, dict) else list(data)
        body.append(("csrfmiddlewaretoken", self.csrf()))
        response = self.session.post(
            self.stack.url + path, data=body, files=files, headers=headers, **kwargs
        )
        return self._record("POST", path, response)

    def log_in(self, email: str, *, totp_secret: str | None = None, password: str = PASSWORD):
        response = self.post("/accounts/login/", {"login": email, "password": password})
        if totp_secret and response.status_code == 302:
            assert response.headers["Location"] == "/accounts/2fa/authenticate/", response.headers
            response = self.post("/accounts/2fa/authenticate/", {"code": totp_code(totp_secret)})
        return response


def latest_mail_link(stack: Stack, pattern: str, timeout: float = 60) -> str:
    """The link matching ``pattern`` in an e-mail the stack sent (the mail sink's
    output; a worker may send it a moment later)."""

    def find():
        for path in stack.mail_dir.glob("*.log"):
            found = re.search(pattern, path.read_text(errors="replace"))
            if found:
                return found.group(1)
        return None

    return wait_until(find, f"an e-mail with {pattern!r} in {stack.mail_dir}", timeout=timeout)


def wait_until(condition, what: str, timeout: float = 90, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class VotingCrowd:
    """Logged-in residents voting and changing their votes through nginx from several threads,
    each retrying a ballot until it is acknowledged (302 to the receipt). ``acknowledged`` holds
    each voter's last acknowledged choices."""

    def __init__(self, stack, recorder, *, voters, submit_path, choices, threads=12) -> None:
        self.stack = stack
        self.recorder = recorder
        self.voters = voters  # [(user id, session key)]
        self.submit_path = submit_path
        self.choices = choices
        self.threads = threads
        self.acknowledged: dict[int, tuple[int, ...]] = {}
        self.submitted = 0
        self.retries = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _client(self, voter_session: str) -> Browser:
        browser = Browser(self.stack, self.recorder)
        browser.session.cookies.set("sessionid", voter_session)
        browser.session.cookies.set("csrftoken", "c" * 32)
        return browser

    def cast(self, browser: Browser, user_id: int, ballot: tuple[int, ...]) -> None:
        for _attempt in range(200):
            try:
                response = browser.post(self.submit_path, [("proposals", pk) for pk in ballot])
            except requests.RequestException as error:
                with self.recorder.lock:
                    self.recorder.failures.append(repr(error))
                response = None
            if (
                response is not None
                and response.status_code == 302
                and "/receipt/" in response.headers.get("Location", "")
            ):
                with self.lock:
                    self.acknowledged[user_id] = ballot
                    self.submitted += 1
                return
            with self.lock:
                self.retries += 1
            time.sleep(0.2)
        raise AssertionError(f"voter {user_id}: no ballot acknowledged after 200 attempts")

    def _run(self, part: list, seed: int, final) -> None:
        rng = random.Random(seed)
        browsers = {user_id: self._client(key) for user_id, key in part}
        if final is not None:
            for user_id, _key in part:
                self.cast(browsers[user_id], user_id, final(user_id))
            return
        while not self.stop.is_set():
            for user_id, _key in part:
                if self.stop.is_set():
                    return
                self.cast(browsers[user_id], user_id, rng.choice(self.choices))
                time.sleep(0.02)

    def start(self, *, final=None) -> list[threading.Thread]:
        """Vote in threads until ``stop`` is set; with ``final(user_id)``, cast that once each."""
        self.stop.clear()
        parts = [self.voters[n :: self.threads] for n in range(self.threads)]
        threads = [
            threading.Thread(target=self._run, args=(part, n, final), daemon=True)
            for n, part in enumerate(parts)
        ]
        for thread in threads:
            thread.start()
        return threads

    def run_final(self, final) -> None:
        for thread in self.start(final=final):
            thread.join(timeout=300)


def loopback_sources(count: int) -> list[str]:
    """``count`` distinct loopback source addresses that can be bound (127.0.0.2, ...)."""
    sources = []
    for n in range(2, 250):
        address = f"127.0.0.{n}"
        with socket.socket() as sock:
            try:
                sock.bind((address, 0))
            except OSError:
                continue
        sources.append(address)
        if len(sources) == count:
            return sources
    raise AssertionError("not enough loopback addresses to bind")
