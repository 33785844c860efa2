"""Compute pabutools' outcomes on the shared Pabulib files and store them as a test fixture.

Usage::

    .venv/bin/python scripts/make_pabutools_fixtures.py            # all files, both rules
    .venv/bin/python scripts/make_pabutools_fixtures.py --only Poland_Swiecie_2023.pb
    .venv/bin/python scripts/make_pabutools_fixtures.py --one FILE RULE   # one run, JSON on stdout

pabutools (GPL, test/benchmark oracle only) is run "at its fastest": identical ballots merged into
a multiprofile. Rules:

* ``greedy``: ``greedy_utilitarian_welfare(sat_class=S)``;
* ``mes``: ``completion_by_rule_combination`` of ``method_of_equal_shares(sat_class=S,
  voter_budget_increment=1)`` then ``greedy_utilitarian_welfare(sat_class=S)``;

where ``S`` is ``Cost_Sat`` for approval/choose-1 ballots and points x cost for cumulative and
ordinal ballots (Kraków 3-2-1 rank points, ``k - position`` with ``k`` = META ``max_length``);
pabutools 1.2.3 ships no such class, so it is defined here.

Each run happens in a subprocess capped at ``--timeout`` seconds (default 300); a run that does
not finish is recorded as ``"timeout"`` (MES on the big Warsaw/Łódź/Kraków/Wrocław files), and the
tests then compare those files on greedy only. Files come from ``PABULIB_DIR`` (default: the
``shared/pabulib`` folder next to the repository).

This module also exposes the oracle helpers (:func:`pabutools_outcome`, :func:`run_capped`) for
the tests and benchmarks, which load it by path.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pabutools
from pabutools.election import Cost_Sat
from pabutools.election import parse_pabulib
from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
from pabutools.rules import completion_by_rule_combination
from pabutools.rules import greedy_utilitarian_welfare
from pabutools.rules import method_of_equal_shares

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "budgeting" / "tally" / "fixtures" / "pabutools_outcomes.json"
RULE_NAMES = ("greedy", "mes")
FILES = (
    "Netherlands_Assen_2024.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Warszawa_2020_Praga-Poludnie.pb",
    "Poland_Czestochowa_2024.pb",
    "Poland_Warszawa_2026.pb",
    "Poland_Krakow_2024.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Wroclaw_2015_150_-_500.pb",
)


def pabulib_dir() -> Path:
    env = os.environ.get("PABULIB_DIR")
    return Path(env) if env else REPO.parent / "shared" / "pabulib"


def sat_class_for(instance, profile):
    """The satisfaction class that matches our scoring for this profile's vote type."""

    vote_type = instance.meta.get("vote_type", "approval")
    if vote_type in ("approval", "choose-1"):
        return Cost_Sat
    if vote_type == "cumulative":

        def cumulative_cost(inst, prof, ballot, project, pre):
            return ballot.get(project, 0) * project.cost

        class CumulativeCostSat(AdditiveSatisfaction):
            def __init__(self, inst, prof, ballot):
                super().__init__(inst, prof, ballot, cumulative_cost)

        return CumulativeCostSat
    if vote_type == "ordinal":
        k = (
            int(instance.meta["max_length"])
            if "max_length" in instance.meta
            else max(len(b) for b in profile)
        )

        def ordinal_cost(inst, prof, ballot, project, pre):
            if project in ballot:
                return (k - list(ballot).index(project)) * project.cost
            return 0

        class OrdinalPointsCostSat(AdditiveSatisfaction):
            def __init__(self, inst, prof, ballot):
                super().__init__(inst, prof, ballot, ordinal_cost)

        return OrdinalPointsCostSat
    raise ValueError(f"no satisfaction class for {vote_type!r}")


def pabutools_rule(instance, multiprofile, rule: str) -> list[str]:
    """Run one rule in pabutools and return the selected project names in selection order."""

    sat = sat_class_for(instance, multiprofile)
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, multiprofile, sat_class=sat)
    elif rule == "mes":
        outcome = completion_by_rule_combination(
            instance,
            multiprofile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": sat}],
        )
    else:
        raise ValueError(rule)
    return [p.name for p in outcome]


def pabutools_outcome(path: Path, rule: str) -> dict[str, object]:
    """Parse ``path`` with pabutools and run ``rule``; returns selected names and timings."""

    t0 = time.perf_counter()
    instance, profile = parse_pabulib(str(path))
    multiprofile = profile.as_multiprofile()
    t1 = time.perf_counter()
    selected = pabutools_rule(instance, multiprofile, rule)
    t2 = time.perf_counter()
    return {"selected": selected, "parse_seconds": t1 - t0, "seconds": t2 - t1}


def run_capped(path: Path, rule: str, timeout: float) -> dict[str, object]:
    """:func:`pabutools_outcome` in a subprocess; ``{"status": "timeout"}`` past ``timeout``."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", str(path), rule]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "timeout_seconds": timeout}
    if done.returncode != 0:
        return {"status": "error", "stderr": done.stderr[-2000:]}
    result = json.loads(done.stdout)
    result["status"] = "ok"
    result["wall_seconds"] = time.perf_counter() - start
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one", nargs=2, metavar=("FILE", "RULE"))
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--rule", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(pabutools_outcome(Path(args.one[0]), args.one[1])))
        return 0

    folder = pabulib_dir()
    data: dict[str, object] = {}
    if FIXTURE.exists():
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    version = getattr(pabutools, "__version__", None)
    if version is None:
        version = metadata.version("pabutools")
    data["pabutools_version"] = version
    data["timeout_seconds"] = args.timeout
    data["note"] = (
        "Made by scripts/make_pabutools_fixtures.py: pabutools outcomes (multiprofile, "
        "Cost_Sat or points x cost; mes = MES Add1 then greedy completion). 'timeout' means "
        "pabutools did not finish within timeout_seconds; tests then skip that comparison."
    )
    runs = data.setdefault("runs", {})
    assert isinstance(runs, dict)
    files = args.only or list(FILES)
    rules = args.rule or list(RULE_NAMES)
    for name in files:
        path = folder / name
        if not path.exists():
            print(f"missing {path}", file=sys.stderr)
            return 1
        for rule in rules:
            result = run_capped(path, rule, args.timeout)
            entry = runs.setdefault(name, {})
            if result["status"] == "ok":
                entry[rule] = {
                    "selected": result["selected"],
                    "seconds": round(float(result["seconds"]), 3),
                    "parse_seconds": round(float(result["parse_seconds"]), 3),
                }
                shown = f"{result['seconds']:.2f} s (+{result['parse_seconds']:.2f} s parse)"
            elif result["status"] == "timeout":
                entry[rule] = "timeout"
                shown = f"timeout (> {args.timeout:.0f} s)"
            else:
                print(result["stderr"], file=sys.stderr)
                return 1
            print(f"{name:45s} {rule:7s} {shown}", flush=True)
            text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
            FIXTURE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
