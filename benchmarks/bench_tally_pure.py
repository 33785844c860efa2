"""Time our tally rules against pabutools on the shared Pabulib files and a 1M-ballot election.

Usage::

    .venv/bin/python benchmarks/bench_tally_pure.py                 # everything
    .venv/bin/python benchmarks/bench_tally_pure.py --skip-pabutools
    .venv/bin/python benchmarks/bench_tally_pure.py --only Poland_Lodz_2022.pb --no-synthetic

One line per run. "ours" times exclude reading the file (reported separately); peak memory is
measured in a second, traced run (tracemalloc slows Python code down). pabutools runs "at its
fastest" (identical ballots merged into a multiprofile) in a subprocess capped at ``--timeout``
seconds (default 300), reported as "> 300 s" when it does not finish. The functions are
importable for a fuller benchmark later.

Targets: MES+Add1 on Poland_Lodz_2022 under 3 s; on the synthetic 1,000,000-ballot approval
election under 10 s; at least 100x faster than pabutools wherever pabutools needs > 10 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from budgeting.tally import BallotMatrix  # noqa: E402
from budgeting.tally import ProjectInput  # noqa: E402
from budgeting.tally import TallyInput  # noqa: E402
from budgeting.tally import read_pb  # noqa: E402
from budgeting.tally import write_pb  # noqa: E402
from budgeting.tally.rules import RULES  # noqa: E402


def oracle() -> ModuleType:
    """``scripts/make_pabutools_fixtures.py`` (pabutools helpers), loaded by path."""
    path = REPO / "scripts" / "make_pabutools_fixtures.py"
    spec = importlib.util.spec_from_file_location("tally_pabutools_oracle", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def synthetic_election(
    n_ballots: int = 1_000_000, n_projects: int = 200, seed: int = 2026
) -> TallyInput:
    """A city-sized approval election: each voter approves 1-5 projects, popularity skewed.

    Costs are 50,000-2,000,000 in steps of 1,000; the budget is 30% of the total cost (about
    60 per voter, so Add1's +1 steps are about 1.6% of a share, like Polish cities).
    """
    rng = np.random.default_rng(seed)
    popularity = rng.dirichlet(np.full(n_projects, 0.7))
    costs = rng.integers(50, 2000, n_projects) * 1000
    lengths = rng.integers(1, 6, n_ballots)
    choice = np.full((n_ballots, 5), -1, dtype=np.int64)
    for j in range(5):
        picks = rng.choice(n_projects, size=n_ballots, p=popularity)
        choice[:, j] = np.where(j < lengths, picks, -1)
    choice.sort(axis=1)
    repeated = np.zeros_like(choice, dtype=bool)
    repeated[:, 1:] = (choice[:, 1:] == choice[:, :-1]) & (choice[:, 1:] >= 0)
    choice[repeated] = -1
    mask = choice >= 0
    indptr = np.zeros(n_ballots + 1, dtype=np.int64)
    np.cumsum(mask.sum(axis=1), out=indptr[1:])
    projects = tuple(
        ProjectInput(id=f"S{i:03d}", cost=int(c)) for i, c in enumerate(costs.tolist())
    )
    budget = int(costs.sum() * 3 // 10)
    return TallyInput.from_arrays(
        budget, projects, indptr, choice[mask], tie_break="lexico", vote_type="approval"
    )


def _forget_merge(tally_input: TallyInput) -> None:
    """Drop the merged ballots cached on the matrix, so a timed run merges them again."""
    if isinstance(tally_input.ballots, BallotMatrix):
        object.__setattr__(tally_input.ballots, "merged", None)


def bench_ours(
    tally_input: TallyInput, rule: str, *, memory: bool = True, repeat: int = 1
) -> dict[str, Any]:
    """Run one of our rules ``repeat`` times; the best wall and CPU seconds, and (one more,
    traced run) peak MiB. Best of a few, because the machine is shared: a run only gets slower
    when other jobs take the cores. Every run starts from the parsed ballots: merging identical
    ballots (and summing the scores) is timed, although pabutools' timed run starts from a
    multiprofile it built beforehand."""
    fn: Callable[[TallyInput], Any] = RULES[rule]
    walls, cpus = [], []
    for _ in range(repeat):
        _forget_merge(tally_input)
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = fn(tally_input)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    result: dict[str, Any] = {
        "seconds": min(walls),
        "cpu_seconds": min(cpus),
        "runs": repeat,
        "selected": list(outcome.selected),
    }
    if memory:
        _forget_merge(tally_input)
        tracemalloc.start()
        fn(tally_input)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["peak_mib"] = peak / 2**20
    return result


def bench_pabutools(path: Path, rule: str, timeout: float = 300.0) -> dict[str, Any]:
    """pabutools on a ``.pb`` file in a capped subprocess (see the fixture script)."""
    return oracle().run_capped(path, rule, timeout)


def _line(label: str, rule: str, who: str, text: str) -> None:
    print(f"{label:45s} {rule:7s} {who:9s} {text}", flush=True)


def _ours_text(r: dict[str, Any]) -> str:
    mem = f", peak {r['peak_mib']:.0f} MiB" if "peak_mib" in r else ""
    best = f"best of {r['runs']}, " if r.get("runs", 1) > 1 else ""
    return f"{r['seconds']:8.2f} s ({best}cpu {r['cpu_seconds']:.2f} s{mem})"


def _pabutools_text(r: dict[str, Any], timeout: float) -> str:
    if r["status"] == "timeout":
        return f"   > {timeout:.0f} s"
    if r["status"] != "ok":
        return f"error: {r.get('stderr', '')[-200:]}"
    return f"{r['seconds']:8.2f} s (+{r['parse_seconds']:.2f} s parse)"


def bench_file(
    path: Path, rules: tuple[str, ...], *, pabutools: bool, timeout: float
) -> dict[str, Any]:
    """Benchmark one file: read time, our rules, pabutools' rules; prints one line per run."""
    label = path.name
    start = time.perf_counter()
    election = read_pb(path)
    tally_input = election.to_tally_input("lexico")
    _line(label, "read", "ours", f"{time.perf_counter() - start:8.2f} s")
    out: dict[str, Any] = {}
    for rule in rules:
        ours = bench_ours(tally_input, rule, repeat=3)
        _line(label, rule, "ours", _ours_text(ours))
        out[rule] = {"ours": ours}
        if pabutools and rule in ("greedy", "mes"):
            theirs = bench_pabutools(path, rule, timeout)
            _line(label, rule, "pabutools", _pabutools_text(theirs, timeout))
            if theirs["status"] == "ok":
                same = theirs["selected"] == ours["selected"]
                speedup = theirs["seconds"] / max(ours["seconds"], 1e-9)
                _line(label, rule, "compare", f"same outcome: {same}, {speedup:.0f}x faster")
            out[rule]["pabutools"] = theirs
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--skip-pabutools", action="store_true")
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument(
        "--synthetic-pabutools",
        action="store_true",
        help="also run pabutools on the 1M election (2 x timeout)",
    )
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    fixtures = oracle()
    folder = fixtures.pabulib_dir()
    rules = ("greedy", "mes")
    for name in args.only or fixtures.FILES:
        path = folder / name
        if not path.is_file():
            print(f"missing {path}", file=sys.stderr)
            return 1
        bench_file(path, rules, pabutools=not args.skip_pabutools, timeout=args.timeout)
    if not args.no_synthetic:
        label = "synthetic 1,000,000 x 200 approval"
        start = time.perf_counter()
        tally_input = synthetic_election()
        _line(label, "make", "ours", f"{time.perf_counter() - start:8.2f} s")
        for rule in rules:
            _line(label, rule, "ours", _ours_text(bench_ours(tally_input, rule)))
        if args.synthetic_pabutools and not args.skip_pabutools:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "synthetic.pb"
                path.write_text(write_pb(tally_input, {"description": "synthetic"}), "utf-8")
                for rule in rules:
                    theirs = bench_pabutools(path, rule, args.timeout)
                    _line(label, rule, "pabutools", _pabutools_text(theirs, args.timeout))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
