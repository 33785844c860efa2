"""Load through the real front door: the deployed stack on loopback (tests/stack/harness.py).

Usage (``make bench-stack``)::

    .venv/bin/python benchmarks/bench_stack.py [--seconds 20] [--clients 32] [--instances 2]
                                               [--workers 2] [--threads 8] [--residents 6000]

nginx (deploy/nginx/chamyeo.conf, HTTPS with a throw-away certificate, its page cache) ->
``--instances`` gunicorn processes (``config.settings.production``, ``--workers`` gthread workers
x ``--threads`` each) -> PostgreSQL (database ``chamyeo_bench_stack``, recreated) and a private
Redis with the deploy's AOF settings -> two Celery workers and beat.

1. The demo city (``seed_demo``: a cycle taking proposals, one published with results) and the
   ballot benchmark's election (``bench_ballots.set_up_election``: residents logged in, voting
   open) are loaded.
2. Ballots: ``--clients`` residents submit and change ballots through nginx for ``--seconds``
   (``bench_ballots.Load`` over TLS); each acknowledged ballot must be stored.
3. The ballot election is closed, counted by the workers and published; then, each for
   ``--seconds`` with ``--clients`` keep-alive clients, the pages a crowd opens: the proposal
   list, a proposal page, the results page just published and the demo's results page, the
   open-data API, anonymous (no cookie: nginx may answer from its cache) and logged in (each
   client a resident with a session: never cached).

It prints per page requests/s and p50/p95/p99 and, last, exactly
``stack: ballots_per_s=<n> ballots_p95_ms=<n> results_rps=<n> results_p95_ms=<n> list_rps=<n>
list_p95_ms=<n> errors=<n> lost=<n>`` (one line), from the anonymous crowd on the results page
just published and on the proposal list.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_ballots import Load  # noqa: E402
from benchmarks.bench_ballots import count_lost  # noqa: E402
from benchmarks.bench_ballots import percentile  # noqa: E402
from benchmarks.bench_ballots import set_up_election  # noqa: E402
from tests.stack.harness import PYTHON  # noqa: E402
from tests.stack.harness import SECRET_KEY  # noqa: E402
from tests.stack.harness import VOTER_KEY_SECRET  # noqa: E402
from tests.stack.harness import Stack  # noqa: E402
from tests.stack.harness import database_url  # noqa: E402
from tests.stack.harness import prepare_static  # noqa: E402

DATABASE = "chamyeo_bench_stack"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process, from /proc (Linux); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        queue.extend(int(child) for child in children)
    return pids


def cpu_by_part(stack: Stack) -> dict[str, float]:
    """CPU used so far by each part of the stack (its processes and their children), by the
    PostgreSQL backends of the stack's database, and by this load client."""
    parts: dict[str, float] = {}
    for name, process in stack.processes.items():
        part = name.rstrip("0123456789")  # web0, web1 -> web
        parts[part] = parts.get(part, 0.0) + sum(_cpu_seconds(p) for p in _tree(process.pid))
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [DATABASE],
            )
        ]
    parts["postgres"] = sum(_cpu_seconds(pid) for pid in backends)
    parts["load client"] = time.process_time()
    return parts


@dataclass
class PageLoad:
    """``clients`` keep-alive HTTPS clients GETting one path as fast as answers come."""

    port: int
    path: str
    cookies: list[str] = field(default_factory=list)  # one Cookie header per client, or none
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    cache: dict[str, int] = field(default_factory=dict)

    async def client(self, n: int, stop_at: float, context: ssl.SSLContext) -> None:
        loop = asyncio.get_running_loop()
        cookie = f"Cookie: {self.cookies[n % len(self.cookies)]}\r\n" if self.cookies else ""
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: localhost:{self.port}\r\n"
            f"Accept-Language: ko-KR,ko;q=0.9\r\n{cookie}\r\n"
        ).encode()
        reader = writer = None
        while loop.time() < stop_at:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(
                        "127.0.0.1", self.port, ssl=context, server_hostname="localhost"
                    )
                started = time.perf_counter()
                writer.write(request)
                status, keep, cache = await read_response(reader)
                took = time.perf_counter() - started
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
                self.note(repr(error))
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            self.cache[cache] = self.cache.get(cache, 0) + 1
            if status == 200:
                self.latencies.append(took)
            else:
                self.note(f"HTTP {status}")
            if not keep:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    def note(self, sample: str) -> None:
        self.errors += 1
        if len(self.samples) < 3:
            self.samples.append(sample)

    def run(self, *, clients: int, seconds: float, context: ssl.SSLContext) -> float:
        async def main() -> float:
            loop = asyncio.get_running_loop()
            started = loop.time()
            await asyncio.gather(
                *(self.client(n, started + seconds, context) for n in range(clients))
            )
            return loop.time() - started

        return asyncio.run(main())


async def read_response(reader) -> tuple[int, bool, str]:
    """(status, keep-alive, X-Cache-Status) of one answer, its body read and dropped."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length, keep, chunked, cache = 0, True, False, "-"
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.lower() == "close":
            keep = False
        elif name == "transfer-encoding":
            chunked = True
        elif name == "x-cache-status":
            cache = value
    if length:
        await reader.readexactly(length)
    while chunked:
        size = int((await reader.readline()).split(b";")[0], 16)
        await reader.readexactly(size + 2)
        if size == 0:
            break
    return status, keep, cache


def tls_context(stack: Stack) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(stack.certificate))


def summary(name: str, load: PageLoad, elapsed: float) -> dict:
    latencies = sorted(load.latencies)
    row = {
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "errors": load.errors,
    }
    cache = ", ".join(f"{k} {v}" for k, v in sorted(load.cache.items()))
    print(
        f"  {name:<34} {row['rps']:7.0f}/s  p50 {row['p50']:6.0f} ms  p95 {row['p95']:6.0f} ms  "
        f"p99 {row['p99']:6.0f} ms  errors {row['errors']}  (cache: {cache})"
        + (f"  e.g. {'; '.join(load.samples)}" if load.samples else ""),
        flush=True,
    )
    return row


def publish(scope_id: int) -> str:
    """Close the ballot election, let the stack's workers count it, publish it (as staff)."""
    from accounts.models import User
    from budgeting.models import BallotScope
    from budgeting.models import TallyRun
    from budgeting.phases import Phase
    from budgeting.services.cycles import take_next_step
    from results.services.publication import publish_results

    scope = BallotScope.objects.select_related("cycle").get(pk=scope_id)
    staff = User.objects.create(email="office@bench.example", is_staff=True, is_superuser=True)
    # voting closes (the write order is erased) and the count goes to a worker
    target, _moved = take_next_step(cycle=scope.cycle, actor=staff)
    assert target == Phase.TALLYING, target
    deadline = time.monotonic() + 300
    while not TallyRun.objects.filter(scope=scope, is_official=True, status="succeeded").exists():
        if time.monotonic() > deadline:
            raise SystemExit("the stack's workers did not count the ballots within 300 s")
        time.sleep(0.5)
    publish_results(cycle_id=scope.cycle_id, actor=staff)
    return scope.cycle.slug


def demo_paths() -> dict[str, str]:
    from budgeting.models import BudgetCycle
    from budgeting.phases import Phase
    from proposals.models import Proposal

    current = BudgetCycle.objects.filter(phase=Phase.PROPOSALS).order_by("pk").first()
    published = (
        BudgetCycle.objects.filter(phase__in=[Phase.PUBLISHED, Phase.IMPLEMENTATION])
        .exclude(slug="bench")
        .order_by("pk")[0]
    )
    proposal = Proposal.objects.filter(cycle=current).order_by("pk").first()
    return {
        "proposal list": f"/cycles/{current.slug}/proposals/",
        "proposal page": proposal.get_absolute_url(),
        "demo results page": f"/cycles/{published.slug}/results/",
        "open-data API": "/api/v1/cycles",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--seconds", type=float, default=float(env("BENCH_SECONDS", "20")))
    parser.add_argument("--clients", type=int, default=int(env("BENCH_CLIENTS", "32")))
    parser.add_argument("--residents", type=int, default=int(env("BENCH_RESIDENTS", "6000")))
    parser.add_argument("--instances", type=int, default=int(env("BENCH_INSTANCES", "2")))
    parser.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(env("BENCH_THREADS", "8")))
    parser.add_argument(
        "--ballots-only",
        action="store_true",
        help="measure the ballots and stop (no count, no pages, no final line)",
    )
    args = parser.parse_args()
    os.chdir(ROOT)

    with tempfile.TemporaryDirectory(prefix="chamyeo-bench-stack-") as tmp:
        work = Path(tmp)
        print(
            "collectstatic, then the stack: nginx, gunicorn, PostgreSQL, Redis, Celery", flush=True
        )
        static = prepare_static(work / "static")
        stack = Stack(
            workdir=work / "stack",
            database=DATABASE,
            static_root=static,
            web_instances=args.instances,
            web_workers=args.workers,
            web_threads=args.threads,
        )
        try:
            stack.start()
            return run(stack, args)
        finally:
            stack.stop()


def run(stack: Stack, args) -> int:
    # This process talks to the stack's database and broker with the stack's secrets.
    os.environ.update(stack.env)
    urls, residents, project_ids = set_up_election(args.residents)
    subprocess.run(
        [PYTHON, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=stack.env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    context = tls_context(stack)
    # every gunicorn worker loads the app before the clock starts
    warm = PageLoad(port=stack.https_port, path="/accounts/login/")
    warm.run(clients=args.instances * args.workers * 4, seconds=5, context=context)
    print(
        f"stack: nginx on {stack.url} -> {args.instances} gunicorn x {args.workers} workers x "
        f"{args.threads} threads; {len(residents)} residents logged in; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run",
        flush=True,
    )

    # --- ballots through nginx --------------------------------------------------------------
    load = Load(
        port=stack.https_port,
        url=urls["submit"],
        residents=residents,
        project_ids=project_ids,
        seconds=args.seconds,
        clients=args.clients,
    )
    load.host = f"localhost:{stack.https_port}"
    load.origin = stack.url
    load.ssl = context
    cpu_before = cpu_by_part(stack)
    elapsed = load.run()
    cpu_after = cpu_by_part(stack)
    stored, lost = count_lost(load.acknowledged, urls["scope_id"])
    latencies = sorted(load.latencies)
    ballots = {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
    }
    print(
        f"  {'ballots (logged in, POST)':<34} {ballots['rps']:7.0f}/s  p50 {ballots['p50']:6.0f} ms"
        f"  p95 {ballots['p95']:6.0f} ms  p99 {ballots['p99']:6.0f} ms  errors {load.errors}  "
        f"stored {stored}, lost {lost}; load average {os.getloadavg()[0]:.1f}"
        + (f"  e.g. {'; '.join(load.error_samples)}" if load.error_samples else ""),
        flush=True,
    )
    done = max(len(latencies), 1)
    print(
        "  cpu per acknowledged ballot: "
        + ", ".join(
            f"{part} {(cpu_after[part] - cpu_before.get(part, 0.0)) * 1000 / done:.1f} ms"
            for part in cpu_after
        ),
        flush=True,
    )

    if args.ballots_only:
        return 0 if load.errors == 0 and lost == 0 else 1

    # --- the pages a crowd opens ----------------------------------------------------------------
    slug = publish(urls["scope_id"])
    paths = {"results page (just published)": f"/cycles/{slug}/results/{urls['scope_id']}/"}
    paths |= demo_paths()
    sessions = [f"sessionid={key}" for _user, key, _csrf in residents[: args.clients]]
    rows: dict[str, dict] = {}
    errors = load.errors
    for visitor, cookies in (("anonymous", []), ("logged in", sessions)):
        print(f"{visitor}, {args.clients} clients, {args.seconds:g} s per page:", flush=True)
        for name, path in paths.items():
            page = PageLoad(port=stack.https_port, path=path, cookies=cookies)
            took = page.run(clients=args.clients, seconds=args.seconds, context=context)
            rows[f"{visitor} {name}"] = summary(name, page, took)
            errors += page.errors
    print(f"load average {os.getloadavg()[0]:.1f} after the run", flush=True)

    results = rows["anonymous results page (just published)"]
    listing = rows["anonymous proposal list"]
    print(
        f"stack: ballots_per_s={ballots['rps']:.0f} ballots_p95_ms={ballots['p95']:.0f} "
        f"results_rps={results['rps']:.0f} results_p95_ms={results['p95']:.0f} "
        f"list_rps={listing['rps']:.0f} list_p95_ms={listing['p95']:.0f} "
        f"errors={errors} lost={lost}"
    )
    return 0 if errors == 0 and lost == 0 else 1


if __name__ == "__main__":
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = database_url("postgres")
    os.environ.setdefault("DJANGO_SECRET_KEY", SECRET_KEY)
    os.environ.setdefault("CHAMYEO_VOTER_KEY_SECRET", VOTER_KEY_SECRET)
    sys.exit(main())
