"""The stack as deployed (tests/stack/harness.py): nginx with deploy/nginx/chamyeo.conf over
HTTPS -> two gunicorn processes with config.settings.production -> PostgreSQL (a database of its
own) and a private Redis with the deploy's AOF configuration -> two Celery workers and one beat.

1. Rate limits see the real client: 31 logins from 31 addresses through nginx all succeed; from
   one address a spoofed X-Forwarded-For does not escape allauth's 30 logins a minute.
2. A whole cycle through nginx (sign-up with e-mail confirmation, a proposal with a photo, the
   budget office and the council with their second factor, votes, close, count, publication,
   downloads, the accountability page), once without faults and once with a gunicorn process and
   a worker killed mid-vote, Redis stopped for 30 s mid-vote, and a worker and a gunicorn process
   killed mid-count: no acknowledged ballot lost, no server error, the same fingerprints.
   The calm run keeps uploads and downloads on the file backend (nginx sends them); the run with
   faults keeps them in an S3 bucket (moto's server on loopback) with a media directory per
   gunicorn instance, so a file written by one node is served by the other only through the
   bucket.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import psycopg
import pytest
import redis
import requests
from moto.server import ThreadedMotoServer
from PIL import Image

from tests.stack.harness import Stack
from tests.stack.harness import database_url
from tests.stack.harness import drop_database
from tests.stack.harness import free_port
from tests.stack.harness import prepare_static
from tests.stack.harness import prepare_template_database
from tests.stack.scenario import MAIN_COST_WON
from tests.stack.scenario import OTHER_COSTS_WON
from tests.stack.scenario import PASSWORD
from tests.stack.scenario import PROFILE_PK
from tests.stack.scenario import PROPOSAL_PK
from tests.stack.scenario import REVIEW_OTHERS
from tests.stack.scenario import SETUP
from tests.stack.scenario import STORED_BALLOTS
from tests.stack.scenario import Browser
from tests.stack.scenario import Recorder
from tests.stack.scenario import VotingCrowd
from tests.stack.scenario import form_errors
from tests.stack.scenario import jpeg
from tests.stack.scenario import latest_mail_link
from tests.stack.scenario import loopback_sources
from tests.stack.scenario import totp_code
from tests.stack.scenario import valid_choices
from tests.stack.scenario import wait_until

pytestmark = pytest.mark.stack

PREFIX = os.environ.get("CHAMYEO_TEST_DB_NAME", "test_chamyeo") + "_stack"
VOTERS = 150
REDIS_OUTAGE_SECONDS = 30
TALLY_DELAY_SECONDS = 4  # the window in which a worker is killed mid-count
VISIBILITY_TIMEOUT_SECONDS = 8  # a killed worker's count goes back to the queue after this


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """collectstatic and a migrated template database, shared by the stacks of this module."""
    static = prepare_static(tmp_path_factory.mktemp("static"))
    template = prepare_template_database(f"{PREFIX}_template")
    yield static, template
    drop_database(template)


@pytest.fixture(scope="module")
def s3_storage():
    """The variables of the S3 backend, pointing at a bucket on moto's server on loopback."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    environment = {
        "CHAMYEO_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "chamyeo-stack-media",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "chamyeo-stack-key",
        "AWS_SECRET_ACCESS_KEY": "chamyeo-stack-secret",
        "AWS_S3_REGION_NAME": "ap-northeast-2",
    }
    boto3.client(
        "s3",
        endpoint_url=environment["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
        region_name=environment["AWS_S3_REGION_NAME"],
    ).create_bucket(
        Bucket=environment["AWS_STORAGE_BUCKET_NAME"],
        CreateBucketConfiguration={"LocationConstraint": environment["AWS_S3_REGION_NAME"]},
    )
    yield environment
    server.stop()


def _bucket_names(storage: dict) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=storage["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=storage["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=storage["AWS_SECRET_ACCESS_KEY"],
        region_name=storage["AWS_S3_REGION_NAME"],
    )
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=storage["AWS_STORAGE_BUCKET_NAME"]
    )
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def _stack(prepared, tmp_path, name: str, *, storage: dict | None = None, **options) -> Stack:
    static, template = prepared
    return Stack(
        workdir=tmp_path / name,
        database=f"{PREFIX}_{name}",
        static_root=static,
        template_database=template,
        worker_settings="tests.stack.worker_settings",
        extra_env={
            "CHAMYEO_TALLY_TEST_DELAY_SECONDS": str(TALLY_DELAY_SECONDS),
            "CHAMYEO_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
            **(storage or {}),
        },
        media_per_web_instance=storage is not None,
        **options,
    )


def _setup(stack: Stack, *, voters: int, logins: int) -> dict:
    return stack.run_script(
        SETUP
        % {
            "voters": voters,
            "logins": logins,
            "password": PASSWORD,
            "costs": OTHER_COSTS_WON,
            "budget": 300_000_000,
        }
    )


# --- 1. the edge: rate limits behind the proxy, the page cache ---------------------------------
@pytest.fixture(scope="module")
def edge(prepared, tmp_path_factory):
    """A stack without Celery (nothing here needs a task) and its city."""
    stack = _stack(prepared, tmp_path_factory.mktemp("edge"), "edge", celery_workers=0, beat=False)
    with stack:
        yield stack, _setup(stack, voters=2, logins=42)


def _rate_limited_addresses(stack: Stack, action: str) -> set[str]:
    """The client addresses allauth keeps rate-limit counts for (its keys in the stack's Redis:
    ``...allauth:rl:allauth.account:<action>:<rate>:ip:<address>``)."""
    client = redis.Redis(port=stack.redis_port)
    pattern = f"*allauth:rl:allauth.account:{action}:*:ip:*"
    keys = [key.decode() for key in client.scan_iter(match=pattern) if not key.endswith(b":lock")]
    return {key.rsplit(":ip:", 1)[1] for key in keys}


def test_logins_from_31_addresses_all_succeed_and_a_spoofed_forwarded_for_changes_nothing(edge):
    stack, city = edge
    recorder = Recorder()
    sources = loopback_sources(31)
    residents = [Browser(stack, recorder, source=source) for source in sources]
    for resident in residents:
        resident.csrf()  # the login page, as a browser opens it first

    # allauth allows 30 logins a minute per address: 31 residents from 31 addresses are all let
    # in, and allauth counted each at its own address, never at nginx's.
    # (Its counts expire after the minute; on a busy machine 31 password checks take longer, so
    # the addresses are collected while the logins run.)
    counted: set[str] = set()
    done = threading.Event()

    def watch():
        while not done.wait(0.2):
            counted.update(_rate_limited_addresses(stack, "login"))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(Browser.log_in, residents, city["logins"][:31]))
    finally:
        done.set()
        watcher.join()
    counted.update(_rate_limited_addresses(stack, "login"))
    assert [answer.status_code for answer in answers] == [302] * 31
    assert all(resident.get("/me/").status_code == 200 for resident in residents)
    assert counted == set(sources)
    access_log = (stack.workdir / "nginx" / "logs" / "chamyeo.access.log").read_text()
    for source in sources:
        assert f"\n{source} - " in "\n" + access_log

    # From one address, 11 wrong passwords for 11 residents, each request claiming another
    # X-Forwarded-For: nginx replaces the header, so allauth's 10 failed logins a minute per
    # address refuse the 11th (allauth says so in the form).
    # The attempts start 0.3 s apart: allauth counts each before it checks the password (which
    # takes seconds on a busy machine), so all 11 fall in the same minute.
    attackers = [Browser(stack, recorder, source="127.0.0.1") for _ in range(11)]
    for attacker in attackers:
        attacker.csrf()

    def attempt(n: int, email: str):
        time.sleep(0.3 * n)
        return attackers[n].post(
            "/accounts/login/",
            {"login": email, "password": "not-the-password"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}", "Accept-Language": "en"},
        )

    with ThreadPoolExecutor(max_workers=11) as pool:
        answers = list(pool.map(attempt, range(11), city["logins"][31:]))
    assert [answer.status_code for answer in answers] == [200] * 11
    refused = [a for a in answers if "Too many failed login attempts" in a.text]
    wrong = [a for a in answers if "password you specified are not correct" in a.text]
    assert (len(refused), len(wrong)) == (1, 10)
    # allauth keys its counts on the addresses nginx saw (the 31 residents' keys stay, emptied,
    # after their successful logins); none on an address a client claimed.
    failed_keys = _rate_limited_addresses(stack, "login_failed")
    assert "127.0.0.1" in failed_keys
    assert failed_keys <= {*sources, "127.0.0.1"}
    assert recorder.server_errors() == []


def _cache(answer) -> str | None:
    return answer.headers.get("X-Cache-Status")


def test_nginx_caches_public_pages_for_anonymous_visitors_only_and_never_a_ballot(edge):
    stack, city = edge
    recorder = Recorder()
    slug, scope = city["cycle"], city["scope"]
    listing = f"/cycles/{slug}/proposals/"
    resident = Browser(stack, recorder)
    resident.session.cookies.set("sessionid", city["voters"][0][1])
    name = "주민0"  # the resident's display name, shown to them on their dashboard

    # Anonymous visitors share one rendering of a public page (no cookie is set on it).
    first, second = Browser(stack, recorder).get(listing), Browser(stack, recorder).get(listing)
    assert (first.status_code, second.status_code) == (200, 200)
    assert _cache(second) == "HIT"
    assert "Set-Cookie" not in second.headers
    assert second.text == first.text
    # Another language is another entry.
    english = Browser(stack, recorder).get(listing, headers={"Accept-Language": "en"})
    assert _cache(english) in {"MISS", "EXPIRED"}
    assert '<html lang="en"' in english.text
    assert '<html lang="ko"' in second.text

    # A logged-in resident is never served from the cache, and what they see is never stored.
    page = resident.get(listing)
    assert _cache(page) == "BYPASS"
    assert "/accounts/logout/" in page.text
    assert "/accounts/logout/" not in Browser(stack, recorder).get(listing).text
    fresh = f"/cycles/{slug}/"
    for _ in range(2):
        assert _cache(resident.get(fresh)) == "BYPASS"
    anonymous = Browser(stack, recorder).get(fresh)
    assert _cache(anonymous) == "MISS"  # nothing was stored from the resident's visits
    assert "/accounts/logout/" not in anonymous.text
    dashboard = resident.get("/me/")
    assert dashboard.status_code == 200
    assert name in dashboard.text
    assert _cache(dashboard) is None  # /me/ never goes through the cache
    assert name not in Browser(stack, recorder).get("/me/", allow_redirects=True).text

    # A flash message (the messages cookie) is personal too.
    flashed = Browser(stack, recorder)
    flashed.session.cookies.set("messages", "x")
    assert _cache(flashed.get(listing)) == "BYPASS"

    # Ballots never go through the cache: not the form, not the submission.
    ballot = f"/cycles/{slug}/ballots/{scope}/"
    for visitor in (Browser(stack, recorder), Browser(stack, recorder), resident):
        assert _cache(visitor.get(ballot)) is None
    assert _cache(resident.post(f"{ballot}submit/", [("proposals", "1")])) is None
    # Pages with a form set the CSRF cookie and are not cached either.
    login = [Browser(stack, recorder).get("/accounts/login/") for _ in range(2)]
    assert [_cache(answer) for answer in login] == [None, None]
    assert recorder.server_errors() == []


# --- 2. the whole cycle, without and with faults --------------------------------------------------
def _console_advance(office: Browser, city: dict) -> None:
    """The budget office takes the next step in the console's control room, with a reason."""
    answer = office.post(
        f"/staff/console/cycles/{city['cycle']}/control/next/",
        {"reason": "일정대로 다음 단계로 넘어갑니다."},
    )
    assert answer.status_code == 302, answer.status_code
    location = answer.headers["Location"]
    if "reauthenticate" in location:
        # Closing a vote and publishing ask for the password (or the code) again; allauth then
        # carries out the POST it kept.
        path = location.removeprefix(office.stack.url)
        data = {"code": totp_code(city["staff"][1])} if "/2fa/" in path else {"password": PASSWORD}
        answer = office.post(path, data)
        assert answer.status_code == 302, (answer.status_code, form_errors(answer.text))
        assert "reauthenticate" not in answer.headers["Location"], answer.headers["Location"]


def _phase(stack: Stack) -> str:
    with psycopg.connect(database_url(stack.database)) as conn:
        return conn.execute("SELECT phase FROM budgeting_budgetcycle").fetchone()[0]


def _official_run(stack: Stack, scope: int) -> tuple[str, str] | None:
    with psycopg.connect(database_url(stack.database)) as conn:
        return conn.execute(
            "SELECT status, fingerprint FROM budgeting_tallyrun WHERE scope_id = %s AND "
            "is_official ORDER BY id DESC LIMIT 1",
            [scope],
        ).fetchone()


def _image_through_nginx(browser: Browser, page_html: str, css_class: str) -> bytes:
    found = re.search(rf'<img src="([^"]+)" class="[^"]*{css_class}', page_html)
    assert found, f"no {css_class} image on the page"
    answer = browser.get(found.group(1))
    if answer.status_code == 302 and browser.stack.env.get("CHAMYEO_STORAGE") == "s3":
        # a public file in the bucket: nginx passes the app's redirect to a signed link
        assert answer.headers["Location"].startswith(browser.stack.env["AWS_S3_ENDPOINT_URL"])
        answer = requests.get(answer.headers["Location"], timeout=30)
    assert answer.status_code == 200, (found.group(1), answer.status_code)
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(answer.content)).width == 640
    return answer.content


def _stored(stack: Stack, city: dict, user_ids) -> dict[int, tuple[int, ...]]:
    stored = stack.run_script(STORED_BALLOTS % {"scope": city["scope"], "users": list(user_ids)})
    return {int(user_id): tuple(choices) for user_id, choices in stored.items()}


def _worker_counting(stack: Stack) -> str:
    """The worker that received the count (its log says so)."""

    def find():
        for name in [n for n in stack.processes if n.startswith("worker")]:
            if "budgeting.tally_scope" in stack.log(name):
                return name
        return None

    return wait_until(find, "a worker to receive the count", timeout=60, interval=0.1)


def _without_key(value, key: str):
    if isinstance(value, dict):
        return {k: _without_key(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without_key(v, key) for v in value]
    return value


def _run_cycle(stack: Stack, *, faults: bool) -> dict:
    city = _setup(stack, voters=VOTERS, logins=0)
    recorder = Recorder()
    slug, scope = city["cycle"], city["scope"]
    events: dict[str, object] = {}

    office = Browser(stack, recorder)
    assert office.log_in(city["staff"][0], totp_secret=city["staff"][1]).status_code == 302

    # A newcomer signs up, confirms the e-mail (read from the stack's mail sink) and says who
    # they are; the budget office verifies them.
    newcomer = Browser(stack, recorder)
    assert newcomer.get("/accounts/signup/").status_code == 200
    email = "haneul@example.kr"
    answer = newcomer.post(
        "/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "consent_account": "on"},
    )
    assert answer.headers.get("Location") == "/accounts/confirm-email/", answer.status_code
    link = latest_mail_link(stack, rf"{re.escape(stack.url)}(/accounts/confirm-email/[^/\s]+/)")
    assert newcomer.get(link).status_code == 200
    assert newcomer.post(link, {}).status_code == 302
    answer = newcomer.post(
        "/me/profile/",
        {
            "display_name": "김하늘",
            "district": city["district"],
            "birth_year": "1990",
            "relation": "lives",
            "preferred_language": "ko",
        },
    )
    assert answer.status_code == 302, form_errors(answer.text)
    profile = stack.run_script(PROFILE_PK % {"email": email})
    assert office.post(f"/staff/residents/{profile}/verify/", {}).status_code == 302

    # ... and proposes a project with a photo, served by nginx from the disk the app wrote.
    title = "굴포천 산책로 그늘 쉼터"
    answer = newcomer.post(
        f"/cycles/{slug}/proposals/new/",
        {
            "title": title,
            "summary": "산책로에 그늘막과 의자가 있는 쉼터 세 곳을 만듭니다.",
            "description": "여름에 그늘이 없어 어르신들이 걷기 어렵습니다.",
            "cost_estimate_won": "45000000",
            "policy_area": city["area"],
            "scope": city["scope"],
            "address": "인천 부평구 굴포천 산책로",
            "action": "submit",
            "similar_checked": "on",
        },
        files={"image": ("shelter.jpg", jpeg(), "image/jpeg")},
    )
    assert answer.status_code == 302, form_errors(answer.text)
    proposal, proposal_url = stack.run_script(PROPOSAL_PK % {"title": title})
    page = newcomer.get(proposal_url)
    assert page.status_code == 200
    _image_through_nginx(newcomer, page.text, "proposal-image")

    # Review: the council (with its second factor) puts it on the ballot.
    _console_advance(office, city)
    assert _phase(stack) == "review"
    stack.run_script(REVIEW_OTHERS % {"others": city["others"]})
    council = Browser(stack, recorder)
    assert council.log_in(city["council"][0], totp_secret=city["council"][1]).status_code == 302
    answer = council.post(
        f"/council/proposals/{proposal}/review/",
        {
            "verdict": "feasible",
            "reviewed_cost_won": str(MAIN_COST_WON),
            "technical_notes": "현장 확인 결과 설치 가능합니다.",
        },
    )
    assert answer.status_code == 302, form_errors(answer.text)
    answer = council.post(
        f"/council/proposals/{proposal}/decide/",
        {"decision": "on_ballot", "public_reason": "비용이 적정합니다."},
    )
    assert answer.status_code == 302, form_errors(answer.text)

    # Voting: 150 logged-in residents and the newcomer vote and change their votes.
    _console_advance(office, city)
    assert _phase(stack) == "voting"
    costs = dict(zip(city["others"], OTHER_COSTS_WON, strict=True)) | {proposal: MAIN_COST_WON}
    choices = valid_choices(costs)
    newcomer_id = stack.run_script(
        "import json\nfrom accounts.models import User\n"
        f"print(json.dumps(User.objects.get(email={email!r}).pk))"
    )
    voters = [tuple(v) for v in city["voters"]] + [
        (newcomer_id, newcomer.session.cookies["sessionid"])
    ]
    crowd = VotingCrowd(
        stack,
        recorder,
        voters=voters,
        submit_path=f"/cycles/{slug}/ballots/{scope}/submit/",
        choices=choices,
    )
    threads = crowd.start()
    if faults:
        time.sleep(3)
        stack.kill("web0")  # a gunicorn process crashes mid-vote
        time.sleep(2)
        stack.kill("worker0")  # and a Celery worker
        time.sleep(1)
        stack.stop_redis()  # Redis is gone for 30 s
        outage_started = time.monotonic()
        time.sleep(2)
        latecomer = Browser(stack, recorder)
        refused = latecomer.post(
            "/accounts/login/",
            {"login": "office@stack.example", "password": PASSWORD},
            headers={"Accept-Language": "en"},
        )
        events["login_during_outage"] = (refused.status_code, "try again" in refused.text)
        events["acknowledged_before_outage"] = crowd.submitted
        time.sleep(max(0.0, REDIS_OUTAGE_SECONDS - (time.monotonic() - outage_started)))
        events["acknowledged_during_outage"] = (
            crowd.submitted - events["acknowledged_before_outage"]
        )
        stack.start_redis()  # the same append-only file
        time.sleep(3)
        # systemd's Restart=always brings the crashed processes back
        stack.start_web(0)
        stack.start_worker(0)
        events["login_after_outage"] = Browser(stack, recorder).log_in("office@stack.example")
    else:
        time.sleep(8)
    crowd.stop.set()
    for thread in threads:
        thread.join(timeout=120)
    events["acknowledged"] = crowd.submitted
    stored = _stored(stack, city, [user_id for user_id, _ in voters])
    lost_during_faults = {
        user_id: (ballot, stored.get(user_id))
        for user_id, ballot in crowd.acknowledged.items()
        if tuple(sorted(ballot)) != stored.get(user_id)
    }

    # Everyone's last word, the same in both runs (by position in the list, not by id).
    index = {user_id: n for n, (user_id, _key) in enumerate(voters)}
    crowd.run_final(lambda user_id: choices[(index[user_id] * 7) % len(choices)])
    stored = _stored(stack, city, [user_id for user_id, _ in voters])
    lost = {
        user_id: (ballot, stored.get(user_id))
        for user_id, ballot in crowd.acknowledged.items()
        if tuple(sorted(ballot)) != stored.get(user_id)
    }

    # Voting closes; a worker counts. With faults, the worker that took the count and a gunicorn
    # process die in the middle of it; the other worker counts after the visibility timeout.
    _console_advance(office, city)
    if faults:
        stack.kill(_worker_counting(stack))
        stack.kill("web1")
    run = wait_until(
        lambda: (r := _official_run(stack, scope)) and r[0] == "succeeded" and r,
        "the official count",
        timeout=120,
    )
    fingerprint = run[1]
    if faults:
        stack.start_web(1)

    # The budget office publishes; anyone downloads the files the workers built.
    assert office.get(f"/staff/cycles/{slug}/tally/").status_code == 200
    assert office.post(f"/staff/cycles/{slug}/tally/", {"action": "publish"}).status_code == 302
    reader = Browser(stack, recorder)
    downloads = {}
    for kind in ("pb", "csv", "json"):
        path = f"/cycles/{slug}/results/{scope}/download/{kind}/"
        answer = wait_until(
            lambda path=path: (a := reader.get(path)).status_code == 200 and a,
            f"the {kind} download",
        )
        downloads[kind] = hashlib.sha256(answer.content).hexdigest()
        if kind == "json":
            # The same but for the moment of publication and the audit chain's head then (the
            # events carry their times, and a run with faults records more of them).
            data = json.loads(answer.content)
            assert data["audit_chain_head_at_publication"]["chain_hash"]
            downloads[kind] = _without_key(
                _without_key(data, "published_at"), "audit_chain_head_at_publication"
            )
    results = reader.get(f"/cycles/{slug}/results/{scope}/")
    assert results.status_code == 200
    assert fingerprint in results.text

    # The budget office reports progress with a photo; the accountability page shows it.
    answer = office.post(
        f"/staff/projects/{proposal}/implementation/update/",
        {"status": "in_progress", "percent_done": "30", "spent_won": "12000000", "note": "착공"},
        files={"photo_1": ("works.jpg", jpeg(), "image/jpeg")},
    )
    assert answer.status_code == 302, form_errors(answer.text)
    accountability = reader.get(f"/cycles/{slug}/accountability/")
    assert accountability.status_code == 200
    assert "12,000,000" in accountability.text
    page = reader.get(proposal_url)
    _image_through_nginx(reader, page.text, "implementation-photo")
    _image_through_nginx(reader, page.text, "proposal-image")

    return {
        "fingerprint": fingerprint,
        "downloads": downloads,
        "final": {index[user_id]: stored[user_id] for user_id, _ in voters},
        "lost_during_faults": lost_during_faults,
        "lost": lost,
        "server_errors": recorder.server_errors(),
        "failures": recorder.failures,
        "retries": crowd.retries,
        "events": events,
    }


def test_a_whole_cycle_through_nginx_survives_crashes_and_a_redis_outage(
    prepared, tmp_path, s3_storage
):
    with _stack(prepared, tmp_path, "calm") as stack:
        calm = _run_cycle(stack, faults=False)
    with _stack(prepared, tmp_path, "faults", storage=s3_storage) as stack:
        rough = _run_cycle(stack, faults=True)
        # every upload and download is in the bucket, none on a node's disk
        stored = _bucket_names(s3_storage)
        assert any(name.endswith(".jpg") for name in stored), stored
        assert {name.rsplit(".", 1)[-1] for name in stored} >= {"pb", "csv", "json"}, stored
        on_disk = [p for p in stack.workdir.glob("media*/**/*") if p.is_file()]
        assert on_disk == []

    for run in (calm, rough):
        assert run["lost_during_faults"] == {}
        assert run["lost"] == {}
        assert run["server_errors"] == []
        assert run["failures"] == []
    assert calm["downloads"]["pb"] == calm["fingerprint"]
    # identical fingerprints and files with and without faults
    assert rough["fingerprint"] == calm["fingerprint"]
    assert rough["downloads"] == calm["downloads"]
    assert rough["final"] == calm["final"]
    # the documented refusal: no login while Redis is down (429 with a message), then again
    events = rough["events"]
    assert events["login_during_outage"] == (429, True)
    assert events["login_after_outage"].status_code == 302
    # voting went on during the outage
    assert events["acknowledged_during_outage"] > 0
