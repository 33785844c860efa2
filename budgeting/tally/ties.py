"""Tie-breaking between projects that a rule rates exactly equal.

Every rule first orders projects by its own criterion (votes, weighted score, or the Method of
Equal Shares' price per unit of satisfaction). When two projects are exactly equal on that
criterion, the tie-break decides which one comes first:

``lexico``
    The project whose id is smaller *as a string* comes first (so ``"10"`` comes before ``"9"``).
    This is exactly what pabutools does by default (``lexico_tie_breaking`` sorts on the project
    name, and Pabulib project names are the ids), so use it when comparing with pabutools or
    Pabulib.

``cost_votes_lot`` (the documented default for cities)
    1. the cheaper project comes first (more projects can be funded);
    2. then the project with more supporters (ballots giving it at least one point);
    3. then a lot: the project whose ``sha256(lot_seed + project_id)`` (UTF-8, lowercase hex) is
       smaller comes first. The seed is published before the vote closes, so anyone can redo the
       draw with ``sha256sum``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


def lot_digest(lot_seed: str, project_id: str) -> str:
    """The lot value of a project: ``sha256(lot_seed + project_id)`` as lowercase hex."""
    return hashlib.sha256((lot_seed + project_id).encode("utf-8")).hexdigest()


def tie_key(
    tie_break: str, lot_seed: str, project_id: str, cost: int, votes: int
) -> tuple[object, ...]:
    """Sort key of one project under ``tie_break`` (smaller key wins the tie)."""
    if tie_break == "lexico":
        return (project_id,)
    if tie_break == "cost_votes_lot":
        return (cost, -votes, lot_digest(lot_seed, project_id), project_id)
    raise ValueError(f"unknown tie_break {tie_break!r}")


def tie_ranks(
    tie_break: str,
    lot_seed: str,
    ids: Sequence[str],
    costs: Sequence[int],
    votes: Sequence[int],
) -> np.ndarray:
    """``rank[i]`` = position of project ``i`` in the tie-break order (0 wins every tie)."""
    keys = [
        tie_key(tie_break, lot_seed, pid, cost, v)
        for pid, cost, v in zip(ids, costs, votes, strict=True)
    ]
    order = sorted(range(len(ids)), key=keys.__getitem__)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    return rank
