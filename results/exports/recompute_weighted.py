#!/usr/bin/env python3
"""Recompute a Chamyeo weighted result from its published files (Python 3.10+, stdlib only).

Usage::

    python3 recompute_weighted.py SOURCES.json [SOURCE=FILE.pb ...]

``SOURCES.json`` is the result page's "sources" download: the projects (id, cost), every source's
weight and per-project numbers, the budget, the tie-break seed and the published outcome. For
each ballot file given (``online=city.pb``, ``assembly=city-assembly.pb``,
``budget_school=city-budget-school.pb``) the script counts the ballots itself and checks that
they give the published numbers of that source.

Then, exactly as the count did:

1. a project's share of a source = its number / the source's total (0 if the total is 0);
2. its combined score = sum over sources of weight x share (exact fractions);
3. projects are taken best score first; equal scores: cheaper first, then more online
   supporters, then the lot: smaller sha256(seed + project id) first;
4. each project is funded if its cost fits in what is left of the budget, otherwise skipped.

It prints every project with its sources, score and outcome, and whether the funded projects are
the published ones (exit status 0 if they are, 1 if not).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from fractions import Fraction


def read_pb_points(path: str) -> tuple[dict[str, int], dict[str, int]]:
    """Points and supporters per project id counted from the VOTES section of a .pb file."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    section, header = "", None
    points: dict[str, int] = {}
    supporters: dict[str, int] = {}
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if not row:
            continue
        if row[0].strip() in ("META", "PROJECTS", "VOTES"):
            section, header = row[0].strip(), None
            continue
        if header is None:
            header = [h.strip() for h in row]
            continue
        record = dict(zip(header, row, strict=False))
        if section == "PROJECTS":
            points.setdefault(record["project_id"], 0)
            supporters.setdefault(record["project_id"], 0)
        elif section == "VOTES" and record.get("vote"):
            chosen = record["vote"].split(",")
            given = record.get("points")
            values = [int(x) for x in given.split(",")] if given else [1] * len(chosen)
            for project_id, value in zip(chosen, values, strict=True):
                if value > 0:
                    points[project_id] = points.get(project_id, 0) + value
                    supporters[project_id] = supporters.get(project_id, 0) + 1
    return points, supporters


def recompute(document: dict, ballot_files: dict[str, str]) -> tuple[list[dict], list[str]]:
    projects = document["projects"]
    ids = [p["id"] for p in projects]
    supporters = {p["id"]: int(p["online_supporters"]) for p in projects}
    sources = document["sources"]
    for name, path in ballot_files.items():
        if name not in sources:
            raise SystemExit(f"{name}: not a source of this count ({', '.join(sources)})")
        counted, counted_supporters = read_pb_points(path)
        published = sources[name]["counts"]
        for project_id in ids:
            if counted.get(project_id, 0) != published.get(project_id, 0):
                raise SystemExit(
                    f"{path}: project {project_id} has {counted.get(project_id, 0)} in the file "
                    f"but {published.get(project_id, 0)} in the published numbers"
                )
        if name == "online":
            supporters = {pid: counted_supporters.get(pid, 0) for pid in ids}
    scores = {pid: Fraction(0) for pid in ids}
    for source in sources.values():
        weight = Fraction(source["weight_percent"]) / 100
        total = sum(int(source["counts"].get(pid, 0)) for pid in ids)
        if total:
            for pid in ids:
                scores[pid] += weight * Fraction(int(source["counts"].get(pid, 0)), total)
    cost = {p["id"]: int(p["cost"]) for p in projects}
    seed = document["lot_seed"]

    def lot(pid: str) -> str:
        return hashlib.sha256((seed + pid).encode("utf-8")).hexdigest()

    order = sorted(ids, key=lambda pid: (-scores[pid], cost[pid], -supporters[pid], lot(pid), pid))
    left = int(document["budget"])
    lines, funded = [], []
    for pid in order:
        fits = cost[pid] <= left
        if fits:
            left -= cost[pid]
            funded.append(pid)
        lines.append({"id": pid, "score": scores[pid], "cost": cost[pid], "funded": fits})
    return lines, funded


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__ or "")
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        document = json.load(handle)
    ballot_files = {}
    for arg in argv[1:]:
        name, _sep, path = arg.partition("=")
        if not path:
            raise SystemExit(f"{arg}: expected SOURCE=FILE.pb (e.g. online=city.pb)")
        ballot_files[name] = path
    lines, funded = recompute(document, ballot_files)
    names = {p["id"]: p["name"] for p in document["projects"]}
    out = sys.stdout
    for weight_name, source in document["sources"].items():
        out.write(f"source {weight_name}: weight {source['weight_percent']} %, ")
        out.write(f"total {source['total']}\n")
    for rank, line in enumerate(lines, start=1):
        mark = "FUNDED" if line["funded"] else "not funded"
        out.write(
            f"{rank:3d}. {line['id']:>8s}  score {float(line['score']):.6f} ({line['score']})  "
            f"cost {line['cost']}  {mark}  {names.get(line['id'], '')}\n"
        )
    published = document["outcome"]["selected"]
    same = sorted(funded) == sorted(published)
    out.write(f"funded: {' '.join(funded)}\n")
    out.write(f"matches the published outcome: {'yes' if same else 'NO'}\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
