"""'How my share was spent': one voter's payments, redone from the published Equal Shares outcome.

Checked three ways: a small election computed by hand; on the shared Pabulib files, every
voter's payments towards each project bought with shares add up to its cost exactly; and on the
files where pabutools runs in seconds, every voter's payments equal pabutools' own (its MES
analytics record each voter's money before and after every purchase), at the share our Add1
loop settled on.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest
from pabutools.election import parse_pabulib
from pabutools.fractions import frac
from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme
from pabutools.tiebreaking import lexico_tie_breaking

from budgeting.tally import BallotInput
from budgeting.tally import ProjectInput
from budgeting.tally import TallyInput
from budgeting.tally import read_pb
from budgeting.tally.equal_shares import equal_shares
from budgeting.tally.shares import Purchase
from budgeting.tally.shares import ShareInputError
from budgeting.tally.shares import read_purchases
from budgeting.tally.shares import spend_share
from budgeting.tally.types import TallyOutcome


def _purchases(outcome: TallyOutcome) -> tuple[Fraction, tuple[Purchase, ...]]:
    return read_purchases((r.project_id, r.reason_code, r.reason_params) for r in outcome.results)


# -- a small election, by hand -----------------------------------------------------------------
#
# Budget 300, 3 voters: share 100 each (Add1 adds 1 per voter per step; see below).
#   voter 1: A, B      voter 2: A, C      voter 3: C
#   A costs 120, B 90, C 150.
# Round 1: prices per point (nobody short): A 120/2 = 60, B 90/1 = 90, C 150/2 = 75 -> A, each
# of voters 1 and 2 pays 60 and keeps 40. Round 2: B's only supporter has 40 < 90: unaffordable;
# C: voter 2 has 40, voter 3 has 100: rho with 40 + min(100, rho) = 150 -> rho = 110 > 100, no:
# together they hold 140 < 150, unaffordable. MES stops having spent 120; 180 is left and B (90)
# or C (150) would still fit, so Add1 raises the share: at share s, round 1 buys A at 60 each,
# then C needs (s - 60) + s >= 150, i.e. s >= 105; and B needs s - 60 >= 90, s >= 150. At
# s = 105 (budget 315 > 300 in shares, but only what is bought counts): A (120) + C (150) = 270
# <= 300, and B (90) no longer fits (270 + 90 > 300): Add1 stops there. C's price: voter 2 has
# 45 left, voter 3 has 105: each pays 75 (45 < 75, so voter 2 pays all 45 and voter 3 pays 105)
# -> rho with 45 + min(105, rho) = 150: rho = 105. Voter 3 pays 105, all they have.
# Completion: 30 left, B costs 90: not funded.
HAND = TallyInput(
    budget=300,
    projects=(ProjectInput("A", 120), ProjectInput("B", 90), ProjectInput("C", 150)),
    ballots=(
        BallotInput((("A", 1), ("B", 1))),
        BallotInput((("A", 1), ("C", 1))),
        BallotInput((("C", 1),)),
    ),
    tie_break="lexico",
)


def test_hand_computed_example() -> None:
    outcome = equal_shares(HAND)
    assert outcome.selected == ("A", "C")
    share, purchases = _purchases(outcome)
    assert share == 105
    assert [(p.project_id, p.round, p.price_per_point) for p in purchases] == [
        ("A", 1, Fraction(60)),
        ("C", 2, Fraction(105)),
    ]
    one = spend_share(share=share, purchases=purchases, points={"A": 1, "B": 1})
    assert [(p.project_id, p.amount, p.paid_all_left) for p in one.payments] == [("A", 60, False)]
    assert one.left == 45  # B, their other choice, was never bought: 45 of their share unspent
    two = spend_share(share=share, purchases=purchases, points={"A": 1, "C": 1})
    assert [(p.project_id, p.amount, p.paid_all_left) for p in two.payments] == [
        ("A", 60, False),
        ("C", 45, True),  # less than C's price of 105 was left: they paid all of it
    ]
    assert two.left == 0
    three = spend_share(share=share, purchases=purchases, points={"C": 1})
    assert [(p.project_id, p.amount, p.paid_all_left) for p in three.payments] == [
        ("C", 105, False)
    ]
    assert three.left == 0
    assert one.payment("A").amount + two.payment("A").amount == 120  # type: ignore[union-attr]
    assert two.payment("C").amount + three.payment("C").amount == 150  # type: ignore[union-attr]


def test_points_scale_the_price() -> None:
    """Cumulative (and ranked) ballots pay the price per point times their points."""
    purchases = (Purchase("A", 1, Fraction(10)), Purchase("B", 2, Fraction(7, 3)))
    account = spend_share(share=Fraction(50), purchases=purchases, points={"A": 3, "B": 9})
    assert [(p.amount, p.full_price, p.paid_all_left) for p in account.payments] == [
        (30, 30, False),
        (20, 21, True),
    ]
    assert account.left == 0
    assert account.spent == 50


def test_completion_projects_are_not_paid_from_shares() -> None:
    share, purchases = read_purchases(
        [
            ("A", "funded", {"round": 1, "voter_share": "10", "max_payment_per_point": "4"}),
            ("B", "funded_in_completion", {"remaining_budget": 7}),
            ("C", "supporters_could_not_pay", {"supporters_money": 3, "voter_share": "10"}),
        ]
    )
    assert share == 10
    assert [p.project_id for p in purchases] == ["A"]
    account = spend_share(share=share, purchases=purchases, points={"A": 1, "B": 1, "C": 1})
    assert [p.project_id for p in account.payments] == ["A"]
    assert account.left == 6


def test_an_outcome_without_shares_is_refused() -> None:
    with pytest.raises(ShareInputError):
        read_purchases([("A", "funded", {"remaining_budget": 4})])  # a greedy outcome
    with pytest.raises(ShareInputError):
        read_purchases(
            [
                ("A", "funded", {"round": 1, "voter_share": "1", "max_payment_per_point": "1"}),
                ("B", "funded", {"round": 1, "voter_share": "1", "max_payment_per_point": "1"}),
            ]
        )


# -- the shared Pabulib files ------------------------------------------------------------------

SUM_FILES = (
    "Netherlands_Assen_2024.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Warszawa_2020_Praga-Poludnie.pb",
    "Poland_Czestochowa_2024.pb",
    "Poland_Krakow_2024.pb",
)
# pabutools' MES (one run at a fixed share, with analytics) takes seconds on these.
PABUTOOLS_FILES = (
    "Netherlands_Assen_2024.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Czestochowa_2024.pb",
)


@cache
def _ours(path: Path):
    election = read_pb(path)
    tally_input = election.to_tally_input("lexico")
    return tally_input, equal_shares(tally_input)


def _distinct_ballots(tally_input: TallyInput) -> dict[tuple[tuple[str, int], ...], int]:
    """Each distinct ballot (sorted (project id, points) with points > 0) and how many cast it."""
    m = tally_input.ballots
    assert not isinstance(m, tuple)
    ids = [p.id for p in tally_input.projects]
    found: dict[tuple[tuple[str, int], ...], int] = defaultdict(int)
    for row in range(m.n_rows):
        start, end = int(m.indptr[row]), int(m.indptr[row + 1])
        key = tuple(
            sorted(
                (ids[int(j)], int(x))
                for j, x in zip(m.project_index[start:end], m.points[start:end], strict=True)
                if x > 0
            )
        )
        found[key] += int(m.weights[row])
    return found


@pytest.mark.parametrize("name", SUM_FILES)
def test_payments_add_up_to_each_cost(name: str, pabulib_path) -> None:
    tally_input, outcome = _ours(pabulib_path(name))
    share, purchases = _purchases(outcome)
    assert purchases, "Equal Shares bought nothing on this file: the test would prove nothing"
    costs = {p.id: p.cost for p in tally_input.projects}
    paid: dict[str, Fraction] = defaultdict(Fraction)
    for ballot, count in _distinct_ballots(tally_input).items():
        account = spend_share(share=share, purchases=purchases, points=dict(ballot))
        assert account.left >= 0
        assert account.spent + account.left == share
        for payment in account.payments:
            paid[payment.project_id] += payment.amount * count
    assert {p.project_id: paid[p.project_id] for p in purchases} == {
        p.project_id: Fraction(costs[p.project_id]) for p in purchases
    }
    n_voters = sum(_distinct_ballots(tally_input).values())
    bought = sum(costs[p.project_id] for p in purchases)
    completion = {r.project_id for r in outcome.results if r.reason_code == "funded_in_completion"}
    assert set(outcome.selected) == {p.project_id for p in purchases} | completion
    assert bought <= share * n_voters


def _pabutools_payments(path: Path, share: Fraction, oracle) -> dict[tuple, dict[str, Fraction]]:
    """pabutools' MES at voter share ``share`` (no Add1): each distinct ballot's payments."""
    instance, profile = parse_pabulib(str(path))
    multiprofile = profile.as_multiprofile()
    sat_profile = multiprofile.as_sat_profile(sat_class=oracle.sat_class_for(instance, profile))
    vote_type = instance.meta.get("vote_type", "approval")
    outcome = method_of_equal_shares_scheme(
        instance,
        multiprofile,
        sat_profile,
        frac(share.numerator, share.denominator),
        [],
        lexico_tie_breaking,
        binary_sat=vote_type in ("approval", "choose-1"),
        analytics=True,
    )
    k = int(instance.meta.get("max_length", 0) or 0)
    voters = list(sat_profile)
    keys = []
    for sat in voters:
        ballot = sat.ballot
        if vote_type in ("approval", "choose-1"):
            key = tuple(sorted((p.name, 1) for p in ballot))
        elif vote_type == "cumulative":
            key = tuple(sorted((p.name, int(ballot[p])) for p in ballot if ballot[p] > 0))
        else:
            ranks = list(ballot)
            key = tuple(sorted((p.name, k - i) for i, p in enumerate(ranks)))
        keys.append(key)
    payments: dict[tuple, dict[str, Fraction]] = {key: {} for key in keys}
    for iteration in outcome.details.iterations:
        project = getattr(iteration, "selected_project", None)
        if project is None:
            continue
        before, after = iteration.voters_budget, iteration.voters_budget_after_selection
        for index, key in enumerate(keys):
            amount = Fraction(str(before[index] - after[index]))
            if amount:
                payments[key][project.name] = amount
    return payments


@pytest.mark.parametrize("name", PABUTOOLS_FILES)
def test_payments_equal_pabutools(name: str, pabulib_path, oracle) -> None:
    path = pabulib_path(name)
    tally_input, outcome = _ours(path)
    share, purchases = _purchases(outcome)
    expected = _pabutools_payments(path, share, oracle)
    ballots = _distinct_ballots(tally_input)
    assert set(expected) == set(ballots)
    nonzero = 0
    for ballot in ballots:
        account = spend_share(share=share, purchases=purchases, points=dict(ballot))
        ours = {p.project_id: p.amount for p in account.payments if p.amount}
        assert ours == expected[ballot], ballot
        nonzero += bool(ours)
    assert nonzero > 0
