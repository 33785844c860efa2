"""``make bench-tally``: our tally against pabutools, and the whole pipeline on 1,000,000 ballots.

Usage::

    .venv/bin/python benchmarks/bench_tally.py                      # everything (long: pabutools)
    .venv/bin/python benchmarks/bench_tally.py --pabutools-fixture  # pabutools' recorded times
    .venv/bin/python benchmarks/bench_tally.py --no-files           # synthetic + pipeline only

1. Every file in ``PABULIB_DIR``: our greedy and MES (pure code, ``bench_tally_pure``) against
   pabutools at its fastest (identical ballots merged into a multiprofile), each pabutools run in
   a subprocess capped at ``--timeout`` (300 s), reported as "> 300 s". With
   ``--pabutools-fixture`` the pabutools times and outcomes recorded by
   ``scripts/make_pabutools_fixtures.py`` are used instead of running it again.
2. A synthetic 1,000,000-ballot x 200-project approval election (ours only).
3. The pipeline: the same election stored as 1,000,000 ballots in PostgreSQL (database
   ``chamyeo_bench_tally`` next to ``DATABASE_URL``'s), then, in a fresh process, ``tally_scope``
   (input merged in SQL, fingerprint, MES and the greedy comparison, allocations),
   ``publish_results`` and the three downloads, with wall time and the process's peak memory.
4. The weighted count of the same 1,000,000 ballots (issue 12): the cycle switched to the
   weighted rule (50 % online, 30 % committee, 20 % general assembly) with 200 committee rubric
   scores and 500 general-assembly votes added, then ``tally_scope`` in a fresh process (the
   weighted rule and its greedy comparison, allocations, every source's numbers). Target < 10 s.

The last line is (one line)::

    tally: mes_lodz_s=<s> mes_1m_s=<s> pipeline_1m_s=<s> pipeline_1m_peak_mb=<mb>
    min_speedup_vs_pabutools=<x> weighted_1m_s=<s>

where the speedup is the smallest (pabutools time / our time, identical outcomes) over the runs
in which pabutools needs more than 10 s (runs it did not finish count at 300 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import bench_tally_pure as pure  # noqa: E402

BENCH_DB = "chamyeo_bench_tally"
SLOW_PABUTOOLS_S = 10.0
FIXTURE = REPO / "tests" / "budgeting" / "tally" / "fixtures" / "pabutools_outcomes.json"


def _bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chamyeo")
    return base.rsplit("/", 1)[0] + "/" + BENCH_DB


def _line(label: str, rule: str, who: str, text: str) -> None:
    print(f"{label:45s} {rule:8s} {who:9s} {text}", flush=True)


# --- 1. the shared files ------------------------------------------------------------------------
def bench_files(*, use_fixture: bool, timeout: float) -> tuple[float | None, list[float]]:
    """Returns our MES seconds on Łódź 2022 and the speedups where pabutools needs > 10 s."""
    fixtures = pure.oracle()
    folder = fixtures.pabulib_dir()
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))["runs"] if use_fixture else {}
    mes_lodz = None
    speedups: list[float] = []
    cpu_speedups: list[float] = []
    for path in sorted(folder.glob("*.pb")):
        label = path.name
        start = time.perf_counter()
        election = pure.read_pb(path)
        tally_input = election.to_tally_input("lexico")
        _line(label, "read", "ours", f"{time.perf_counter() - start:8.2f} s")
        for rule in ("greedy", "mes"):
            ours = pure.bench_ours(tally_input, rule, repeat=3)
            _line(label, rule, "ours", pure._ours_text(ours))
            if label == "Poland_Lodz_2022.pb" and rule == "mes":
                mes_lodz = ours["seconds"]
            if use_fixture:
                entry = stored.get(label, {}).get(rule)
                if entry is None:
                    _line(label, rule, "pabutools", "no recorded run")
                    continue
                theirs = (
                    {"status": "timeout"}
                    if entry == "timeout"
                    else {"status": "ok", **entry, "parse_seconds": entry.get("parse_seconds", 0)}
                )
            else:
                theirs = pure.bench_pabutools(path, rule, timeout)
            _line(
                label,
                rule,
                "pabutools",
                pure._pabutools_text(theirs, timeout) + (" (recorded)" if use_fixture else ""),
            )
            if theirs["status"] == "ok":
                same = sorted(theirs["selected"]) == sorted(ours["selected"])
                seconds = theirs["seconds"]
            elif theirs["status"] == "timeout":
                same, seconds = None, timeout
            else:
                continue
            speedup = seconds / max(ours["seconds"], 1e-9)
            cpu_speedup = seconds / max(ours["cpu_seconds"], 1e-9)
            prefix = ">" if theirs["status"] == "timeout" else ""
            _line(
                label,
                rule,
                "compare",
                f"same outcome: {same}, {prefix}{speedup:.0f}x faster "
                f"({prefix}{cpu_speedup:.0f}x by our CPU time)",
            )
            if seconds > SLOW_PABUTOOLS_S and same is not False:
                speedups.append(speedup)
                cpu_speedups.append(cpu_speedup)
    if speedups:
        print(
            f"smallest speedup where pabutools needs > {SLOW_PABUTOOLS_S:.0f} s: "
            f"{min(speedups):.1f}x by wall time, {min(cpu_speedups):.1f}x by our CPU time "
            "(pabutools' wall times exclude parsing the file and building its multiprofile; "
            "ours exclude reading the file, include merging identical ballots; best of 3)",
            flush=True,
        )
    return mes_lodz, speedups


# --- 2. synthetic, pure ------------------------------------------------------------------------
def bench_synthetic() -> float:
    label = "synthetic 1,000,000 x 200 approval"
    start = time.perf_counter()
    tally_input = pure.synthetic_election()
    _line(label, "make", "ours", f"{time.perf_counter() - start:8.2f} s")
    result = {}
    for rule in ("greedy", "mes"):
        result[rule] = pure.bench_ours(tally_input, rule)
        _line(label, rule, "ours", pure._ours_text(result[rule]))
    return result["mes"]["seconds"]


# --- 3. the pipeline on PostgreSQL --------------------------------------------------------------
def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _ensure_database() -> None:
    import psycopg

    base = _bench_database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if exists:
            conn.execute(f"DROP DATABASE {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def reset_pipeline_election() -> dict[str, int] | None:
    """``--reuse-database``: forget the earlier count of an already loaded election."""
    _django(_bench_database_url())
    from django.core.management import call_command

    from accounts.models import User
    from budgeting.models import BudgetCycle
    from budgeting.models import TallyRun
    from budgeting.phases import Phase

    call_command("migrate", verbosity=0)
    cycle = BudgetCycle.objects.filter(slug="bench").first()
    if cycle is None:
        return None
    scope = cycle.scopes.get()
    TallyRun.objects.filter(scope=scope).delete()
    BudgetCycle.objects.filter(pk=cycle.pk).update(phase=Phase.TALLYING, tally_rule="mes")
    staff = User.objects.get(email="staff@chamyeo.invalid")
    return {"cycle": cycle.pk, "scope": scope.pk, "staff": staff.pk}


def load_pipeline_election() -> dict[str, int]:
    """Store the synthetic election as a cycle in the counting phase with 1,000,000 ballots."""
    _ensure_database()
    _django(_bench_database_url())
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from budgeting.models import BallotScope
    from budgeting.models import BudgetCycle
    from budgeting.models import PolicyArea
    from budgeting.phases import Phase
    from proposals.models import Proposal

    call_command("migrate", verbosity=0)
    tally_input = pure.synthetic_election()
    now = timezone.now()
    day = timezone.timedelta(days=1)
    cycle = BudgetCycle.objects.create(
        name="Bench", slug="bench", year=2027, tally_rule="mes", phase=Phase.TALLYING,
        proposals_start_at=now - 90 * day, proposals_end_at=now - 60 * day,
        voting_start_at=now - 30 * day, voting_end_at=now - day,
    )  # fmt: skip
    scope = BallotScope.objects.create(cycle=cycle, district=None, budget_won=tally_input.budget)
    area = PolicyArea.objects.create(name="Bench", slug="bench")
    author = User.objects.create_user(email="bench@chamyeo.invalid", password=None)
    staff = User.objects.create_user(email="staff@chamyeo.invalid", password=None, is_staff=True)
    proposals = Proposal.objects.bulk_create(
        Proposal(
            cycle=cycle, scope=scope, policy_area=area, author=author, title=f"사업 {p.id}",
            summary="bench", description="bench", cost_estimate_won=p.cost,
            status=Proposal.Status.ON_BALLOT, submitted_at=now,
        )
        for p in tally_input.projects
    )  # fmt: skip
    m = tally_input.ballots
    pks = [p.pk for p in proposals]
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_choice (ballot_no integer, proposal_id integer)")
        with cursor.copy("COPY bench_choice FROM STDIN") as copy:
            rows = m.indptr[1:] - m.indptr[:-1]
            ballot_no = __import__("numpy").repeat(range(len(rows)), rows)
            proposal = [pks[i] for i in m.project_index.tolist()]
            chunk = []
            for no, pid in zip(ballot_no.tolist(), proposal, strict=True):
                chunk.append(f"{no}\t{pid}\n")
                if len(chunk) >= 100_000:
                    copy.write("".join(chunk))
                    chunk = []
            copy.write("".join(chunk))
        cursor.execute(
            "CREATE TEMP TABLE bench_ballot AS SELECT g AS no, gen_random_uuid() AS id "
            "FROM generate_series(0, %s) g",
            [m.n_rows - 1],
        )
        cursor.execute(
            "INSERT INTO budgeting_ballot (id, voter_key, scope_id) "
            "SELECT id, md5('bench' || no), %s FROM bench_ballot",
            [scope.pk],
        )
        cursor.execute(
            "INSERT INTO budgeting_ballotchoice (id, ballot_id, proposal_id, points) "
            "SELECT gen_random_uuid(), b.id, c.proposal_id, 1 "
            "FROM bench_choice c JOIN bench_ballot b ON b.no = c.ballot_no"
        )
        cursor.execute("ANALYZE budgeting_ballot")
        cursor.execute("ANALYZE budgeting_ballotchoice")
    _line("pipeline 1,000,000 ballots", "load", "postgres", f"{time.perf_counter() - start:8.2f} s")
    return {"cycle": cycle.pk, "scope": scope.pk, "staff": staff.pk, "ballots": m.n_rows}


def run_pipeline(ids: dict[str, int]) -> dict[str, Any]:
    """In a fresh process: count, publish, build the downloads. Wall time and peak memory."""
    _django(_bench_database_url())
    from accounts.models import User
    from budgeting.models import ExportFile
    from results.services.counting import tally_scope
    from results.services.exports import build_export_file
    from results.services.publication import publish_results

    staff = User.objects.get(pk=ids["staff"])
    timings = {}
    start, cpu = time.perf_counter(), time.process_time()
    run = tally_scope(scope_id=ids["scope"])
    timings["tally_scope_s"] = time.perf_counter() - start
    step = time.perf_counter()
    publish_results(cycle_id=ids["cycle"], actor=staff)
    timings["publish_s"] = time.perf_counter() - step
    step = time.perf_counter()
    for export in ExportFile.objects.filter(tally_run=run):
        build_export_file(export_file_id=export.pk)
    timings["exports_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - start
    timings["cpu_s"] = time.process_time() - cpu  # this process only (not PostgreSQL's)
    timings["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run.refresh_from_db()
    timings.update(
        ballots=run.ballot_count,
        funded=run.allocations.filter(is_funded=True).count(),
        exports=sorted(ExportFile.objects.filter(tally_run=run).values_list("kind", "status")),
    )
    return timings


def prepare_weighted(ids: dict[str, int]) -> dict[str, int]:
    """The same 1,000,000 ballots, to be counted again by the weighted rule: 50 % online, 30 %
    committee (200 rubric scores, one per project), 20 % general assembly (500 votes)."""
    _django(_bench_database_url())
    import random

    from django.utils import timezone

    from accounts.models import User
    from assembly.models import Assembly
    from assembly.models import AssemblyBallot
    from assembly.models import AssemblyChoice
    from budgeting.models import BudgetCycle
    from budgeting.models import TallyRun
    from budgeting.phases import Phase
    from proposals.models import CouncilScore
    from proposals.models import Proposal
    from proposals.models import RubricCriterion

    cycle = BudgetCycle.objects.get(pk=ids["cycle"])
    scope = cycle.scopes.get()
    TallyRun.objects.filter(scope=scope).delete()
    BudgetCycle.objects.filter(pk=cycle.pk).update(
        phase=Phase.TALLYING,
        tally_rule="weighted",
        weight_online_percent=50,
        weight_committee_percent=30,
        weight_assembly_percent=20,
    )
    proposals = list(Proposal.objects.filter(scope=scope).order_by("pk"))
    rng = random.Random(12)
    criterion, _created = RubricCriterion.objects.get_or_create(
        cycle=cycle, name="bench", defaults={"max_points": 10}
    )
    member, _created = User.objects.get_or_create(email="member@chamyeo.invalid")
    CouncilScore.objects.filter(criterion=criterion).delete()
    CouncilScore.objects.bulk_create(
        CouncilScore(proposal=p, member=member, criterion=criterion, points=rng.randint(0, 10))
        for p in proposals[:200]
    )
    AssemblyBallot.objects.filter(assembly__cycle=cycle).delete()  # protected: first
    Assembly.objects.filter(cycle=cycle).delete()
    assembly = Assembly.objects.create(
        cycle=cycle, title="bench", starts_at=timezone.now(), place="bench", status="closed"
    )
    ballots = AssemblyBallot.objects.bulk_create(
        AssemblyBallot(assembly=assembly, scope=scope) for _n in range(500)
    )
    AssemblyChoice.objects.bulk_create(
        AssemblyChoice(ballot=b, proposal=p)
        for b in ballots
        for p in rng.sample(proposals, rng.randint(1, 5))
    )
    return ids


def run_weighted(ids: dict[str, int]) -> dict[str, Any]:
    """In a fresh process: the weighted count (input, fingerprint, the weighted rule and the
    greedy comparison, allocations and every source's numbers)."""
    _django(_bench_database_url())
    from results.services.counting import tally_scope

    start = time.perf_counter()
    run = tally_scope(scope_id=ids["scope"])
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rule": run.rule,
        "ballots": run.ballot_count,
        "funded": run.allocations.filter(is_funded=True).count(),
        "sources": {name: s["total"] for name, s in run.sources.items()},
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_weighted(ids: dict[str, int]) -> float:
    _subprocess("--weighted-prepare", json.dumps(ids))
    result = json.loads(_subprocess("--weighted-only", json.dumps(ids)))
    label = "weighted 1,000,000 + 200 scores + 500 assembly"
    _line(label, "tally", "ours", f"{result['seconds']:8.2f} s")
    _line(label, "memory", "ours", f"peak {result['peak_mb']:.0f} MB (process maximum RSS)")
    _line(
        label,
        "check",
        "ours",
        f"rule {result['rule']}, {result['ballots']} ballots, {result['funded']} funded, "
        f"source totals {result['sources']}",
    )
    return float(result["seconds"])


def bench_pipeline(*, reuse: bool) -> dict[str, Any]:
    ids = json.loads(_subprocess("--reset-only")) if reuse else None
    ids = ids or json.loads(_subprocess("--load-only"))
    result = json.loads(_subprocess("--pipeline-only", json.dumps(ids)))
    result["ids"] = ids
    label = "pipeline 1,000,000 ballots"
    for key in ("tally_scope_s", "publish_s", "exports_s", "total_s"):
        _line(label, key.removesuffix("_s"), "ours", f"{result[key]:8.2f} s")
    _line(label, "cpu", "ours", f"{result['cpu_s']:8.2f} s (this process; PostgreSQL not counted)")
    _line(label, "memory", "ours", f"peak {result['peak_mb']:.0f} MB (process maximum RSS)")
    _line(label, "check", "ours", f"{result['ballots']} ballots, {result['funded']} funded")
    return result


def _subprocess(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    sys.stderr.write(out.stderr)
    lines = out.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line, flush=True)
    return lines[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pabutools-fixture", action="store_true")
    parser.add_argument("--no-files", action="store_true")
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="keep the 1,000,000 ballots loaded by an earlier run (loading takes minutes)",
    )
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reset-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pipeline-only", metavar="IDS", help=argparse.SUPPRESS)
    parser.add_argument("--weighted-prepare", metavar="IDS", help=argparse.SUPPRESS)
    parser.add_argument("--weighted-only", metavar="IDS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_only:
        print(json.dumps(load_pipeline_election()))
        return 0
    if args.reset_only:
        print(json.dumps(reset_pipeline_election()))
        return 0
    if args.pipeline_only:
        print(json.dumps(run_pipeline(json.loads(args.pipeline_only))))
        return 0
    if args.weighted_prepare:
        print(json.dumps(prepare_weighted(json.loads(args.weighted_prepare))))
        return 0
    if args.weighted_only:
        print(json.dumps(run_weighted(json.loads(args.weighted_only))))
        return 0
    mes_lodz, speedups = (None, [])
    if not args.no_files:
        mes_lodz, speedups = bench_files(use_fixture=args.pabutools_fixture, timeout=args.timeout)
    mes_1m = bench_synthetic() if not args.no_synthetic else None
    pipeline = bench_pipeline(reuse=args.reuse_database)
    weighted_1m = bench_weighted(pipeline["ids"])

    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    print(
        f"tally: mes_lodz_s={fmt(mes_lodz)} mes_1m_s={fmt(mes_1m)} "
        f"pipeline_1m_s={fmt(pipeline['total_s'])} pipeline_1m_peak_mb={pipeline['peak_mb']:.0f} "
        f"min_speedup_vs_pabutools={fmt(min(speedups) if speedups else None)} "
        f"weighted_1m_s={fmt(weighted_1m)}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
