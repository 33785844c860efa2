"""Hand-checked examples: reasons shown to citizens, tie-breaks, the council-weighted rule."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from budgeting.tally import BallotInput
from budgeting.tally import BallotMatrix
from budgeting.tally import ProjectInput
from budgeting.tally import TallyInput
from budgeting.tally.rules import RULES
from budgeting.tally.ties import lot_digest


def _approval(
    budget: int, costs: dict[str, int], ballots: list[tuple[str, ...]], **kw
) -> TallyInput:
    return TallyInput(
        budget=budget,
        projects=tuple(ProjectInput(id=k, cost=v) for k, v in costs.items()),
        ballots=tuple(BallotInput(choices=tuple((p, 1) for p in b)) for b in ballots),
        **kw,
    )


def test_greedy_reasons_name_the_money_left() -> None:
    t = _approval(
        10_000_000,
        {"A": 4_000_000, "B": 4_500_000, "C": 2_800_000, "D": 1_000_000},
        [("A", "B"), ("A", "B"), ("A", "C"), ("C",), ("D",)],
        min_project_score=2,
        tie_break="lexico",
    )
    outcome = RULES["greedy"](t)
    assert outcome.selected == ("A", "B")
    c = outcome.result("C")
    assert (c.funded, c.reason_code, c.reason_params) == (
        False,
        "not_enough_budget",
        {"remaining_budget": 1_500_000},
    )
    d = outcome.result("D")
    assert (d.reason_code, d.reason_params) == ("below_threshold", {"score": 1, "threshold": 2})
    assert [r.project_id for r in outcome.results] == ["A", "B", "C", "D"]
    assert outcome.result("B").reason_params == {"remaining_budget": 6_000_000}


def test_no_skip_stops_at_the_first_project_that_does_not_fit() -> None:
    t = _approval(5, {"A": 3, "B": 4, "C": 1}, [("A", "B", "C"), ("A", "B"), ("A",)])
    assert RULES["greedy"](t).selected == ("A", "C")
    stopped = RULES["greedy"](replace(t, greedy_no_skip=True))
    assert stopped.selected == ("A",)
    assert stopped.result("C").reason_code == "not_reached_no_skip"
    assert stopped.result("C").reason_params == {"remaining_budget": 2, "stopped_at": "B"}


def test_tie_breaks() -> None:
    # three projects with the same number of votes
    t = _approval(5, {"9": 3, "10": 2, "x": 2}, [("9", "10", "x")], tie_break="lexico")
    assert RULES["greedy"](t).selected == ("10", "9")  # "10" < "9" < "x" as strings
    lot = replace(t, tie_break="cost_votes_lot", lot_seed="2026-seoul")
    first = min(("10", "x"), key=lambda pid: lot_digest("2026-seoul", pid))
    other = "x" if first == "10" else "10"
    assert RULES["greedy"](lot).selected == (first, other)  # cheaper ones first, then the lot


def test_cost_votes_lot_prefers_cheaper_then_more_supporters() -> None:
    costs = {"A": 5, "B": 3, "C": 3}
    t = TallyInput(
        budget=6,
        projects=tuple(ProjectInput(id=k, cost=v) for k, v in costs.items()),
        ballots=(
            BallotInput(choices=(("A", 2), ("B", 2))),
            BallotInput(choices=(("C", 1),)),
            BallotInput(choices=(("C", 1),)),
        ),
        vote_type="cumulative",
    )
    # all score 2; B and C are cheaper than A; C has more supporters than B
    assert RULES["greedy"](t).selected == ("C", "B")


def test_mes_reasons() -> None:
    # 4 voters, share 25 each. A (60): its 3 supporters pay 20 each. C (30) has one supporter
    # with 25: not affordable, so Add1 raises the share to 30, where C's supporter can pay it.
    # B (80): its supporters then hold 10 + 10 + 0 = 20.
    t = _approval(
        100,
        {"A": 60, "B": 80, "C": 30},
        [("A", "B"), ("A", "B"), ("A",), ("B", "C")],
        mes_completion="none",
    )
    outcome = RULES["mes"](t)
    assert outcome.selected == ("A", "C")
    a = outcome.result("A")
    assert a.reason_code == "funded"
    assert a.reason_params == {"round": 1, "voter_share": "30", "max_payment_per_point": "20"}
    b = outcome.result("B")
    assert b.reason_code == "supporters_could_not_pay"
    assert b.reason_params == {"supporters_money": 20, "voter_share": "30"}
    completed = RULES["mes"](replace(t, mes_completion="greedy"))
    assert completed.selected == ("A", "C")
    assert completed.result("B").reason_params["remaining_budget"] == 10


def test_council_weighted_exact_scores() -> None:
    t = TallyInput(
        budget=10,
        projects=(
            ProjectInput(id="A", cost=6, council_votes=1),
            ProjectInput(id="B", cost=6, council_votes=3),
            ProjectInput(id="C", cost=4, council_votes=0),
        ),
        ballots=tuple(BallotInput(choices=((p, 1),)) for p in ("A", "A", "A", "B", "C", "C")),
        public_weight=Fraction(1, 2),
        council_weight=Fraction(1, 2),
    )
    outcome = RULES["council_weighted"](t)
    # A: 1/2*3/6 + 1/2*1/4 = 3/8; B: 1/2*1/6 + 1/2*3/4 = 11/24; C: 1/2*2/6 = 1/6
    scores = {r.project_id: r.score for r in outcome.results}
    assert scores == {"A": "3/8", "B": "11/24", "C": "1/6"}
    assert outcome.selected == ("B", "C")
    assert outcome.result("A").reason_params == {"remaining_budget": 4}


def test_matrix_input_equals_object_input() -> None:
    rows = [[0, 1], [0], [2], [], [1, 2]]
    matrix = BallotMatrix.from_lists(rows, weights=[3, 1, 2, 5, 1])
    projects = (ProjectInput("a", 5), ProjectInput("b", 4), ProjectInput("c", 3))
    by_matrix = TallyInput(budget=9, projects=projects, ballots=matrix)
    ids = ["a", "b", "c"]
    by_objects = replace(
        by_matrix,
        ballots=tuple(
            BallotInput(choices=tuple((ids[i], 1) for i in r), weight=int(w))
            for r, w in zip(rows, [3, 1, 2, 5, 1], strict=True)
        ),
    )
    padded = np.array([[0, 1], [0, -1], [2, -1], [-1, -1], [1, 2]])
    by_padded = replace(
        by_matrix, ballots=BallotMatrix.from_padded(padded, weights=np.array([3, 1, 2, 5, 1]))
    )
    for rule in RULES.values():
        assert rule(by_matrix) == rule(by_objects) == rule(by_padded)
