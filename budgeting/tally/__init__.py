"""Pure-Python tally rules for participatory budgeting (no Django here).

Public API::

    from budgeting.tally import RULES, TallyInput, ProjectInput, BallotInput, read_pb, fingerprint
    outcome = RULES["mes"](tally_input)

Rules: ``greedy`` (greedy by votes/points, with threshold and no-skip variants), ``mes`` (Method
of Equal Shares with Add1 and greedy completion) and ``council_weighted`` (Seoul-style weighted
score, then greedy). Each takes a :class:`TallyInput` and returns a :class:`TallyOutcome`.
"""

from __future__ import annotations

from collections.abc import Callable

from budgeting.tally.council_weighted import council_weighted
from budgeting.tally.equal_shares import equal_shares
from budgeting.tally.fingerprint import fingerprint
from budgeting.tally.greedy import greedy
from budgeting.tally.pabulib import PbElection
from budgeting.tally.pabulib import PbFormatError
from budgeting.tally.pabulib import UnsupportedVoteType
from budgeting.tally.pabulib import read_pb
from budgeting.tally.pabulib import read_pb_text
from budgeting.tally.pabulib import write_pb
from budgeting.tally.types import BallotInput
from budgeting.tally.types import BallotMatrix
from budgeting.tally.types import ProjectInput
from budgeting.tally.types import ProjectResult
from budgeting.tally.types import TallyInput
from budgeting.tally.types import TallyInputError
from budgeting.tally.types import TallyOutcome

RULES: dict[str, Callable[[TallyInput], TallyOutcome]] = {
    "greedy": greedy,
    "mes": equal_shares,
    "council_weighted": council_weighted,
}

__all__ = [
    "RULES",
    "BallotInput",
    "BallotMatrix",
    "PbElection",
    "PbFormatError",
    "ProjectInput",
    "ProjectResult",
    "TallyInput",
    "TallyInputError",
    "TallyOutcome",
    "UnsupportedVoteType",
    "council_weighted",
    "equal_shares",
    "fingerprint",
    "greedy",
    "read_pb",
    "read_pb_text",
    "write_pb",
]
