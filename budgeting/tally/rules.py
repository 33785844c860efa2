"""The counting rules by name: what a ``TallyRun.rule`` means."""

from __future__ import annotations

from collections.abc import Callable

from budgeting.tally.council_weighted import council_weighted
from budgeting.tally.equal_shares import equal_shares
from budgeting.tally.greedy import greedy
from budgeting.tally.types import TallyInput
from budgeting.tally.types import TallyOutcome
from budgeting.tally.weighted import weighted

RULES: dict[str, Callable[[TallyInput], TallyOutcome]] = {
    "greedy": greedy,
    "mes": equal_shares,
    "council_weighted": council_weighted,
    "weighted": weighted,
}
