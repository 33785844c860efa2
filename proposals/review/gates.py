"""Steps that other apps put before the 분과's recommendation, without proposals importing them.

The departments app (above proposals in the import order) registers one when it is ready: a
subcommittee recommends only after every department a proposal is routed to has answered
(issue #11: the 분과 sees the department's review before it recommends).
"""

from __future__ import annotations

from collections.abc import Callable

from proposals.models import Proposal

# A gate answers why the recommendation must wait, or None.
RecommendationGate = Callable[[Proposal], str | None]

_GATES: list[RecommendationGate] = []


def register_recommendation_gate(gate: RecommendationGate) -> None:
    if gate not in _GATES:
        _GATES.append(gate)


def get_recommendation_refusal(proposal: Proposal) -> str | None:
    """The first reason a gate gives for the recommendation to wait (None: it may be made)."""
    for gate in _GATES:
        refusal = gate(proposal)
        if refusal:
            return refusal
    return None
