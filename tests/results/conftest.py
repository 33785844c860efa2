import pytest

from budgeting.phases import Phase
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope


@pytest.fixture
def counted_election(db):
    """A closed MES vote: budget 1,000,000원, four projects, 10 ballots.

    Costs A 600,000 / B 400,000 / C 300,000 / D 500,000. Ballots: 6×{A,B}, 3×{C}, 1×{D}.
    Greedy (votes A 6, B 6, C 3, D 1; B before A on the cost tie-break) funds B and A
    (1,000,000). MES gives each voter 100,000: the six {A,B} voters buy B (400,000), are left with
    200,000, which cannot pay A (600,000); the three C voters buy C (300,000); 300,000 is left,
    which pays neither A nor D (500,000).
    """
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")
    scope, (a, b, c, d) = make_scope(
        cycle=cycle, budget_won=1_000_000, costs=[600_000, 400_000, 300_000, 500_000]
    )
    cast_ballots(scope=scope, ballots=[[a, b]] * 6 + [[c]] * 3 + [[d]])
    return {"cycle": cycle, "scope": scope, "a": a, "b": b, "c": c, "d": d}
