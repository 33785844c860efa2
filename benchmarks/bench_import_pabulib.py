"""``make bench-import``: ``import_pabulib`` and the platform's count on every shared Pabulib file.

Usage::

    .venv/bin/python benchmarks/bench_import_pabulib.py [--files NAME ...]

For every ``.pb`` file in ``PABULIB_DIR`` (default ``../shared/pabulib``), in a database of its
own (``chamyeo_bench_import`` next to ``DATABASE_URL``'s, dropped and created again):

1. ``manage.py import_pabulib FILE`` (the file read, projects and anonymous ballots stored);
2. ``tally_scope`` on the imported cycle: the ballots read back from PostgreSQL, counted under
   the file's META rule (its variant, pabutools' tie-break, Add1 steps of one currency unit);
3. checks: the stored ballots and choices equal the file's; the funded projects equal the pure
   count of the file (``PbElection.to_tally_input(follow_meta_rule=True)``), and, where the META
   rule is a plain rule pabutools computes (greedy, or Equal Shares with completion), the
   pabutools outcome recorded in ``tests/budgeting/tally/fixtures/pabutools_outcomes.json``.

One line per file (seconds to import, to count, ballots, outcome checks); the last line::

    import_pabulib: files=<n> ok=<n> import_s=<total> tally_s=<total>
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

BENCH_DB = "chamyeo_bench_import"
FIXTURE = REPO / "tests" / "budgeting" / "tally" / "fixtures" / "pabutools_outcomes.json"
PLAIN_RULES = {"greedy": "greedy", "equalshares": "mes", "equalshares/add1-comparison": "mes"}


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chamyeo")
    return base.rsplit("/", 1)[0] + "/" + BENCH_DB


def _fresh_database() -> None:
    import psycopg

    base = _database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = _database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_file(path: Path, stored: dict) -> tuple[bool, float, float]:
    from django.core.management import call_command

    from budgeting.models import BallotChoice
    from budgeting.models import ImportedElection
    from budgeting.tally import read_pb
    from budgeting.tally.rules import RULES
    from results.services.counting import tally_scope

    election = read_pb(path)
    t0 = time.perf_counter()
    call_command("import_pabulib", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    t1 = time.perf_counter()
    imported = ImportedElection.objects.get(source_name=path.name)
    scope = imported.cycle.scopes.get()
    run = tally_scope(scope_id=scope.pk)
    t2 = time.perf_counter()

    funded = {
        imported.project_ids[str(pk)]
        for pk in run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True)
    }
    rule = "mes" if election.rule.startswith("equalshares") else "greedy"
    pure = set(RULES[rule](election.to_tally_input("lexico", follow_meta_rule=True)).selected)
    checks = {
        "ballots": scope.ballots.count() == election.votes.n_voters,
        "choices": BallotChoice.objects.filter(ballot__scope=scope).count()
        == int((election.votes.points > 0).sum()),
        "pure": funded == pure,
    }
    plain = PLAIN_RULES.get(election.rule)
    entry = stored.get(path.name, {}).get(plain or "", "timeout")
    if plain and entry != "timeout":
        checks["pabutools"] = funded == set(entry["selected"])
    ok = all(checks.values())
    marks = " ".join(f"{k}={'ok' if v else 'DIFFERS'}" for k, v in checks.items())
    print(
        f"{path.name:45s} {election.rule:28s} ballots={election.votes.n_voters:>7} "
        f"import={t1 - t0:6.1f}s tally={t2 - t1:6.1f}s {marks}",
        flush=True,
    )
    return ok, t1 - t0, t2 - t1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", nargs="*", help="file names in PABULIB_DIR (default: all)")
    args = parser.parse_args()
    folder = Path(os.environ.get("PABULIB_DIR") or REPO.parent / "shared" / "pabulib")
    paths = [folder / n for n in args.files] if args.files else sorted(folder.glob("*.pb"))
    _fresh_database()
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))["runs"]
    results = [bench_file(path, stored) for path in paths]
    ok = sum(r[0] for r in results)
    print(
        f"import_pabulib: files={len(results)} ok={ok} "
        f"import_s={sum(r[1] for r in results):.1f} tally_s={sum(r[2] for r in results):.1f}"
    )
    return 0 if ok == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
