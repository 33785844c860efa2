"""Drive the real app under gunicorn on loopback with concurrent residents casting ballots.

Usage (``make bench-ballots``)::

    .venv/bin/python benchmarks/bench_ballots.py [--seconds 30] [--clients 32] [--residents 6000]
                                                 [--workers 2] [--threads 8]
                                                 [--mode online|code] [--codes 20000]
                                                 [--entries 200]

What it does:
1. recreates a PostgreSQL database of its own (``BENCH_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/chamyeo_bench``; never the test or demo database) and
   migrates it; starts a private redis-server on a free port as the Celery broker and the cache
   (sessions are in PostgreSQL, Django's default engine, so a Redis outage logs nobody out);
2. creates one cycle with voting open (approval, up to 3 of 8 projects on a district ballot) and
   ``--residents`` eligible residents, each logged in as a login leaves them (a session row);
3. starts gunicorn (``config.settings.bench``: DEBUG off, persistent connections, gthread
   workers, keep-alive) on a free loopback port;
4. for ``--seconds``, ``--clients`` concurrent residents (one asyncio loop, one keep-alive
   connection each, raw HTTP/1.1) each take the next resident and POST the ballot form to the
   real submit URL as a browser does (session and CSRF cookies, the form's CSRF token, Origin),
   then POST a changed ballot; a request counts as acknowledged only if it answers 302 to the
   receipt page;
5. stops the server and compares what was acknowledged with what is stored: a resident's
   stored choices must equal their last acknowledged ballot.

``--mode code`` (``BENCH_MODE=code``): residents without accounts vote with one-time voting
codes instead. Step 2 makes ``--codes`` codes for the ballot as staff do (a batch, the
generating task run in place, the printed sheet) and, as online residents are logged in before
the timing, has each code typed already: the first ``--entries`` (``BENCH_ENTRIES``, 200) are
typed on ``/vote/code/`` over HTTP after the server starts (a new session, answered 302 to the
list of ballots; their latencies are printed, untimed, like a login), the others get the session
row a code entry leaves. In step 4 each client takes the next code's session and POSTs the
ballot form of the code's ballot as a browser does (session and CSRF cookies, the form's token,
Origin); it counts as acknowledged only if it answers 302 to the code's receipt page. A code
votes once per ballot, so there are no changes. Step 5 checks each acknowledged code's stored
ballot. Its last line starts with ``code ballots:`` instead of ``ballots:``.

It prints the CPU used per acknowledged ballot by the gunicorn workers, the PostgreSQL backends
and the load client (they share the machine's cores).

The last line is exactly
``ballots: per_s=<n> p50_ms=<n> p95_ms=<n> p99_ms=<n> errors=<n> lost=<n>``
where per_s counts acknowledged submissions and changes per second.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlencode
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/chamyeo_bench"
PROJECTS = 8
MAX_CHOICES = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("chamyeo_bench"):
        raise SystemExit(f"refusing to recreate {name!r}: the name must start with chamyeo_bench")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_env(extra: dict) -> dict:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.bench", **extra})
    return env


def set_up_cycle():
    """The cycle (voting open; approval, up to 3 of 8), its district ballot and the projects.
    Returns (cycle, district, scope, projects)."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from budgeting.models import BallotScope
    from budgeting.models import BudgetCycle
    from budgeting.models import District
    from budgeting.models import PolicyArea
    from budgeting.phases import Phase
    from proposals.models import Proposal

    now = timezone.now()
    district = District.objects.create(name="부평구", slug="bupyeong-gu")
    area = PolicyArea.objects.create(name="교통", slug="transport")
    cycle = BudgetCycle.objects.create(
        name="Bench cycle",
        slug="bench",
        year=2027,
        phase=Phase.VOTING,
        proposals_start_at=now - timedelta(days=60),
        proposals_end_at=now - timedelta(days=30),
        voting_start_at=now - timedelta(days=1),
        voting_end_at=now + timedelta(days=1),
        ballot_rule=BudgetCycle.BallotRule.APPROVAL,
        approval_min_choices=1,
        approval_max_choices=MAX_CHOICES,
    )
    scope = BallotScope.objects.create(cycle=cycle, district=district, budget_won=500_000_000)
    author = User.objects.create(email="author@bench.example", password=make_password(None))
    projects = Proposal.objects.bulk_create(
        Proposal(
            cycle=cycle,
            scope=scope,
            policy_area=area,
            author=author,
            title=f"사업 {n}",
            summary="요약",
            description="설명",
            cost_estimate_won=50_000_000,
            reviewed_cost_won=50_000_000,
            status=Proposal.Status.ON_BALLOT,
            submitted_at=now,
        )
        for n in range(PROJECTS)
    )
    return cycle, district, scope, projects


def set_up_election(residents: int) -> tuple[dict, list[tuple[int, str, str]], list[int]]:
    """Cycle, scope, projects and logged-in residents. Returns (urls, residents, project ids)."""
    cycle, district, scope, projects = set_up_cycle()
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import ResidentProfile
    from accounts.models import User

    now = timezone.now()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"resident{n}@bench.example", password=unusable) for n in range(residents)
    )
    ResidentProfile.objects.bulk_create(
        ResidentProfile(
            user=user,
            display_name=f"주민{n}",
            district=district,
            birth_year=1980 + n % 30,
            relation="lives",
            verified_at=now,
        )
        for n, user in enumerate(users)
    )
    # Logged in as a login leaves them: a session row.
    store = SessionStore()
    sessions, logged_in = [], []
    for user in users:
        key = get_random_string(32)
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=now + timedelta(days=1),
            )
        )
        logged_in.append((user.pk, key, get_random_string(32)))
    Session.objects.bulk_create(sessions, batch_size=2000)
    url = reverse("voting:ballot-submit", kwargs={"slug": cycle.slug, "scope_pk": scope.pk})
    return {"submit": url, "scope_id": scope.pk}, logged_in, [p.pk for p in projects]


def set_up_code_election(codes: int) -> tuple[dict, list[tuple[int, str]], list[int]]:
    """Cycle, scope, projects and ``codes`` one-time voting codes for the scope, made and printed
    as staff make them (``create_code_batch``, the task's ``generate_code_batch``, the sheet's
    ``take_printable_codes``), all before the timing starts. Returns (urls, [(code id, code as
    printed)], project ids)."""
    cycle, _district, scope, projects = set_up_cycle()
    from django.contrib.auth.hashers import make_password
    from django.urls import reverse

    from accounts.models import User
    from channels.models import CODE_LOOKUP_LENGTH
    from channels.models import VotingCode
    from channels.services import MAX_BATCH_SIZE
    from channels.services import create_code_batch
    from channels.services import generate_code_batch
    from channels.services import normalize_code
    from channels.services import take_printable_codes

    staff = User.objects.create(
        email="staff@bench.example", password=make_password(None), is_staff=True
    )
    printed: list[tuple[int, str]] = []
    left = codes
    while left > 0:
        size = min(left, MAX_BATCH_SIZE)
        left -= size
        # Its task is queued to the private Redis (no worker): run it here, as the worker would.
        batch = create_code_batch(cycle=cycle, scopes=[scope], size=size, created_by=staff)
        generate_code_batch(batch_id=batch.pk)
        ids = dict(VotingCode.objects.filter(batch=batch).values_list("lookup", "pk"))
        for text in take_printable_codes(batch=batch):
            printed.append((ids[normalize_code(text)[:CODE_LOOKUP_LENGTH]], text))
    urls = {
        "start": reverse("channels:code-start"),
        "submit": reverse("channels:code-ballot", kwargs={"scope_pk": scope.pk}),
        "receipt": reverse("channels:code-receipt", kwargs={"scope_pk": scope.pk}),
        "scope_id": scope.pk,
    }
    return urls, printed, [p.pk for p in projects]


def type_codes_in_sessions(printed: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """The session row each code's entry on /vote/code/ leaves (``CodeStartView``: a new
    session holding the code's id), as ``set_up_election`` logs residents in. Returns
    [(code id, session key, CSRF token)]."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from channels.views import CODE_SESSION

    store = SessionStore()
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    typed, sessions = [], []
    for code_id, _text in printed:
        key = get_random_string(32)
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode({CODE_SESSION: code_id}),
                expire_date=expire,
            )
        )
        typed.append((code_id, key, get_random_string(32)))
    Session.objects.bulk_create(sessions, batch_size=2000)
    return typed


class Load:
    """Concurrent residents: each submits a ballot, then changes it. One asyncio loop, one
    keep-alive connection per resident at a time, raw HTTP/1.1 (the client's CPU per request
    stays well under a millisecond, so the server gets the machine)."""

    def __init__(self, *, port, url, residents, project_ids, seconds, clients):
        self.port = port
        self.url = url
        self.residents = residents
        self.project_ids = project_ids
        self.seconds = seconds
        self.clients = clients
        self.next_index = itertools.count()
        self.latencies: list[float] = []
        self.errors = 0
        self.error_samples: list[str] = []
        self.acknowledged: dict[int, frozenset[int]] = {}  # user id -> last acknowledged choices
        # where requests go and the origin they claim (bench_stack.py: nginx over TLS)
        self.host = f"127.0.0.1:{port}"
        self.origin = f"http://{self.host}"
        self.ssl = None

    async def connect(self):
        return await asyncio.open_connection("127.0.0.1", self.port, ssl=self.ssl)

    def request(self, resident, choices) -> bytes:
        """The ballot form's POST, as a browser sends it (session and CSRF cookies, the CSRF
        token in the form, Origin)."""
        _user_id, session_key, csrf = resident
        body = urlencode(
            [("csrfmiddlewaretoken", csrf)] + [("proposals", pk) for pk in sorted(choices)]
        ).encode()
        head = (
            f"POST {self.url} HTTP/1.1\r\n"
            f"Host: {self.host}\r\n"
            f"Origin: {self.origin}\r\n"
            f"Cookie: sessionid={session_key}; csrftoken={csrf}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    @staticmethod
    async def read_response(reader) -> tuple[int, str, bool]:
        """(status, Location, whether the server keeps the connection open)."""
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        location, length, keep = "", 0, True
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "location":
                location = value
            elif name == "content-length":
                length = int(value)
            elif name == "connection" and value.lower() == "close":
                keep = False
            elif name == "transfer-encoding":
                length = -1
        if length > 0:
            await reader.readexactly(length)
        while length < 0:  # chunked: size line, data, CRLF; a 0 size ends it
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
        return status, location, keep

    def note_error(self, sample: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(sample)

    async def client(self, seed: int, stop_at: float) -> None:
        rng = random.Random(seed)
        loop = asyncio.get_running_loop()
        reader = writer = None
        while loop.time() < stop_at:
            resident = self.residents[next(self.next_index) % len(self.residents)]
            for _ in range(2):  # submit, then change
                if loop.time() >= stop_at:
                    break
                choices = rng.sample(self.project_ids, rng.randint(1, MAX_CHOICES))
                try:
                    if writer is None:
                        reader, writer = await self.connect()
                    started = time.perf_counter()
                    writer.write(self.request(resident, choices))
                    status, location, keep = await self.read_response(reader)
                    took = time.perf_counter() - started
                except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
                    self.note_error(repr(error))
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    continue
                if status == 302 and "/receipt/" in location:  # acknowledged: stored
                    self.latencies.append(took)
                    self.acknowledged[resident[0]] = frozenset(choices)
                else:
                    self.note_error(f"HTTP {status}")
                if not keep:
                    writer.close()
                    reader = writer = None
        if writer is not None:
            writer.close()

    async def run_clients(self) -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        stop_at = started + self.seconds
        await asyncio.gather(*(self.client(n, stop_at) for n in range(self.clients)))
        return loop.time() - started

    def run(self) -> float:
        return asyncio.run(self.run_clients())


class CodeLoad(Load):
    """Concurrent residents without accounts, each with a one-time code typed already (a
    session holding it): each POSTs the ballot form of the code's ballot, as a browser does
    (session and CSRF cookies, the form's token, Origin). A code votes once per ballot, so there
    is no change: every acknowledged ballot is a new code's. ``enter_codes`` types codes on
    /vote/code/ over HTTP before the timing (untimed, like a login)."""

    def __init__(self, *, start_url, receipt_url, **kwargs):
        super().__init__(**kwargs)
        self.start_url = start_url
        self.receipt_url = receipt_url
        self.entry_latencies: list[float] = []  # typing the code: POST /vote/code/, untimed
        self.entry_errors: list[str] = []
        self.codes_left = True

    def post(self, url: str, fields: list, cookies: str) -> bytes:
        body = urlencode(fields).encode()
        head = (
            f"POST {url} HTTP/1.1\r\n"
            f"Host: {self.host}\r\n"
            f"Origin: {self.origin}\r\n"
            f"Cookie: {cookies}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    @staticmethod
    async def read_full_response(reader) -> tuple[int, str, str, bytes, bool]:
        """(status, Location, the new session id or "", body, whether the connection stays)."""
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        location, session, length, keep, chunked = "", "", 0, True, False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "location":
                location = value
            elif name == "set-cookie" and value.startswith("sessionid="):
                session = value.split(";", 1)[0].partition("=")[2]
            elif name == "content-length":
                length = int(value)
            elif name == "connection" and value.lower() == "close":
                keep = False
            elif name == "transfer-encoding":
                chunked = True
        if not chunked:
            return status, location, session, await reader.readexactly(length), keep
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            parts.append((await reader.readexactly(size + 2))[:size])
            if size == 0:
                return status, location, session, b"".join(parts), keep

    async def exchange(self, conn, request: bytes):
        reader, writer = conn
        started = time.perf_counter()
        writer.write(request)
        response = await self.read_full_response(reader)
        return time.perf_counter() - started, response

    async def _enter(self, printed: list[tuple[int, str]], typed: list, seed: int) -> None:
        rng = random.Random(seed)
        conn = None
        while printed:
            code_id, code = printed.pop()
            csrf = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))
            if conn is None:
                conn = await self.connect()
            took, (status, location, session, _body, keep) = await self.exchange(
                conn,
                self.post(
                    self.start_url,
                    [("csrfmiddlewaretoken", csrf), ("code", code)],
                    f"csrftoken={csrf}",
                ),
            )
            if status == 302 and location.endswith("/vote/code/ballots/") and session:
                self.entry_latencies.append(took)
                typed.append((code_id, session, csrf))
            elif len(self.entry_errors) < 5:
                self.entry_errors.append(f"code entry: HTTP {status} {location}")
            if not keep:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    def enter_codes(self, printed: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
        """Type ``printed`` codes on /vote/code/ with ``clients`` connections at once (before
        the timing). Returns [(code id, session key, CSRF token)] of the accepted ones."""
        typed: list[tuple[int, str, str]] = []
        left = list(reversed(printed))

        async def enter_all():
            await asyncio.gather(*(self._enter(left, typed, n) for n in range(self.clients)))

        asyncio.run(enter_all())
        return typed

    async def client(self, seed: int, stop_at: float) -> None:
        rng = random.Random(seed)
        loop = asyncio.get_running_loop()
        conn = None
        while loop.time() < stop_at:
            index = next(self.next_index)
            if index >= len(self.residents):
                self.codes_left = False
                break
            code_id, session, csrf = self.residents[index]
            choices = rng.sample(self.project_ids, rng.randint(1, MAX_CHOICES))
            fields = [("csrfmiddlewaretoken", csrf)]
            fields += [("proposals", pk) for pk in sorted(choices)]
            try:
                if conn is None:
                    conn = await self.connect()
                took, (status, location, _session, _body, keep) = await self.exchange(
                    conn, self.post(self.url, fields, f"sessionid={session}; csrftoken={csrf}")
                )
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
                self.note_error(repr(error))
                if conn is not None:
                    conn[1].close()
                conn = None
                continue
            if status == 302 and location.endswith(self.receipt_url):  # acknowledged: stored
                self.latencies.append(took)
                self.acknowledged[code_id] = frozenset(choices)
            else:
                self.note_error(f"ballot: HTTP {status} {location}")
            if not keep:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()


def count_code_lost(acknowledged: dict[int, frozenset[int]], scope_id: int) -> tuple[int, int]:
    """(stored ballots, codes whose stored ballot is not the one acknowledged for them)."""
    from budgeting.models import Ballot
    from budgeting.models import BallotChoice
    from voting.shared import PERSON_CODE
    from voting.shared import person_ballot_key
    from voting.shared import person_key

    stored: dict[str, set[int]] = {}
    for key, proposal_id in BallotChoice.objects.filter(ballot__scope_id=scope_id).values_list(
        "ballot__voter_key", "proposal_id"
    ):
        stored.setdefault(key, set()).add(proposal_id)
    lost = sum(
        1
        for code_id, choices in acknowledged.items()
        if stored.get(
            person_ballot_key(
                person_key=person_key(kind=PERSON_CODE, value=str(code_id)), scope_id=scope_id
            )
        )
        != set(choices)
    )
    return Ballot.objects.filter(scope_id=scope_id).count(), lost


def count_lost(acknowledged: dict[int, frozenset[int]], scope_id: int) -> tuple[int, int]:
    """(stored ballots, residents whose stored ballot is not their last acknowledged one)."""
    from budgeting.models import Ballot
    from budgeting.models import BallotChoice
    from voting.shared import voter_key

    stored: dict[str, set[int]] = {}
    for key, proposal_id in BallotChoice.objects.filter(ballot__scope_id=scope_id).values_list(
        "ballot__voter_key", "proposal_id"
    ):
        stored.setdefault(key, set()).add(proposal_id)
    lost = sum(
        1
        for user_id, choices in acknowledged.items()
        if stored.get(voter_key(user_id=user_id, scope_id=scope_id)) != set(choices)
    )
    return Ballot.objects.filter(scope_id=scope_id).count(), lost


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int, database: str) -> dict[str, float]:
    """CPU used so far by the gunicorn workers and by the PostgreSQL backends of ``database``."""
    workers = subprocess.run(
        ["pgrep", "-P", str(server_pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    import psycopg

    with psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [database],
            )
        ]
    return {
        "app": sum(_cpu_seconds(int(pid)) for pid in workers),
        "db": sum(_cpu_seconds(pid) for pid in backends),
        "client": time.process_time(),
    }


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))
    return sorted_values[index]


def start_redis(port: int) -> subprocess.Popen:
    """A private redis-server as the Celery broker (never the machine's own)."""
    redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
    return subprocess.Popen(
        [
            redis_server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_gunicorn(*, port: int, workers: int, threads: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env=env,
    )


def report(*, load: Load, elapsed: float, scope_id: int, before: dict, after: dict) -> int:
    code_mode = isinstance(load, CodeLoad)
    counter = count_code_lost if code_mode else count_lost
    stored, lost = counter(load.acknowledged, scope_id)
    latencies = sorted(load.latencies)
    per_s = len(latencies) / elapsed if elapsed else 0.0
    who = "codes" if code_mode else "residents"
    print(
        f"acknowledged: {len(latencies)} requests ({len(load.acknowledged)} {who}) in "
        f"{elapsed:.1f} s; stored ballots: {stored}"
    )
    done = max(1, len(latencies))
    cpu = {part: (after[part] - before[part]) * 1000 / done for part in after}
    print(
        f"cpu per acknowledged ballot: app {cpu['app']:.1f} ms, database {cpu['db']:.1f} ms "
        f"(backends that outlived the run), load client {cpu['client']:.1f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    if load.error_samples:
        print("error samples:", "; ".join(load.error_samples))
    if code_mode:
        if not load.codes_left:
            print("warning: the codes ran out before the time was up; raise --codes")
        entries = sorted(load.entry_latencies)
        if load.entry_errors:
            print("code entry error samples:", "; ".join(load.entry_errors))
        print(
            f"code entry (POST {load.start_url}, {len(entries)} codes typed before the timing, "
            f"untimed like a login): "
            f"p50_ms={percentile(entries, 0.50) * 1000:.0f} "
            f"p95_ms={percentile(entries, 0.95) * 1000:.0f} "
            f"p99_ms={percentile(entries, 0.99) * 1000:.0f}"
        )
    print(
        f"{'code ballots' if code_mode else 'ballots'}: per_s={per_s:.0f} "
        f"p50_ms={percentile(latencies, 0.50) * 1000:.0f} "
        f"p95_ms={percentile(latencies, 0.95) * 1000:.0f} "
        f"p99_ms={percentile(latencies, 0.99) * 1000:.0f} errors={load.errors} lost={lost}"
    )
    return 0 if load.errors == 0 and lost == 0 else 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "30"))
    )
    parser.add_argument("--clients", type=int, default=int(os.environ.get("BENCH_CLIENTS", "32")))
    parser.add_argument(
        "--residents", type=int, default=int(os.environ.get("BENCH_RESIDENTS", "6000"))
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "8")))
    parser.add_argument(
        "--mode",
        choices=("online", "code"),
        default=os.environ.get("BENCH_MODE", "online"),
        help="online: logged-in residents submit and change; code: residents without accounts "
        "type a one-time voting code, then vote",
    )
    parser.add_argument(
        "--codes",
        type=int,
        default=int(os.environ.get("BENCH_CODES", "20000")),
        help="code mode: voting codes made before the timing (one per ballot)",
    )
    parser.add_argument(
        "--entries",
        type=int,
        default=int(os.environ.get("BENCH_ENTRIES", "200")),
        help="code mode: codes typed on /vote/code/ over HTTP before the timing (the others "
        "get the session a code entry leaves)",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = django_env({"BENCH_DATABASE_URL": db_url, "REDIS_URL": redis_url})
    os.environ.update(env)

    redis = start_redis(redis_port)
    server = None
    try:
        wait_for_port(redis_port)
        print(f"database: recreating {urlsplit(db_url).path.lstrip('/')} and migrating")
        recreate_database(db_url)
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], check=True, env=env)
        to_type: list[tuple[int, str]] = []
        if args.mode == "code":
            urls, printed, project_ids = set_up_code_election(args.codes)
            to_type, printed = printed[: args.entries], printed[args.entries :]
            residents = type_codes_in_sessions(printed)
            print(
                f"election: {len(to_type) + len(printed)} voting codes printed "
                f"({len(printed)} typed as a code entry leaves them, {len(to_type)} to type "
                f"over HTTP), {len(project_ids)} projects"
            )
        else:
            urls, residents, project_ids = set_up_election(args.residents)
            print(f"election: {len(residents)} residents logged in, {len(project_ids)} projects")

        port = free_port()
        server = start_gunicorn(port=port, workers=args.workers, threads=args.threads, env=env)
        wait_for_port(port)
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(args.workers * args.threads * 2):
            warm.request("GET", "/", headers={"Host": "127.0.0.1"})
            warm.getresponse().read()
        warm.close()

        print(
            f"load ({args.mode} mode): {args.clients} concurrent residents for {args.seconds:g} s "
            f"against gunicorn ({args.workers} workers x {args.threads} threads) on "
            f"127.0.0.1:{port}"
        )
        load_class = (
            partial(CodeLoad, start_url=urls["start"], receipt_url=urls["receipt"])
            if args.mode == "code"
            else Load
        )
        load = load_class(
            port=port,
            url=urls["submit"],
            residents=residents,
            project_ids=project_ids,
            seconds=args.seconds,
            clients=args.clients,
        )
        if to_type:  # untimed, like the logins of online residents
            load.residents = load.enter_codes(to_type) + residents
        database = urlsplit(db_url).path.lstrip("/")
        before = cpu_snapshot(server.pid, database)
        elapsed = load.run()
        after = cpu_snapshot(server.pid, database)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        redis.terminate()
        redis.wait(timeout=10)

    return report(load=load, elapsed=elapsed, scope_id=urls["scope_id"], before=before, after=after)


if __name__ == "__main__":
    sys.exit(main())
