"""Pure-Python tally rules for participatory budgeting (no Django here).

Public API::

    from budgeting.tally import TallyInput, ProjectInput, BallotInput, read_pb, canonical_pb
    from budgeting.tally.rules import RULES  # the counting rules: workers and commands only
    outcome = RULES["mes"](tally_input)

Rules: ``greedy`` (greedy by votes/points, with threshold and no-skip variants), ``mes`` (Method
of Equal Shares with Add1 and greedy completion) and ``council_weighted`` (Seoul-style weighted
score, then greedy). Each takes a :class:`TallyInput` and returns a :class:`TallyOutcome`.

This package's ``__init__`` loads only the types and the Pabulib reader/writer: the rules, and
with them numba's compiled Equal Shares kernels, are in ``budgeting.tally.rules``, which web
processes never import (an import-linter contract).
"""

from __future__ import annotations

from budgeting.tally.fingerprint import CanonicalPb
from budgeting.tally.fingerprint import canonical_pb
from budgeting.tally.pabulib import MIN_SUPPORT_META
from budgeting.tally.pabulib import PbElection
from budgeting.tally.pabulib import PbFormatError
from budgeting.tally.pabulib import PbWarning
from budgeting.tally.pabulib import UnsupportedVoteType
from budgeting.tally.pabulib import meta_rule_options
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

__all__ = [
    "MIN_SUPPORT_META",
    "BallotInput",
    "BallotMatrix",
    "CanonicalPb",
    "PbElection",
    "PbFormatError",
    "PbWarning",
    "ProjectInput",
    "ProjectResult",
    "TallyInput",
    "TallyInputError",
    "TallyOutcome",
    "UnsupportedVoteType",
    "canonical_pb",
    "meta_rule_options",
    "read_pb",
    "read_pb_text",
    "write_pb",
]
